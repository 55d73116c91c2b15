"""The happy path through the real services: an order placed with orders-service becomes a notification that its
customer sees on GET /notifications, with the 📩 line in notifications-service's log. Skipped while there is no
orders-service binary."""
from __future__ import annotations

import os

import pytest

import harness
from harness import wait_for
from users_api import bearer


def test_an_order_placed_becomes_the_customers_notification(request, start_notifications, notifications_db):
    binary = harness.bin_dir() / "orders-service"
    if not (binary.is_file() and os.access(binary, os.X_OK)):
        pytest.skip(f"{binary} is not built yet")
    from orders_api import MARGHERITA_ID, order_body, place
    orders = request.getfixturevalue("orders")
    customer = request.getfixturevalue("customer")
    service = start_notifications()

    response = place(orders, customer["token"], order_body((MARGHERITA_ID, 2)),
                     headers={"X-Request-Id": "notifications-e2e.1"})
    assert response.status_code == 201, response.text
    order = response.json()

    def listed():
        items = service.get("/notifications", headers=bearer(customer["token"])).json()["items"]
        return [item for item in items if item["orderId"] == order["id"]]
    [item] = wait_for(listed, timeout=30, interval=0.2, message="the order's notification")
    expected = f"📩 Pedido confirmado para el usuario {customer['name']}: pedido {order['id']}"
    assert item["message"].startswith(expected), item
    line = next(entry for entry in service.log_lines() if order["id"] in entry.get("msg", ""))
    assert line["requestId"] == "notifications-e2e.1"
    assert len(notifications_db.for_order(order["id"])) == 1
