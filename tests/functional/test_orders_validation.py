"""POST /orders validation: every rule answers 400 VALIDATION_FAILED naming the field, and stores nothing."""
from __future__ import annotations

import pytest

from http_checks import assert_problem
from orders_api import BURGER_ID, MARGHERITA_ID, order_body, place

VALID_LINE = {"productId": MARGHERITA_ID, "quantity": 1}

CASES = [
    # (id, body changes, expected fields)
    ("items missing", {"items": None}, ["items"]),
    ("items empty", {"items": []}, ["items"]),
    ("items not an array", {"items": {"productId": MARGHERITA_ID}}, ["items"]),
    ("51 lines", {"items": [VALID_LINE] * 51}, ["items"]),
    ("line not an object", {"items": [5]}, ["items[0]"]),
    ("quantity 0", {"items": [{"productId": MARGHERITA_ID, "quantity": 0}]}, ["items[0].quantity"]),
    ("quantity 100", {"items": [{"productId": MARGHERITA_ID, "quantity": 100}]}, ["items[0].quantity"]),
    ("quantity negative", {"items": [{"productId": MARGHERITA_ID, "quantity": -2}]}, ["items[0].quantity"]),
    ("quantity fraction", {"items": [{"productId": MARGHERITA_ID, "quantity": 1.5}]}, ["items[0].quantity"]),
    ("quantity string", {"items": [{"productId": MARGHERITA_ID, "quantity": "1"}]}, ["items[0].quantity"]),
    ("quantity missing", {"items": [{"productId": MARGHERITA_ID}]}, ["items[0].quantity"]),
    ("merged quantity over 99", {"items": [{"productId": MARGHERITA_ID, "quantity": 50},
                                           {"productId": MARGHERITA_ID, "quantity": 50}]}, ["items[1].quantity"]),
    ("productId missing", {"items": [{"quantity": 1}]}, ["items[0].productId"]),
    ("productId not a uuid", {"items": [VALID_LINE, {"productId": "42", "quantity": 1}]}, ["items[1].productId"]),
    ("productId a number", {"items": [{"productId": 42, "quantity": 1}]}, ["items[0].productId"]),
    ("address missing", {"deliveryAddress": None}, ["deliveryAddress"]),
    ("address blank", {"deliveryAddress": "   "}, ["deliveryAddress"]),
    ("address too long", {"deliveryAddress": "a" * 301}, ["deliveryAddress"]),
    ("address with newline", {"deliveryAddress": "Calle 1\nMadrid"}, ["deliveryAddress"]),
    ("address with escape", {"deliveryAddress": "Calle \x1b[31m1"}, ["deliveryAddress"]),
    ("address with NUL", {"deliveryAddress": "Calle\x001"}, ["deliveryAddress"]),
    ("address not a string", {"deliveryAddress": 12}, ["deliveryAddress"]),
    ("notes too long", {"notes": "n" * 501}, ["notes"]),
    ("notes with a control character", {"notes": "bell\x07"}, ["notes"]),
    ("notes not a string", {"notes": ["a"]}, ["notes"]),
    ("several at once", {"items": [{"productId": "x", "quantity": 0}], "deliveryAddress": ""},
     ["items[0].productId", "items[0].quantity", "deliveryAddress"]),
]


@pytest.mark.parametrize("changes,fields", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_invalid_body_is_400_and_nothing_is_stored(orders, customer, orders_db, changes, fields):
    body = order_body()
    for key, value in changes.items():
        if value is None:
            body.pop(key, None)
        else:
            body[key] = value
    response = place(orders, customer["token"], body)
    assert_problem(response, 400, "VALIDATION_FAILED", fields=fields)
    assert orders_db.orders_of(customer["id"]) == 0  # (its outbox row would be in the same transaction)


def test_limits_are_inclusive(orders, customer):
    body = order_body(deliveryAddress="a" * 300, notes="n" * 500)
    body["items"] = [{"productId": MARGHERITA_ID, "quantity": 99}]
    response = place(orders, customer["token"], body)
    assert response.status_code == 201, response.text
    assert response.json()["items"][0]["quantity"] == 99
    assert response.json()["notes"] == "n" * 500


def test_address_is_trimmed_and_blank_notes_are_null(orders, customer):
    response = place(orders, customer["token"], order_body((BURGER_ID, 1), deliveryAddress="  Plaza 2  ",
                                                          notes="   "))
    assert response.status_code == 201, response.text
    assert response.json()["deliveryAddress"] == "Plaza 2"
    assert response.json()["notes"] is None


@pytest.mark.parametrize("raw,status,code", [
    (b"{", 400, "MALFORMED_JSON"),
    (b"[1,2]", 400, "VALIDATION_FAILED"),
    (b'"text"', 400, "VALIDATION_FAILED"),
])
def test_malformed_bodies(orders, customer, orders_db, raw, status, code):
    response = orders.post_raw("/orders", raw, headers={"Authorization": f"Bearer {customer['token']}"})
    assert_problem(response, status, code)
    assert orders_db.orders_of(customer["id"]) == 0


def test_wrong_content_type_is_415(orders, customer, orders_db):
    response = orders.post_raw("/orders", b"{}", content_type="text/plain",
                               headers={"Authorization": f"Bearer {customer['token']}"})
    assert_problem(response, 415, "UNSUPPORTED_MEDIA_TYPE")
    assert orders_db.orders_of(customer["id"]) == 0


@pytest.mark.parametrize("key", ["k" * 256, "caf\u00e9".encode().decode("latin-1")])
def test_invalid_idempotency_key_is_400(orders, customer, orders_db, key):
    response = place(orders, customer["token"], key=key)
    assert_problem(response, 400, "VALIDATION_FAILED", fields=["Idempotency-Key"])
    assert orders_db.orders_of(customer["id"]) == 0
