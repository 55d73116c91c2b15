"""Idempotency-Key: a replay returns the first order, another body is 422, concurrent duplicates make one order."""
from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

from http_checks import assert_problem
from orders_api import BURGER_ID, MARGHERITA_ID, bearer, order_body, place


def test_replay_returns_the_first_order_and_creates_nothing(orders, customer, orders_db):
    key = f"checkout-{uuid.uuid4()}"
    first = place(orders, customer["token"], order_body((MARGHERITA_ID, 2)), key=key)
    assert first.status_code == 201, first.text
    again = place(orders, customer["token"], order_body((MARGHERITA_ID, 2)), key=key)
    assert again.status_code == 201, again.text
    assert again.json() == first.json()
    assert again.headers["Location"] == first.headers["Location"]
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert orders_db.orders_of(customer["id"]) == 1
    assert len(orders_db.outbox_for(first.json()["id"])) == 1


def test_same_key_with_another_body_is_422(orders, customer, orders_db):
    key = f"checkout-{uuid.uuid4()}"
    assert place(orders, customer["token"], order_body((MARGHERITA_ID, 1)), key=key).status_code == 201
    response = place(orders, customer["token"], order_body((MARGHERITA_ID, 2)), key=key)
    assert_problem(response, 422, "IDEMPOTENCY_KEY_REUSED")
    response = place(orders, customer["token"], order_body((MARGHERITA_ID, 1), notes="other"), key=key)
    assert_problem(response, 422, "IDEMPOTENCY_KEY_REUSED")
    assert orders_db.orders_of(customer["id"]) == 1


def test_same_order_written_differently_is_a_replay(orders, customer, orders_db):
    key = f"checkout-{uuid.uuid4()}"
    first = place(orders, customer["token"], order_body((MARGHERITA_ID, 2), (BURGER_ID, 1)), key=key)
    assert first.status_code == 201, first.text
    reordered = order_body((BURGER_ID, 1), (MARGHERITA_ID, 1), (MARGHERITA_ID, 1),
                           deliveryAddress=f"  {first.json()['deliveryAddress']} ")
    again = place(orders, customer["token"], reordered, key=key)
    assert again.status_code == 201 and again.json()["id"] == first.json()["id"]
    assert orders_db.orders_of(customer["id"]) == 1


def test_keys_belong_to_one_user(orders, customer, users, orders_db):
    from users_api import login, register
    key = f"checkout-{uuid.uuid4()}"
    mine = place(orders, customer["token"], key=key)
    other = register(users)
    theirs = place(orders, login(users, other["email"], other["password"]), key=key)
    assert mine.status_code == theirs.status_code == 201
    assert mine.json()["id"] != theirs.json()["id"]
    assert theirs.json()["userId"] == other["id"]


def test_without_a_key_each_request_is_a_new_order(orders, customer, orders_db):
    a = place(orders, customer["token"])
    b = place(orders, customer["token"])
    assert a.status_code == b.status_code == 201
    assert a.json()["id"] != b.json()["id"]
    assert orders_db.orders_of(customer["id"]) == 2


def test_ten_concurrent_requests_with_one_key_make_one_order(orders, customer, orders_db):
    key = f"checkout-{uuid.uuid4()}"
    body = order_body((MARGHERITA_ID, 1), (BURGER_ID, 2))

    def attempt(_: int):
        import requests
        return requests.post(f"{orders.url}/orders", json=body, timeout=20,
                             headers=bearer(customer["token"], **{"Idempotency-Key": key}))

    with ThreadPoolExecutor(max_workers=10) as pool:
        responses = list(pool.map(attempt, range(10)))
    assert all(r.status_code == 201 for r in responses), [(r.status_code, r.text[:200]) for r in responses]
    assert len({r.json()["id"] for r in responses}) == 1
    order_id = responses[0].json()["id"]
    assert orders_db.orders_of(customer["id"]) == 1
    assert len(orders_db.outbox_for(order_id)) == 1
    assert orders_db.query("SELECT count(*) FROM idempotency_keys WHERE user_id = %s", customer["id"])[0][0] == 1
