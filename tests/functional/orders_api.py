"""orders-service specifics shared by its tests: configuration, request shortcuts, the orders database and
a RabbitMQ test queue bound to exchange `orders` that counts the published events."""
from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from typing import Any

import harness
from database import Database
from harness import Service

# Seeded by services/products/migrations/002_seed_menu.sql (fixed ids).
BURGER_ID = "0b6c5d2e-1a4f-4c51-9d3e-7f1a2b3c4d01"
BBQ_BURGER_ID = "0b6c5d2e-1a4f-4c51-9d3e-7f1a2b3c4d02"
MARGHERITA_ID = "0b6c5d2e-1a4f-4c51-9d3e-7f1a2b3c4d05"
UNAVAILABLE_ID = "0b6c5d2e-1a4f-4c51-9d3e-7f1a2b3c4d04"
UNKNOWN_ID = "00000000-0000-4000-8000-000000000000"
ADDRESS = "Calle Mayor 1, 28013 Madrid"
ORDER_FIELDS = {"id", "userId", "status", "statusHistory", "version", "items", "totalCents", "currency",
                "deliveryAddress", "notes",
                "createdAt"}
ITEM_FIELDS = {"productId", "name", "unitPriceCents", "quantity", "lineTotalCents"}


def amqp_url(port: int | None = None) -> str:
    return f"amqp://guest:guest@127.0.0.1:{port or harness.AMQP_PORT}/%2f"


def orders_env(users: Service, products: Service) -> dict[str, str]:
    return {
        "DATABASE_URL": harness.database_url("orders"),
        "AMQP_URL": amqp_url(),
        "USERS_URL": users.url,
        "PRODUCTS_URL": products.url,
        "JWKS_URL": f"{users.url}/.well-known/jwks.json",
        "JWT_ISSUER": "users-service",
        "JWT_AUDIENCE": "food-ordering",
        "HTTP_TIMEOUT_MS": "2000",
        "OUTBOX_POLL_MS": "500",
    }


def order_body(*lines: tuple[str, int], **overrides: Any) -> dict:
    """A POST /orders body: `lines` are (productId, quantity); keyword arguments replace fields."""
    body: dict[str, Any] = {
        "items": [{"productId": pid, "quantity": qty} for pid, qty in (lines or ((MARGHERITA_ID, 1),))],
        "deliveryAddress": ADDRESS,
    }
    body.update(overrides)
    return body


def bearer(token: str, **extra: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", **extra}


def place(service: Service, token: str, body: dict | None = None, key: str | None = None,
          **kwargs: Any):
    headers = bearer(token)
    if key is not None:
        headers["Idempotency-Key"] = key
    headers.update(kwargs.pop("headers", {}))
    return service.post("/orders", json=body if body is not None else order_body(), headers=headers, **kwargs)


def place_ok(service: Service, token: str, body: dict | None = None, key: str | None = None) -> dict:
    response = place(service, token, body, key)
    assert response.status_code == 201, f"POST /orders: {response.status_code} {response.text}"
    return response.json()


class OrdersDb(Database):
    """orders, order_items, idempotency_keys, outbox (see services/orders/migrations)."""

    def orders_of(self, user_id: str) -> int:
        return self.query("SELECT count(*) FROM orders WHERE user_id = %s", user_id)[0][0]

    def outbox_for(self, order_id: str) -> list[dict]:
        rows = self.query("SELECT id::text, event_type, routing_key, payload, correlation_id, sent_at "
                          "FROM outbox WHERE aggregate_id = %s", order_id)
        keys = ("id", "event_type", "routing_key", "payload", "correlation_id", "sent_at")
        return [dict(zip(keys, row)) for row in rows]

    def unsent(self, order_ids: list[str]) -> int:
        return self.query("SELECT count(*) FROM outbox WHERE sent_at IS NULL AND aggregate_id::text = ANY(%s)",
                          order_ids)[0][0]


@dataclass
class Event:
    body: dict
    message_id: str | None
    type: str | None
    content_type: str | None
    delivery_mode: int | None
    headers: dict
    routing_key: str


@dataclass
class EventQueue:
    """A durable queue of this test session bound to `orders` / `order.created`. Every call opens its own
    connection, so the queue keeps working across RabbitMQ restarts. `events` keeps everything received."""
    port: int = field(default_factory=lambda: harness.AMQP_PORT)
    name: str = field(default_factory=lambda: f"comanda-test.order-created.{uuid.uuid4().hex[:12]}")
    events: list[Event] = field(default_factory=list)

    def _channel(self):
        import pika  # Debian's python3-pika, in /usr/bin/python3
        params = pika.ConnectionParameters("127.0.0.1", self.port, heartbeat=0, blocked_connection_timeout=10,
                                           connection_attempts=1, socket_timeout=5)
        connection = pika.BlockingConnection(params)
        return connection, connection.channel()

    def declare(self) -> None:
        connection, channel = self._channel()
        try:
            channel.exchange_declare("orders", exchange_type="topic", durable=True)
            channel.queue_declare(self.name, durable=True)
            channel.queue_bind(self.name, "orders", routing_key="order.created")
        finally:
            connection.close()

    def delete(self) -> None:
        connection, channel = self._channel()
        try:
            channel.queue_delete(self.name)
        finally:
            connection.close()

    def drain(self) -> list[Event]:
        """Moves every waiting message into `events`; returns the new ones."""
        new: list[Event] = []
        connection, channel = self._channel()
        try:
            while True:
                method, properties, body = channel.basic_get(self.name, auto_ack=True)
                if method is None:
                    break
                new.append(Event(_json_or_none(body), properties.message_id, properties.type,
                                 properties.content_type, properties.delivery_mode, dict(properties.headers or {}),
                                 method.routing_key))
        finally:
            connection.close()
        self.events.extend(new)
        return new

    def for_orders(self, order_ids: list[str]) -> list[Event]:
        wanted = set(order_ids)
        return [e for e in self.events if _order_id(e.body) in wanted]

    def wait_for_orders(self, order_ids: list[str], timeout: float = 30) -> list[Event]:
        """Waits until every order has at least one event; returns their events (duplicates included)."""
        def all_there() -> bool:
            self.drain()
            seen = {e.body["data"]["orderId"] for e in self.for_orders(order_ids)}
            return seen >= set(order_ids)
        harness.wait_for(all_there, timeout, interval=0.2, message=f"events for {len(order_ids)} orders")
        return self.for_orders(order_ids)


def _json_or_none(body: bytes) -> Any:
    """Other suites publish poison messages to the same exchange: keep them, unparsed, as None."""
    try:
        return json.loads(body)
    except ValueError:
        return None


def _order_id(body: Any) -> str | None:
    if isinstance(body, dict) and isinstance(body.get("data"), dict):
        return body["data"].get("orderId")
    return None

