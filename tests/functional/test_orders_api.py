"""orders-service: placing and reading orders against the real users- and products-service."""
from __future__ import annotations

import uuid

import pytest

from http_checks import RFC3339_UTC_RE, UUID_RE, assert_problem
from orders_api import (ADDRESS, BBQ_BURGER_ID, BURGER_ID, ITEM_FIELDS, MARGHERITA_ID, ORDER_FIELDS,
                        UNAVAILABLE_ID, UNKNOWN_ID, bearer, order_body, place, place_ok)


def _catalog(products, *ids: str) -> dict[str, dict]:
    out = {}
    for product_id in ids:
        response = products.get(f"/products/{product_id}")
        assert response.status_code == 200, response.text
        out[product_id] = response.json()
    return out


def test_places_an_order_priced_from_the_catalog(orders, products, customer, orders_db):
    catalog = _catalog(products, MARGHERITA_ID, BURGER_ID)
    body = order_body((MARGHERITA_ID, 2), (BURGER_ID, 1), notes="Ring twice.\nThird floor.")
    response = place(orders, customer["token"], body)
    assert response.status_code == 201, response.text
    order = response.json()
    assert set(order) == ORDER_FIELDS
    assert UUID_RE.match(order["id"])
    assert response.headers["Location"] == f"/orders/{order['id']}"
    assert order["userId"] == customer["id"]
    assert order["status"] == "CREATED"
    assert order["deliveryAddress"] == ADDRESS
    assert order["notes"] == "Ring twice.\nThird floor."
    assert RFC3339_UTC_RE.match(order["createdAt"])
    total = 0
    for item, (product_id, quantity) in zip(order["items"], ((MARGHERITA_ID, 2), (BURGER_ID, 1))):
        assert set(item) == ITEM_FIELDS
        product = catalog[product_id]
        assert item["productId"] == product_id
        assert item["name"] == product["name"]
        assert item["unitPriceCents"] == product["priceCents"]
        assert item["quantity"] == quantity
        assert item["lineTotalCents"] == product["priceCents"] * quantity
        total += item["lineTotalCents"]
    assert order["totalCents"] == total
    assert order["currency"] == catalog[MARGHERITA_ID]["currency"]
    # Stored with its outbox record in the same transaction.
    outbox = orders_db.outbox_for(order["id"])
    assert len(outbox) == 1 and outbox[0]["event_type"] == "OrderCreated"
    assert outbox[0]["correlation_id"] == response.headers["X-Request-Id"]


def test_get_returns_the_same_order(orders, customer):
    order = place_ok(orders, customer["token"])
    response = orders.get(f"/orders/{order['id']}", headers=bearer(customer["token"]))
    assert response.status_code == 200, response.text
    assert response.json() == order


def test_list_is_the_users_orders_newest_first(orders, customer, users):
    from users_api import login, register
    first = place_ok(orders, customer["token"], order_body((MARGHERITA_ID, 1)))
    second = place_ok(orders, customer["token"], order_body((BURGER_ID, 3)))
    other = register(users)
    place_ok(orders, login(users, other["email"], other["password"]))
    response = orders.get("/orders", headers=bearer(customer["token"]))
    assert response.status_code == 200, response.text
    assert [o["id"] for o in response.json()["items"]] == [second["id"], first["id"]]
    assert response.json()["items"][0] == second


def test_merges_duplicate_products_into_one_line(orders, customer):
    order = place_ok(orders, customer["token"], order_body((MARGHERITA_ID, 2), (BURGER_ID, 1), (MARGHERITA_ID, 3)))
    assert [(i["productId"], i["quantity"]) for i in order["items"]] == [(MARGHERITA_ID, 5), (BURGER_ID, 1)]


def test_client_sent_prices_and_names_are_ignored(orders, products, customer):
    catalog = _catalog(products, MARGHERITA_ID)
    body = order_body(totalCents=1, currency="XXX", userId=str(uuid.uuid4()), status="PAID")
    body["items"][0].update(unitPriceCents=1, priceCents=1, name="Free pizza", lineTotalCents=1)
    order = place_ok(orders, customer["token"], body)
    assert order["items"][0]["unitPriceCents"] == catalog[MARGHERITA_ID]["priceCents"]
    assert order["items"][0]["name"] == catalog[MARGHERITA_ID]["name"]
    assert order["totalCents"] == catalog[MARGHERITA_ID]["priceCents"]
    assert order["currency"] == catalog[MARGHERITA_ID]["currency"]
    assert order["userId"] == customer["id"] and order["status"] == "CREATED"


def test_another_users_order_is_404(orders, customer, users):
    from users_api import login, register
    order = place_ok(orders, customer["token"])
    other = register(users)
    token = login(users, other["email"], other["password"])
    response = orders.get(f"/orders/{order['id']}", headers=bearer(token))
    assert_problem(response, 404, "NOT_FOUND")
    assert orders.get("/orders", headers=bearer(token)).json() == {"items": []}


@pytest.mark.parametrize("order_id", [str(uuid.uuid4()), "42", "not-a-uuid", "%20"])
def test_unknown_or_malformed_order_id_is_404(orders, customer, order_id):
    assert_problem(orders.get(f"/orders/{order_id}", headers=bearer(customer["token"])), 404, "NOT_FOUND")


@pytest.mark.parametrize("method,path", [("POST", "/orders"), ("GET", "/orders"),
                                         ("GET", f"/orders/{uuid.uuid4()}")])
@pytest.mark.parametrize("authorization", [None, "Bearer", "Bearer not.a.token", "Basic dXNlcjpwYXNz"])
def test_requires_a_valid_token(orders, method, path, authorization):
    headers = {"Authorization": authorization} if authorization else {}
    response = orders.request(method, path, headers=headers, json=order_body() if method == "POST" else None)
    assert_problem(response, 401, "UNAUTHORIZED")
    assert response.headers.get("WWW-Authenticate", "").startswith("Bearer")


def test_unknown_product_is_422_naming_the_line(orders, customer, orders_db):
    before = orders_db.orders_of(customer["id"])
    response = place(orders, customer["token"], order_body((MARGHERITA_ID, 1), (UNKNOWN_ID, 2)))
    body = assert_problem(response, 422, "PRODUCT_UNAVAILABLE", fields=["items[1].productId"])
    assert body["errors"][0]["message"]
    assert orders_db.orders_of(customer["id"]) == before


def test_unavailable_product_is_422_naming_the_line(orders, products, customer, orders_db):
    assert products.get(f"/products/{UNAVAILABLE_ID}").json()["available"] is False
    response = place(orders, customer["token"], order_body((UNAVAILABLE_ID, 1), (BBQ_BURGER_ID, 1)))
    assert_problem(response, 422, "PRODUCT_UNAVAILABLE", fields=["items[0].productId"])
    assert orders_db.orders_of(customer["id"]) == 0


def test_metrics_report_the_outbox_and_dependencies(orders, customer):
    place_ok(orders, customer["token"])
    text = orders.get("/metrics").text
    for name in ("orders_outbox_backlog", "orders_outbox_oldest_age_seconds", "orders_outbox_publish_total",
                 "orders_dependency_request_duration_seconds_bucket", "orders_rabbitmq_connected"):
        assert name in text, f"{name} missing from /metrics"


def test_ready_reports_postgres_and_rabbitmq(orders):
    from harness import wait_for
    response = orders.get("/ready")
    assert response.status_code == 200
    assert response.json()["checks"]["postgres"] == "up"
    wait_for(lambda: orders.get("/ready").json()["checks"]["rabbitmq"] == "up", timeout=10,
             message="/ready reports rabbitmq up")
