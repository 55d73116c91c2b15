"""notifications-service consuming OrderCreated from RabbitMQ: a notification per event, exactly once per eventId,
the 📩 line on stdout, poison to the dead-letter queue with its reason, and GET /notifications.

Events are published here with pika as orders-service publishes them (exchange `orders`, `order.created`)."""
from __future__ import annotations

import json
import uuid

from harness import wait_for
from http_checks import assert_problem
from notifications_api import DLQ, NOTIFICATION_FIELDS, WORK_QUEUE, dead_letters, metric, order_created
from users_api import bearer, login, register

STORE_TIMEOUT = 20


def _stored(db, event_ids, count=None):
    count = len(event_ids) if count is None else count
    return wait_for(lambda: db.stored(event_ids) == count, timeout=STORE_TIMEOUT,
                    message=f"{count} notifications for {len(event_ids)} events")


def test_an_event_makes_one_notification_and_a_readable_log_line(start_notifications, event_bus, notifications_db):
    service = start_notifications()
    event = event_bus.publish(order_created(userName="Ana García", totalCents=1234))
    _stored(notifications_db, [event["eventId"]])
    [row] = notifications_db.for_order(event["data"]["orderId"])
    assert row["user_id"] == event["data"]["userId"]
    assert (row["total_cents"], row["currency"]) == (1234, "EUR")

    order_id = event["data"]["orderId"]
    expected = "📩 Pedido confirmado para el usuario Ana García"
    line = wait_for(lambda: next((entry for entry in service.log_lines()
                                  if expected in entry.get("msg", "") and order_id in entry["msg"]), None),
                    timeout=5, message="the 📩 log line")
    assert "12,34 EUR" in line["msg"], line
    assert line["level"] == "info" and line["service"] == "notifications-service"
    assert line["requestId"] == event["correlationId"]
    assert line["eventId"] == event["eventId"]
    # Readable by a person: the emoji and the accent as UTF-8, not \\u escapes.
    assert f"{expected}: pedido {order_id}, total 12,34 EUR" in service.stdout()
    assert row["message"] == line["msg"]


def test_the_line_is_printed_whatever_the_log_level(start_notifications, event_bus, notifications_db):
    """LOG_LEVEL=error silences diagnostics; the 📩 line is what the service is for, so it stays."""
    service = start_notifications({"LOG_LEVEL": "error"})
    event = event_bus.publish(order_created(userName="Ana García", totalCents=1234))
    _stored(notifications_db, [event["eventId"]])
    order_id = event["data"]["orderId"]
    line = wait_for(lambda: next((entry for entry in service.log_lines() if order_id in entry.get("msg", "")),
                                 None), timeout=5, message="the 📩 line at LOG_LEVEL=error")
    assert line["msg"] == f"📩 Pedido confirmado para el usuario Ana García: pedido {order_id}, total 12,34 EUR"
    assert line["level"] == "info"
    assert all(entry["level"] == "error" or entry.get("msg", "").startswith("📩") for entry in service.log_lines()), \
        "diagnostics below error were printed"


def test_the_email_stands_in_for_a_missing_name(start_notifications, event_bus, notifications_db):
    service = start_notifications()
    event = event_bus.publish(order_created(userName="", totalCents=123456))
    _stored(notifications_db, [event["eventId"]])
    email = event["data"]["userEmail"]
    wait_for(lambda: f"📩 Pedido confirmado para el usuario {email}: pedido {event['data']['orderId']}, "
                     f"total 1.234,56 EUR" in service.stdout(), timeout=5, message="the 📩 line with the email")


def test_the_same_event_id_twice_makes_one_notification(start_notifications, event_bus, notifications_db):
    service = start_notifications()
    event = order_created()
    duplicates = metric(service, "notifications_events_duplicate_total")
    event_bus.publish(event)
    event_bus.publish(event)
    # A different eventId for the same order is a different event (orders-service never does that).
    wait_for(lambda: metric(service, "notifications_events_duplicate_total") == duplicates + 1, timeout=STORE_TIMEOUT,
             message="the duplicate counted")
    assert notifications_db.counts([event["eventId"]]) == {event["eventId"]: 1}
    assert len(notifications_db.for_order(event["data"]["orderId"])) == 1
    assert metric(service, "notifications_events_consumed_total") >= 2
    assert metric(service, "notifications_event_latency_seconds_count") >= 1


POISON = {
    "not-json": (b"{this is not json", "MALFORMED_JSON"),
    "not-an-object": (b"[1, 2, 3]", "MALFORMED_JSON"),
    "unknown-type": ({"eventType": "OrderShipped"}, "UNKNOWN_EVENT_TYPE"),
    "unknown-version": ({"eventVersion": 2}, "UNKNOWN_EVENT_VERSION"),
    "missing-event-id": ({"eventId": None}, "INVALID_EVENT"),
    "missing-data-field": ({"data": {"userId": str(uuid.uuid4()), "items": []}}, "INVALID_EVENT"),
    "order-id-not-uuid": ({"data.orderId": "order-42"}, "INVALID_EVENT"),
    "negative-total": ({"data.totalCents": -5}, "INVALID_EVENT"),
    "bad-timestamp": ({"occurredAt": "yesterday"}, "INVALID_EVENT"),
    "nul-in-name": ({"data.userName": "Ana\u0000"}, "INVALID_EVENT"),
}


def _poison_body(spec) -> bytes:
    if isinstance(spec, bytes):
        return spec
    event = order_created()
    for key, value in spec.items():
        if key.startswith("data."):
            event["data"][key[5:]] = value
        elif value is None:
            del event[key]
        else:
            event[key] = value
    return json.dumps(event).encode()


def test_poison_goes_to_the_dead_letter_queue_with_its_reason(start_notifications, event_bus, notifications_db):
    service = start_notifications()
    event_bus.purge(DLQ)
    sent = {}
    for name, (spec, code) in POISON.items():
        body = _poison_body(spec)
        message_id = event_bus.publish_raw(body, headers={"x-test-case": name})
        sent[message_id] = (name, code, body)
    good = event_bus.publish(order_created())
    _stored(notifications_db, [good["eventId"]])

    found: dict = {}
    def all_dead_lettered():
        found.update(dead_letters(event_bus))
        return set(sent) <= set(found)
    wait_for(all_dead_lettered, timeout=STORE_TIMEOUT, interval=0.2, message="every poison message in the DLQ")
    for message_id, (name, code, sent_body) in sent.items():
        properties, body = found[message_id]
        headers = properties.headers or {}
        assert headers.get("x-error-code") == code, (name, headers)
        assert headers.get("x-error-reason"), (name, headers)
        assert headers.get("x-test-case") == name, "the original headers travel with it"
        assert headers.get("x-original-routing-key") == "order.created"
        assert body == sent_body, "the body travels unchanged"
        assert properties.delivery_mode == 2
    assert metric(service, "notifications_events_dead_lettered_total") >= len(sent)
    # Acked: nothing is left behind in the work queue.
    assert event_bus._channel().queue_declare(WORK_QUEUE, passive=True).method.message_count == 0


def test_a_reason_names_the_bad_fields(start_notifications, event_bus):
    start_notifications()
    event_bus.purge(DLQ)
    message_id = event_bus.publish_raw(_poison_body({"data.orderId": "order-42", "data.currency": 7}))
    found = wait_for(lambda: dead_letters(event_bus).get(message_id), timeout=STORE_TIMEOUT, interval=0.2,
                     message="the message in the DLQ")
    reason = found[0].headers["x-error-reason"]
    assert "data.orderId" in reason and "data.currency" in reason, reason


# ------------------------------------------------------------------------------------------ GET /notifications

def test_get_notifications_needs_a_token(start_notifications):
    service = start_notifications()
    response = service.get("/notifications")
    assert_problem(response, 401, "UNAUTHORIZED")
    assert response.headers.get("WWW-Authenticate", "").startswith("Bearer")
    assert_problem(service.get("/notifications", headers=bearer("not.a.token")), 401, "UNAUTHORIZED")


def test_get_notifications_lists_only_the_callers_newest_first(start_notifications, users, event_bus,
                                                                notifications_db):
    service = start_notifications()
    ana, bob = register(users), register(users)
    ana_token = login(users, ana["email"], ana["password"])
    bob_token = login(users, bob["email"], bob["password"])
    assert service.get("/notifications", headers=bearer(ana_token)).json() == {"items": []}

    first = event_bus.publish(order_created(userId=ana["id"], userName=ana["name"], totalCents=100))
    _stored(notifications_db, [first["eventId"]])
    second = event_bus.publish(order_created(userId=ana["id"], userName=ana["name"], totalCents=200))
    other = event_bus.publish(order_created(userId=bob["id"], userName=bob["name"]))
    _stored(notifications_db, [second["eventId"], other["eventId"]])

    response = service.get("/notifications", headers=bearer(ana_token))
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith("application/json")
    items = response.json()["items"]
    assert [item["orderId"] for item in items] == [second["data"]["orderId"], first["data"]["orderId"]]
    for item in items:
        assert set(item) == NOTIFICATION_FIELDS
        uuid.UUID(item["id"])
        assert item["createdAt"].endswith("Z")
        assert item["message"].startswith(f"📩 Pedido confirmado para el usuario {ana['name']}")
    assert "2,00 EUR" in items[0]["message"] and "1,00 EUR" in items[1]["message"]

    bobs = service.get("/notifications", headers=bearer(bob_token)).json()["items"]
    assert [item["orderId"] for item in bobs] == [other["data"]["orderId"]]


def test_ready_reports_postgres_and_rabbitmq(start_notifications):
    service = start_notifications()
    response = wait_for(lambda: (r := service.get("/ready")).json()["checks"].get("rabbitmq") == "up" and r,
                        timeout=10, message="the consumer connected")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"postgres": "up", "rabbitmq": "up"}}
    assert metric(service, "notifications_rabbitmq_connected") == 1
