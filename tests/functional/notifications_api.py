"""notifications-service specifics shared by its tests: configuration, OrderCreated events published with pika,
the dead-letter queue, and the notifications table."""
from __future__ import annotations

import contextlib
import datetime
import json
import uuid
from typing import Any

import pika

import harness
from database import Database
from harness import Service

EXCHANGE = "orders"
ROUTING_KEY = "order.created"
WORK_QUEUE = "notifications.order-created"
RETRY_QUEUE = "notifications.order-created.retry"
DLQ = "notifications.order-created.dlq"
NOTIFICATION_FIELDS = {"id", "orderId", "orderRef", "message", "createdAt", "state", "sequence", "reason",
                       "occurredAt"}


def notifications_env(users: Service | None) -> dict[str, str]:
    env = {
        "DATABASE_URL": harness.database_url("notifications"),
        "AMQP_URL": f"amqp://guest:guest@127.0.0.1:{harness.AMQP_PORT}/%2f",
        "JWT_ISSUER": "users-service",
        "JWT_AUDIENCE": "food-ordering",
        "RETRY_BASE_DELAY_MS": "200",
        "RETRY_MAX_ATTEMPTS": "5",
    }
    # Without users-service the JWKS URL points at a closed port: only GET /notifications needs it.
    env["JWKS_URL"] = f"{users.url}/.well-known/jwks.json" if users else \
        f"http://127.0.0.1:{harness.free_port()}/.well-known/jwks.json"
    return env


def now_rfc3339() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def order_created(**data_overrides: Any) -> dict:
    """A valid OrderCreated v1 event with fresh ids; keyword arguments replace fields of `data`."""
    data = {"orderId": str(uuid.uuid4()), "userId": str(uuid.uuid4()), "userEmail": harness.unique_email("buyer"),
            "userName": harness.unique_name("Buyer"),
            "items": [{"productId": str(uuid.uuid4()), "name": "Margherita", "quantity": 2, "unitPriceCents": 617}],
            "totalCents": 1234, "currency": "EUR"}
    data.update(data_overrides)
    return {"eventId": str(uuid.uuid4()), "eventType": "OrderCreated", "eventVersion": 1,
            "occurredAt": now_rfc3339(), "correlationId": f"test-{uuid.uuid4().hex[:12]}", "data": data}


def status_changed(order_id: str, user_id: str, sequence: int, to: str, from_: str = "CREATED",
                   reason: str | None = None) -> dict:
    """A valid OrderStatusChanged v1 event (issue 16)."""
    at = now_rfc3339()
    return {"eventId": str(uuid.uuid4()), "eventType": "OrderStatusChanged", "eventVersion": 1, "occurredAt": at,
            "correlationId": f"test-{uuid.uuid4().hex[:12]}",
            "data": {"orderId": order_id, "userId": user_id, "from": from_, "to": to, "at": at, "reason": reason,
                     "sequence": sequence, "by": {"userId": str(uuid.uuid4()), "role": "staff"},
                     "totalCents": 1234, "currency": "EUR"}}


class Bus:
    """A pika connection to the test broker: publishes events as orders-service does (persistent, JSON,
    message_id = eventId, type, x-correlation-id) with confirms, and reads or empties queues."""

    def __init__(self) -> None:
        self.connection: pika.BlockingConnection | None = None
        self.channel = None

    def _channel(self):
        if self.connection is None or self.connection.is_closed or self.channel is None or self.channel.is_closed:
            with contextlib.suppress(Exception):
                if self.connection is not None and self.connection.is_open:
                    self.connection.close()
            self.connection = pika.BlockingConnection(pika.ConnectionParameters(
                "127.0.0.1", harness.AMQP_PORT, connection_attempts=3, retry_delay=1, heartbeat=0,
                blocked_connection_timeout=30))
            self.channel = self.connection.channel()
            self.channel.confirm_delivery()
            self.channel.exchange_declare(EXCHANGE, "topic", durable=True)
        return self.channel

    def connect(self) -> bool:
        return self._channel() is not None

    def close(self) -> None:
        with contextlib.suppress(Exception):
            if self.connection is not None and self.connection.is_open:
                self.connection.close()
        self.connection = None

    def publish_raw(self, body: bytes, message_id: str | None = None, event_type: str = "OrderCreated",
                    headers: dict | None = None, routing_key: str = ROUTING_KEY) -> str:
        """Publishes a body to `orders` / `order.created` (mandatory: fails when no queue is bound)."""
        message_id = message_id or str(uuid.uuid4())
        properties = pika.BasicProperties(
            content_type="application/json", delivery_mode=2, message_id=message_id, type=event_type,
            headers={"x-correlation-id": f"test-{message_id[:8]}", **(headers or {})})
        self._channel().basic_publish(EXCHANGE, routing_key, body, properties, mandatory=True)
        return message_id

    def publish(self, event: dict) -> dict:
        event_type = str(event.get("eventType", "OrderCreated"))
        self.publish_raw(json.dumps(event).encode(), event.get("eventId") if isinstance(event.get("eventId"), str)
                         else None, event_type,
                         routing_key="order.status_changed" if event_type == "OrderStatusChanged" else ROUTING_KEY)
        return event

    def queue_exists(self, queue: str) -> bool:
        try:
            self._channel().queue_declare(queue, passive=True)
            return True
        except pika.exceptions.ChannelClosedByBroker:
            self.channel = None
            return False

    def ready_messages(self, queue: str) -> int:
        """Messages waiting in `queue` (not counting those delivered and not yet acked)."""
        return self._channel().queue_declare(queue, passive=True).method.message_count

    def settle(self, timeout: float = 60) -> None:
        """Waits until the work and retry queues are empty: a consumer has worked off whatever earlier tests (or
        orders-service) left there, so metrics read afterwards count only what the test sends."""
        harness.wait_for(lambda: self.ready_messages(WORK_QUEUE) == 0 and self.ready_messages(RETRY_QUEUE) == 0,
                         timeout=timeout, interval=0.2, message="empty work and retry queues")

    def purge(self, queue: str) -> None:
        if self.queue_exists(queue):
            self._channel().queue_purge(queue)

    def drain(self, queue: str) -> list[tuple[Any, bytes]]:
        """Takes (acks) every message now in `queue`: [(properties, body)]."""
        out = []
        channel = self._channel()
        while True:
            method, properties, body = channel.basic_get(queue, auto_ack=True)
            if method is None:
                return out
            out.append((properties, body))


class NotificationsDb(Database):
    """Table notifications(id, seq, event_id, order_id, user_id, message, total_cents, currency, correlation_id,
    occurred_at, created_at); event_id is UNIQUE."""

    def counts(self, event_ids: list[str]) -> dict[str, int]:
        """Rows per eventId (absent ones: 0)."""
        rows = self.query("SELECT event_id::text, count(*) FROM notifications WHERE event_id = ANY(%s::uuid[]) "
                          "GROUP BY event_id", list(event_ids))
        found = {event_id: count for event_id, count in rows}
        return {event_id: found.get(event_id, 0) for event_id in event_ids}

    def stored(self, event_ids: list[str]) -> int:
        return self.query("SELECT count(*) FROM notifications WHERE event_id = ANY(%s::uuid[])",
                          list(event_ids))[0][0]

    def for_order(self, order_id: str) -> list[dict]:
        rows = self.query("SELECT id::text, event_id::text, user_id::text, message, total_cents, currency "
                          "FROM notifications WHERE order_id = %s::uuid", order_id)
        keys = ("id", "event_id", "user_id", "message", "total_cents", "currency")
        return [dict(zip(keys, row)) for row in rows]


def metric(service: Service, name: str) -> float:
    """The value of an unlabelled metric on GET /metrics (0 when absent)."""
    for line in service.get("/metrics").text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    return 0.0


def dead_letters(bus: Bus) -> dict[str, tuple[Any, bytes]]:
    """Takes every message now in the DLQ, by message_id."""
    return {properties.message_id: (properties, body) for properties, body in bus.drain(DLQ)}
