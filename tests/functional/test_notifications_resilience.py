"""PostgreSQL stopped for real while events arrive: notifications-service pauses its consumers (each keeps its
delivery unacked and probes the database) instead of spending the messages' retries, and stores every event once
PostgreSQL is back, however long the outage was; nothing reaches the retry queue or the dead-letter queue. A failure
that may be the message's own (here a constraint violation) still goes through the retries to the DLQ.

These stop the shared PostgreSQL, so they are marked `disruptive` and run after every other test."""
from __future__ import annotations

import time
import uuid

import pytest

from harness import wait_for
from http_checks import parse_rfc3339
from notifications_api import DLQ, RETRY_QUEUE, WORK_QUEUE, dead_letters, metric, order_created

pytestmark = pytest.mark.disruptive

RECOVERY_TIMEOUT = 90
# 50 ms then 100 ms: the whole retry schedule is 150 ms, so an outage of a few seconds outlasts it many times.
SHORT_RETRIES = {"RETRY_BASE_DELAY_MS": "50", "RETRY_MAX_DELAY_MS": "100", "RETRY_MAX_ATTEMPTS": "3"}
OUTAGE_SECONDS = 5
PAUSED = "database unavailable, consumer paused"
RESUMED = "database available again, consumer resumed"


def _messages(service, msg: str) -> list[dict]:
    return [line for line in service.log_lines() if line.get("msg") == msg]


def test_an_outage_longer_than_the_retry_schedule_pauses_the_consumers_and_loses_nothing(
        stack, start_notifications, event_bus, notifications_db):
    service = start_notifications(SHORT_RETRIES)  # CONSUMERS: the default 2
    event_bus.settle()
    event_bus.purge(DLQ)
    retried = metric(service, "notifications_events_retried_total")
    dead_lettered = metric(service, "notifications_events_dead_lettered_total")
    pauses = metric(service, "notifications_consumer_pauses_total")
    events = [order_created() for _ in range(30)]
    ids = [event["eventId"] for event in events]
    stack.stop("postgres")
    try:
        started = time.monotonic()
        for event in events:
            event_bus.publish(event)
        ready = service.get("/ready")
        assert ready.status_code == 503 and ready.json()["checks"]["postgres"] == "down", ready.text
        assert service.get("/health").status_code == 200
        time.sleep(max(0.0, OUTAGE_SECONDS - (time.monotonic() - started)))
        # Thirty times the retry schedule later: no event was retried or dead-lettered, every consumer waits.
        assert metric(service, "notifications_events_retried_total") == retried
        assert metric(service, "notifications_events_dead_lettered_total") == dead_lettered
        assert event_bus.ready_messages(DLQ) == 0, "events were dead-lettered during the outage"
        assert event_bus.ready_messages(RETRY_QUEUE) == 0, "events went to the retry queue during the outage"
        assert metric(service, "notifications_consumer_paused") == 2, service.get("/metrics").text
    finally:
        stack.start("postgres")

    wait_for(lambda: notifications_db.stored(ids) == len(ids), timeout=RECOVERY_TIMEOUT, interval=0.5,
             message="every event stored after PostgreSQL came back")
    assert set(notifications_db.counts(ids).values()) == {1}
    wait_for(lambda: metric(service, "notifications_consumer_paused") == 0, timeout=15,
             message="no consumer paused any more")
    event_bus.settle(timeout=15)
    assert event_bus.ready_messages(WORK_QUEUE) == 0 and event_bus.ready_messages(RETRY_QUEUE) == 0
    assert not set(ids) & set(dead_letters(event_bus)), "an event was dead-lettered"
    assert metric(service, "notifications_events_retried_total") == retried
    assert metric(service, "notifications_events_dead_lettered_total") == dead_lettered
    # One warning per pause and one info per resume, not one per probe; each consumer paused once.
    paused_now = metric(service, "notifications_consumer_pauses_total") - pauses
    assert paused_now == 2
    assert len(_messages(service, PAUSED)) == 2 and all(line["level"] == "warn" for line in _messages(service, PAUSED))
    resumed = _messages(service, RESUMED)
    assert len(resumed) == 2 and all(line["level"] == "info" for line in resumed), resumed
    assert all(line["pausedMs"] >= 1000 * (OUTAGE_SECONDS - 1) for line in resumed), resumed
    assert all(line["outcome"] == "stored" for line in resumed), resumed
    assert all(line["probes"] >= 3 for line in resumed), resumed  # several probes behind each single warning
    # The pool's own failed connects (every probe, every /ready): one warning when they began and one line when
    # a connect worked again, not one per attempt (the outage is shorter than the 30 s between reports).
    failed = _messages(service, "database connection failed")
    assert len(failed) == 1 and failed[0]["level"] == "warn" and failed[0]["failures"] == 1, failed
    assert not _messages(service, "database connections still failing")
    restored = _messages(service, "database connection restored")
    assert len(restored) == 1 and restored[0]["failuresSinceLastReport"] >= 3, restored
    # The AMQP connections lived through the pause: no reconnect, so nothing was redelivered.
    assert not [line for line in service.log_lines() if line.get("msg") == "RabbitMQ unavailable, reconnecting"]
    # (Only this test's events: the work queue also carries other tests' events, and one that was being stored
    # when PostgreSQL stopped may come back as a duplicate, which is what idempotency is for.)
    assert not [line for line in _messages(service, "duplicate event ignored") if line.get("eventId") in ids]
    wait_for(lambda: service.get("/ready").status_code == 200, timeout=15, message="/ready 200 again")


def test_sigterm_while_paused_stops_promptly_and_the_event_is_stored_later(stack, start_notifications, event_bus,
                                                                        notifications_db):
    service = start_notifications({**SHORT_RETRIES, "CONSUMERS": "1"})
    event_bus.settle()
    event_bus.purge(DLQ)
    event = order_created()
    stack.stop("postgres")
    try:
        event_bus.publish(event)
        wait_for(lambda: metric(service, "notifications_consumer_paused") == 1, timeout=15,
                 message="the consumer paused")
        started = time.monotonic()
        service.stop(timeout=10)
        took = time.monotonic() - started
        assert took < 5, f"SIGTERM while paused took {took:.1f} s"
        assert _messages(service, "consumer stopping while paused; the delivery goes back to the queue")
    finally:
        stack.start("postgres")
    # The unacked delivery went back to the queue: the next consumer stores it.
    start_notifications(SHORT_RETRIES)
    wait_for(lambda: notifications_db.stored([event["eventId"]]) == 1, timeout=RECOVERY_TIMEOUT, interval=0.5,
             message="the event stored by the next consumer")
    assert event["eventId"] not in dead_letters(event_bus)


def test_a_constraint_violation_still_goes_through_the_retries_to_the_dead_letter_queue(
        start_notifications, event_bus, notifications_db):
    # A real data error: a CHECK constraint that rejects one order id (NOT VALID: existing rows are not checked).
    order_id = str(uuid.uuid4())
    constraint = f"test_reject_{uuid.uuid4().hex[:12]}"
    service = start_notifications({"RETRY_BASE_DELAY_MS": "150", "RETRY_MAX_ATTEMPTS": "4"})
    event_bus.settle()
    event_bus.purge(DLQ)
    retried = metric(service, "notifications_events_retried_total")
    notifications_db.execute(f"ALTER TABLE notifications ADD CONSTRAINT {constraint} "
                             f"CHECK (order_id <> '{order_id}'::uuid) NOT VALID")
    try:
        event = event_bus.publish(order_created(orderId=order_id))
        found = wait_for(lambda: dead_letters(event_bus).get(event["eventId"]), timeout=30, interval=0.2,
                         message="the event in the DLQ after 4 attempts")
    finally:
        notifications_db.execute(f"ALTER TABLE notifications DROP CONSTRAINT IF EXISTS {constraint}")
    headers = found[0].headers
    assert headers["x-error-code"] == "RETRIES_EXHAUSTED", headers
    assert headers["x-attempt"] == "4"
    assert constraint in headers["x-error-reason"], headers
    assert metric(service, "notifications_events_retried_total") - retried == 3
    # The delay grows (base, then doubled: the per-message TTL of the retry queue) and is really waited.
    failures = [line for line in service.log_lines() if line.get("eventId") == event["eventId"]
                and line.get("msg") == "storing a notification failed, retrying later"]
    assert [(line["attempt"], line["retryInMs"]) for line in failures] == [(1, 150), (2, 300), (3, 600)], failures
    moments = [parse_rfc3339(line["ts"]) for line in failures]
    for (earlier, later), line in zip(zip(moments, moments[1:]), failures):
        waited_ms = (later - earlier).total_seconds() * 1000
        assert waited_ms >= line["retryInMs"] - 5, f"attempt {line['attempt'] + 1} came {waited_ms:.0f} ms later"
    assert metric(service, "notifications_consumer_pauses_total") == 0
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
