"""Issue 16, live updates: GET /notifications/stream (Server-Sent Events) on notifications-service."""
from __future__ import annotations

import time
import uuid
from pathlib import Path

import pytest

import jwt_forge as forge
from harness import wait_for
from lifecycle_api import make_staff
from notifications_api import metric, order_created, status_changed
from sse_client import SseStream
from users_api import bearer, login, register

TIMEOUT = 20
STREAM = "/notifications/stream"


def _open(service, token: str | None, **headers: str) -> SseStream:
    if token is not None:
        headers = {**bearer(token), **headers}
    return SseStream(service.url + STREAM, headers)


def _customer(users) -> dict:
    user = register(users)
    return {**user, "token": login(users, user["email"], user["password"])}


def _order_ids(stream: SseStream, kind: str) -> list[tuple[str, str]]:
    return [(e.json()["orderId"], e.json()["state"]) for e in stream.of(kind)]


def _stream_rows(notifications_db) -> int:
    return notifications_db.query("SELECT count(*) FROM stream_events")[0][0]


@pytest.mark.parametrize("authorization", [None, "Bearer not-a-token", "Basic abc"])
def test_a_stream_needs_a_valid_token(start_notifications, notifications_db, authorization):
    service = start_notifications()
    rows = _stream_rows(notifications_db)
    headers = {"Authorization": authorization} if authorization else {}
    response = service.get(STREAM, headers={"Accept": "text/event-stream", **headers}, timeout=5)
    assert response.status_code == 401, response.text
    assert response.headers["Content-Type"].startswith("application/problem+json")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["status"] == 401
    assert metric(service, "notifications_streams_open") == 0
    assert _stream_rows(notifications_db) == rows


@pytest.mark.parametrize("last_event_id", ["abc", "-1", "1.5", "99999999999999999999999"])
def test_a_malformed_last_event_id_is_a_400(start_notifications, users, last_event_id):
    service = start_notifications()
    customer = _customer(users)
    response = service.get(STREAM, headers={**bearer(customer["token"]), "Last-Event-ID": last_event_id}, timeout=5)
    assert response.status_code == 400, response.text
    assert response.json()["code"] == "INVALID_LAST_EVENT_ID"
    assert metric(service, "notifications_streams_open") == 0


def test_customers_get_their_own_notifications_and_staff_every_move(start_notifications, event_bus, users,
                                                                    admin_token):
    # A client that left is noticed at the next write: a short heartbeat makes that quick.
    service = start_notifications({"SSE_HEARTBEAT_MS": "500"})
    ana, bob = _customer(users), _customer(users)
    cook = make_staff(users, admin_token)
    streams = {name: _open(service, who["token"]) for name, who in (("ana", ana), ("bob", bob), ("cook", cook))}
    try:
        for stream in streams.values():
            stream.ready()
            assert stream.response.headers["Content-Type"].startswith("text/event-stream")
            assert stream.response.headers["Cache-Control"].startswith("no-cache")
        anas = event_bus.publish(order_created(userId=ana["id"]))["data"]["orderId"]
        bobs = event_bus.publish(order_created(userId=bob["id"]))["data"]["orderId"]
        event_bus.publish(status_changed(anas, ana["id"], 2, "ACCEPTED"))
        # One at a time: two consumers may store them in either order, and a move that arrives after a newer
        # one is stale (no status event), by design.
        streams["cook"].wait_until(lambda s: ("ACCEPTED" in [e.json()["state"] for e in s.of("status")]), TIMEOUT,
                                   "ACCEPTED for staff")
        event_bus.publish(status_changed(anas, ana["id"], 3, "PREPARING", "ACCEPTED"))
        streams["cook"].wait_until(lambda s: len(s.of("status")) >= 4, TIMEOUT, "staff sees 4 moves")
        streams["ana"].wait_until(lambda s: len(s.of("notification")) >= 2 and len(s.of("status")) >= 3, TIMEOUT,
                                  "ana's 2 notifications and 3 moves")
        streams["bob"].wait_until(lambda s: len(s.of("notification")) >= 1 and s.of("status"), TIMEOUT,
                                  "bob's notification")
        # PREPARING is the kitchen's business: no notification, but staff see it.
        assert _order_ids(streams["ana"], "notification") == [(anas, "CREATED"), (anas, "ACCEPTED")]
        assert _order_ids(streams["bob"], "notification") == [(bobs, "CREATED")]
        assert sorted(_order_ids(streams["cook"], "status")) == sorted(
            [(anas, "CREATED"), (bobs, "CREATED"), (anas, "ACCEPTED"), (anas, "PREPARING")])
        # A customer also follows their own orders' moves (the order page's timeline), nobody else's.
        assert _order_ids(streams["ana"], "status") == [(anas, "CREATED"), (anas, "ACCEPTED"), (anas, "PREPARING")]
        assert _order_ids(streams["bob"], "status") == [(bobs, "CREATED")]
        assert not streams["cook"].of("notification")
        note = streams["ana"].of("notification")[1]
        assert set(note.json()) == {"id", "orderId", "orderRef", "message", "createdAt", "state", "sequence",
                                    "reason", "occurredAt"}
        ids = [int(e.id) for e in streams["cook"].events]
        assert ids == sorted(ids) and len(set(ids)) == len(ids), "ids increase"
        assert metric(service, "notifications_streams_open") == 3
    finally:
        for stream in streams.values():
            stream.close()
    wait_for(lambda: metric(service, "notifications_streams_open") == 0, timeout=10,
             message="closed streams are dropped")


def test_resuming_with_last_event_id_loses_nothing(start_notifications, event_bus, users):
    service = start_notifications()
    ana = _customer(users)
    first = _open(service, ana["token"])
    orders = [str(uuid.uuid4()) for _ in range(4)]
    try:
        first.ready()
        for order_id in orders[:2]:
            event_bus.publish(order_created(userId=ana["id"], orderId=order_id))
        first.wait_until(lambda s: len(s.of("notification")) == 2 and len(s.of("status")) == 2, TIMEOUT,
                         "the first two orders")
        last_seen = first.events[-1].id  # what a client sends: the id of the last event it received
    finally:
        first.close()
    # Missed while away, stored by the consumer in the meantime.
    for order_id in orders[2:]:
        event_bus.publish(order_created(userId=ana["id"], orderId=order_id))
    wait_for(lambda: len(service.get("/notifications", headers=bearer(ana["token"])).json()["items"]) == 4,
             timeout=TIMEOUT, message="4 notifications stored")
    second = _open(service, ana["token"], **{"Last-Event-ID": last_seen})
    try:
        second.ready()
        later = event_bus.publish(order_created(userId=ana["id"]))["data"]["orderId"]
        second.wait_until(lambda s: len(s.of("notification")) == 3 and len(s.of("status")) == 3, TIMEOUT,
                          "2 replayed + 1 live")
        got = [e.json()["orderId"] for e in second.of("notification")]
        # The consumers store two events in whichever order they finish; the stream keeps the store's order.
        assert sorted(got[:2]) == sorted(orders[2:]) and got[2] == later, got
        assert int(second.of("notification")[0].id) > int(last_seen)
        # The replay (a notification and the customer's own "order created" move each) comes before the
        # ready event, whose id is where the stream went live.
        kinds = [e.event for e in second.events]
        assert kinds.index("ready") == 4 and kinds[:4].count("notification") == 2, kinds
        real = [e.id for e in second.events if e.event != "ready"]
        assert len(set(real)) == len(real), "no event twice"
    finally:
        second.close()


def test_two_replicas_each_deliver_to_their_own_clients(start_notifications, event_bus, users, admin_token):
    first, second = start_notifications(), start_notifications()
    ana, bob = _customer(users), _customer(users)
    cook = make_staff(users, admin_token)
    on_first, on_second = _open(first, ana["token"]), _open(second, bob["token"])
    cook_on_first, cook_on_second = _open(first, cook["token"]), _open(second, cook["token"])
    streams = [on_first, on_second, cook_on_first, cook_on_second]
    try:
        for stream in streams:
            stream.ready()
        for replica in (first, second):
            wait_for(lambda: metric(replica, "notifications_live_subscription_connected") == 1, timeout=TIMEOUT,
                     message=f"{replica.name} subscribed")
        anas = [event_bus.publish(order_created(userId=ana["id"]))["data"]["orderId"] for _ in range(3)]
        bobs = [event_bus.publish(order_created(userId=bob["id"]))["data"]["orderId"] for _ in range(3)]
        # Each event is stored by whichever replica's consumer took it; both replicas push it.
        on_first.wait_until(lambda s: len(s.of("notification")) == 3, TIMEOUT, "ana's 3 on the first")
        on_second.wait_until(lambda s: len(s.of("notification")) == 3, TIMEOUT, "bob's 3 on the second")
        for cook_stream in (cook_on_first, cook_on_second):
            cook_stream.wait_until(lambda s: len(s.of("status")) == 6, TIMEOUT, "6 new orders for staff")
            assert sorted(o for o, _ in _order_ids(cook_stream, "status")) == sorted(anas + bobs)
        assert sorted(o for o, _ in _order_ids(on_first, "notification")) == sorted(anas)
        assert sorted(o for o, _ in _order_ids(on_second, "notification")) == sorted(bobs)
        assert [e.id for e in cook_on_first.of("status")] == [e.id for e in cook_on_second.of("status")]
    finally:
        for stream in streams:
            stream.close()


def test_the_stream_ends_when_the_token_expires_with_heartbeats_until_then(start_notifications, users):
    service = start_notifications({"SSE_HEARTBEAT_MS": "300"})
    ana = _customer(users)
    key = forge.load_private_key(Path(users.env["JWT_PRIVATE_KEY_FILE"]))
    kid = users.get("/.well-known/jwks.json").json()["keys"][0]["kid"]
    token = forge.sign(forge.claims_for(ana, issuer="users-service", audience="food-ordering", ttl=3), key, kid)
    stream = _open(service, token)
    try:
        stream.ready()
        stream.wait_until(lambda s: s.ended, timeout=15, message="the stream ends")
        assert stream.error is None, stream.error
        assert stream.of("expired"), [e.event for e in stream.events]
        assert "heartbeat" in stream.comments
        # Once past the verifier's clock-skew leeway (5 s), the same token gets a 401 before any stream starts.
        wait_for(lambda: service.get(STREAM, headers=bearer(token), timeout=5).status_code == 401, timeout=15,
                 message="the expired token refused")
    finally:
        stream.close()


def test_sigterm_ends_open_streams_and_exits_0(start_notifications, users):
    service = start_notifications()
    ana = _customer(users)
    streams = [_open(service, ana["token"]) for _ in range(3)]
    try:
        for stream in streams:
            stream.ready()
        started = time.monotonic()
        service.stop(timeout=15)  # asserts exit 0 and a clean sanitizer log
        assert time.monotonic() - started < 5, "open streams must not hold the drain to its timeout"
        for stream in streams:
            stream.wait_until(lambda s: s.ended, timeout=5, message="the stream ends at SIGTERM")
    finally:
        for stream in streams:
            stream.close()
