"""PostgreSQL stopped for real while events arrive: notifications-service retries them through the retry queue
(growing per-message TTL) and stores all of them once PostgreSQL is back; none reaches the dead-letter queue. When
the attempts run out, the event is dead-lettered with its reason rather than dropped.

These stop the shared PostgreSQL, so they are marked `disruptive` and run after every other test."""
from __future__ import annotations

import pytest

from harness import wait_for
from notifications_api import DLQ, dead_letters, metric, order_created

pytestmark = pytest.mark.disruptive

RECOVERY_TIMEOUT = 90


def test_events_arriving_while_postgres_is_down_are_retried_and_all_stored(stack, start_notifications, event_bus,
                                                                         notifications_db):
    # 200 ms doubling to 2 s, 15 attempts: about 25 s of retrying before anything would be dead-lettered.
    service = start_notifications({"RETRY_BASE_DELAY_MS": "200", "RETRY_MAX_DELAY_MS": "2000",
                                   "RETRY_MAX_ATTEMPTS": "15"})
    event_bus.settle()
    event_bus.purge(DLQ)
    retried = metric(service, "notifications_events_retried_total")
    dead_lettered = metric(service, "notifications_events_dead_lettered_total")
    events = [order_created() for _ in range(30)]
    ids = [event["eventId"] for event in events]
    stack.stop("postgres")
    try:
        for event in events:
            event_bus.publish(event)
        wait_for(lambda: metric(service, "notifications_events_retried_total") - retried >= 2 * len(events),
                 timeout=30,
                 message="each event retried at least twice")
        ready = service.get("/ready")
        assert ready.status_code == 503 and ready.json()["checks"]["postgres"] == "down", ready.text
        assert service.get("/health").status_code == 200
    finally:
        stack.start("postgres")

    wait_for(lambda: notifications_db.stored(ids) == len(ids), timeout=RECOVERY_TIMEOUT, interval=0.5,
             message="every event stored after PostgreSQL came back")
    assert set(notifications_db.counts(ids).values()) == {1}
    assert not set(ids) & set(dead_letters(event_bus)), "an event was dead-lettered"
    assert metric(service, "notifications_events_dead_lettered_total") == dead_lettered
    wait_for(lambda: service.get("/ready").status_code == 200, timeout=15, message="/ready 200 again")


def test_an_event_that_keeps_failing_is_dead_lettered_after_the_last_attempt(stack, start_notifications,
                                                                           event_bus, notifications_db):
    service = start_notifications({"RETRY_BASE_DELAY_MS": "100", "RETRY_MAX_ATTEMPTS": "3"})
    event_bus.settle()
    event_bus.purge(DLQ)
    retried = metric(service, "notifications_events_retried_total")
    event = order_created()
    stack.stop("postgres")
    try:
        event_bus.publish(event)
        found = wait_for(lambda: dead_letters(event_bus).get(event["eventId"]), timeout=30, interval=0.2,
                         message="the event in the DLQ after 3 attempts")
    finally:
        stack.start("postgres")
    headers = found[0].headers
    assert headers["x-error-code"] == "RETRIES_EXHAUSTED", headers
    assert headers["x-attempt"] == "3"
    assert "unavailable" in headers["x-error-reason"].lower(), headers
    assert metric(service, "notifications_events_retried_total") - retried == 2
    wait_for(lambda: service.get("/ready").status_code == 200, timeout=15, message="/ready 200 again")
    assert notifications_db.counts([event["eventId"]]) == {event["eventId"]: 0}


def test_the_consumer_reconnects_by_itself_after_a_rabbitmq_restart(stack, start_notifications, event_bus,
                                                                    notifications_db):
    service = start_notifications()
    before = event_bus.publish(order_created())
    wait_for(lambda: notifications_db.stored([before["eventId"]]) == 1, timeout=20, message="the first event")
    stack.stop("rabbitmq")
    try:
        # RabbitMQ is reported, not required: GET /notifications still works without it.
        ready = wait_for(lambda: (r := service.get("/ready")).json()["checks"]["rabbitmq"] == "down" and r,
                         timeout=15, message="/ready to report rabbitmq down")
        assert ready.status_code == 200, ready.text
        assert metric(service, "notifications_rabbitmq_connected") == 0
        assert service.running
    finally:
        stack.start("rabbitmq")
    event_bus.close()  # its connection died with the broker
    after = order_created()
    wait_for(lambda: event_bus.publish(after), timeout=30, message="publishing to the restarted broker")
    wait_for(lambda: notifications_db.stored([after["eventId"]]) == 1, timeout=30,
             message="an event published after the restart stored")
    wait_for(lambda: service.get("/ready").json()["checks"]["rabbitmq"] == "up", timeout=15,
             message="/ready to report rabbitmq up")
