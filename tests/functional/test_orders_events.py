"""The outbox relay: OrderCreated events on exchange `orders` with the contract's properties and body."""
from __future__ import annotations

from harness import wait_for
from http_checks import RFC3339_UTC_RE, UUID_RE
from orders_api import BURGER_ID, MARGHERITA_ID, order_body, place


def test_an_order_publishes_one_order_created_event(orders, customer, event_queue, orders_db):
    response = place(orders, customer["token"], order_body((MARGHERITA_ID, 2), (BURGER_ID, 1)),
                     headers={"X-Request-Id": "orders-event-test.1"})
    assert response.status_code == 201, response.text
    order = response.json()
    [event] = event_queue.wait_for_orders([order["id"]])
    assert event.routing_key == "order.created"
    assert event.type == "OrderCreated"
    assert event.content_type == "application/json"
    assert event.delivery_mode == 2
    assert event.message_id == event.body["eventId"]
    assert event.headers.get("x-correlation-id") == "orders-event-test.1"
    body = event.body
    assert set(body) == {"eventId", "eventType", "eventVersion", "occurredAt", "correlationId", "data"}
    assert UUID_RE.match(body["eventId"]) and body["eventType"] == "OrderCreated" and body["eventVersion"] == 1
    assert RFC3339_UTC_RE.match(body["occurredAt"])
    assert body["correlationId"] == "orders-event-test.1"
    data = body["data"]
    assert data == {
        "orderId": order["id"], "userId": customer["id"], "userEmail": customer["email"],
        "userName": customer["name"],
        "items": [{"productId": i["productId"], "name": i["name"], "quantity": i["quantity"],
                   "unitPriceCents": i["unitPriceCents"]} for i in order["items"]],
        "totalCents": order["totalCents"], "currency": order["currency"],
    }
    wait_for(lambda: orders_db.unsent([order["id"]]) == 0, timeout=10, message="outbox row marked sent")


def test_many_orders_each_publish_exactly_their_event(orders, customer, event_queue):
    ids = [place(orders, customer["token"]).json()["id"] for _ in range(20)]
    events = event_queue.wait_for_orders(ids)
    assert sorted(e.body["data"]["orderId"] for e in events) == sorted(ids)
