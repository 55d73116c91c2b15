"""Issue 16 helpers: staff accounts, moving orders, and a test queue bound to `order.status_changed`."""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

import harness
from harness import Service
from orders_api import Event, _json_or_none, bearer
from users_api import login, register

FORWARD = ["CREATED", "ACCEPTED", "PREPARING", "OUT_FOR_DELIVERY", "DELIVERED"]
ALL_STATES = FORWARD + ["CANCELLED"]


def grant_role(users: Service, admin_token: str, user_id: str, role: str = "staff"):
    return users.request("PUT", f"/users/{user_id}/role", json={"role": role}, headers=bearer(admin_token))


def make_staff(users: Service, admin_token: str) -> dict:
    """A fresh user made staff by the admin, logged in again so that the token carries the role."""
    user = register(users)
    response = grant_role(users, admin_token, user["id"])
    assert response.status_code == 200, response.text
    assert response.json()["role"] == "staff"
    return {**user, "token": login(users, user["email"], user["password"])}


def move(orders: Service, token: str, order_id: str, status: str, version: int | str | None,
         reason: str | None = None):
    body: dict[str, Any] = {"status": status}
    if reason is not None:
        body["reason"] = reason
    headers = bearer(token)
    if version is not None:
        headers["If-Match"] = str(version)
    return orders.request("PATCH", f"/orders/{order_id}", json=body, headers=headers)


def move_ok(orders: Service, token: str, order: dict, status: str, reason: str | None = None) -> dict:
    response = move(orders, token, order["id"], status, order["version"], reason)
    assert response.status_code == 200, f"PATCH {status}: {response.status_code} {response.text}"
    return response.json()


def cancel(orders: Service, token: str, order_id: str, body: dict | None = None):
    return orders.post(f"/orders/{order_id}/cancel", json=body if body is not None else {},
                       headers=bearer(token))


def get_order(orders: Service, token: str, order_id: str) -> dict:
    response = orders.get(f"/orders/{order_id}", headers=bearer(token))
    assert response.status_code == 200, response.text
    return response.json()


@dataclass
class StatusQueue:
    """A durable queue of this test session bound to `orders` / `order.status_changed`."""
    name: str = field(default_factory=lambda: f"comanda-test.status-changed.{uuid.uuid4().hex[:12]}")
    events: list[Event] = field(default_factory=list)

    def _channel(self):
        import pika
        params = pika.ConnectionParameters("127.0.0.1", harness.AMQP_PORT, heartbeat=0,
                                           blocked_connection_timeout=10, connection_attempts=1, socket_timeout=5)
        connection = pika.BlockingConnection(params)
        return connection, connection.channel()

    def declare(self) -> None:
        connection, channel = self._channel()
        try:
            channel.exchange_declare("orders", exchange_type="topic", durable=True)
            channel.queue_declare(self.name, durable=True)
            channel.queue_bind(self.name, "orders", routing_key="order.status_changed")
        finally:
            connection.close()

    def delete(self) -> None:
        connection, channel = self._channel()
        try:
            channel.queue_delete(self.name)
        finally:
            connection.close()

    def drain(self) -> None:
        connection, channel = self._channel()
        try:
            while True:
                method, properties, body = channel.basic_get(self.name, auto_ack=True)
                if method is None:
                    break
                self.events.append(Event(_json_or_none(body), properties.message_id, properties.type,
                                         properties.content_type, properties.delivery_mode,
                                         dict(properties.headers or {}), method.routing_key))
        finally:
            connection.close()

    def of(self, order_id: str) -> list[Event]:
        return [e for e in self.events
                if isinstance(e.body, dict) and e.body.get("data", {}).get("orderId") == order_id]

    def wait_for(self, order_id: str, count: int, timeout: float = 30) -> list[Event]:
        def enough() -> bool:
            self.drain()
            return len(self.of(order_id)) >= count
        harness.wait_for(enough, timeout, interval=0.2, message=f"{count} status events of {order_id}")
        return self.of(order_id)
