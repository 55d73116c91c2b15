"""X-Request-Id travels with POST /orders: orders-service passes the request's id on to users-service
(`GET /profile`) and products-service (`GET /products/{id}`, one call per distinct product, made at the same
time), so one id finds the request in every service's log."""
from __future__ import annotations

import uuid

from harness import wait_for
from orders_api import BURGER_ID, MARGHERITA_ID, order_body, place

LOG_TIMEOUT = 5  # request lines are written by a logger thread, not before the response


def _request_lines(service, request_id: str) -> list[dict]:
    return [line for line in service.log_lines()
            if line.get("msg") == "request" and line.get("requestId") == request_id]


def _wait_paths(service, request_id: str, expected: set[tuple[str, str]]) -> list[dict]:
    """Waits until `service` logged a request line with `request_id` for each (method, path) in `expected`."""
    def logged():
        lines = _request_lines(service, request_id)
        return expected <= {(line.get("method"), line.get("path")) for line in lines} and lines
    return wait_for(logged, timeout=LOG_TIMEOUT, interval=0.1,
                    message=f"{service.name} request lines with requestId {request_id} for {sorted(expected)}")


def test_the_request_id_of_an_order_reaches_users_and_products(users, products, orders, customer):
    request_id = f"propagation-{uuid.uuid4().hex}"
    body = order_body((MARGHERITA_ID, 1), (BURGER_ID, 2))
    response = place(orders, customer["token"], body, headers={"X-Request-Id": request_id})
    assert response.status_code == 201, response.text
    assert response.headers["X-Request-Id"] == request_id

    # users-service may also see a JWK set fetch with this id (orders-service's cache was empty or old).
    profile = [line for line in _wait_paths(users, request_id, {("GET", "/profile")}) if line["path"] == "/profile"]
    assert [line["status"] for line in profile] == [200], profile
    looked_up = _wait_paths(products, request_id,
                            {("GET", f"/products/{MARGHERITA_ID}"), ("GET", f"/products/{BURGER_ID}")})
    assert sorted(line["path"] for line in looked_up) == sorted(
        [f"/products/{MARGHERITA_ID}", f"/products/{BURGER_ID}"]), looked_up  # one call per product
    assert all(line["status"] == 200 for line in looked_up), looked_up
    _wait_paths(orders, request_id, {("POST", "/orders")})


def test_a_generated_request_id_is_passed_on_too(users, products, orders, customer):
    """Without a client id, the one orders-service made up (and returned) is the one its calls carry."""
    order = place(orders, customer["token"], order_body((MARGHERITA_ID, 1)))
    assert order.status_code == 201, order.text
    request_id = order.headers["X-Request-Id"]
    _wait_paths(users, request_id, {("GET", "/profile")})
    _wait_paths(products, request_id, {("GET", f"/products/{MARGHERITA_ID}")})
    # Another order's calls carry another id: the id is per request, not per connection or thread.
    other = place(orders, customer["token"], order_body((MARGHERITA_ID, 1)))
    assert other.status_code == 201, other.text
    assert other.headers["X-Request-Id"] != request_id
    _wait_paths(users, other.headers["X-Request-Id"], {("GET", "/profile")})
    assert [line["path"] for line in _request_lines(users, request_id)].count("/profile") == 1
