"""Issue 16: notifications-service and OrderStatusChanged: a notification for each customer-facing state, in
order per order (a late or replayed event changes nothing), poison to the same DLQ, structured fields."""
from __future__ import annotations

import uuid

import pytest

from harness import wait_for
from lifecycle_api import make_staff, move_ok
from notifications_api import NOTIFICATION_FIELDS, dead_letters, metric, order_created, status_changed
from orders_api import place_ok
from users_api import bearer, login, register

TIMEOUT = 20


def _states(db, order_id: str) -> list[tuple]:
    return db.query("SELECT state, sequence, reason FROM notifications WHERE order_id = %s::uuid ORDER BY sequence",
                    order_id)


def _known(db, order_id: str):
    rows = db.query("SELECT state, sequence FROM order_states WHERE order_id = %s::uuid", order_id)
    return rows[0] if rows else None


def test_customer_facing_states_make_notifications_in_order(start_notifications, event_bus, notifications_db, users):
    service = start_notifications()
    customer = register(users)
    token = login(users, customer["email"], customer["password"])
    created = event_bus.publish(order_created(userId=customer["id"]))
    order_id = created["data"]["orderId"]
    steps = [("ACCEPTED", None), ("PREPARING", None), ("OUT_FOR_DELIVERY", None), ("DELIVERED", None)]
    previous = "CREATED"
    for sequence, (state, reason) in enumerate(steps, start=2):
        event_bus.publish(status_changed(order_id, customer["id"], sequence, state, previous, reason))
        previous = state
    wait_for(lambda: _known(notifications_db, order_id) == ("DELIVERED", 5), timeout=TIMEOUT,
             message="the order's state reaches DELIVERED")
    wait_for(lambda: len(_states(notifications_db, order_id)) == 4, timeout=TIMEOUT, message="4 notifications")
    # PREPARING is the kitchen's business: no notification for it.
    assert _states(notifications_db, order_id) == [("CREATED", 1, None), ("ACCEPTED", 2, None),
                                                   ("OUT_FOR_DELIVERY", 4, None), ("DELIVERED", 5, None)]
    items = service.get("/notifications", headers=bearer(token)).json()["items"]
    mine = [i for i in items if i["orderId"] == order_id]
    assert all(set(i) == NOTIFICATION_FIELDS for i in mine)
    delivered = next(i for i in mine if i["state"] == "DELIVERED")
    assert delivered["orderRef"] == order_id[:8].upper() and delivered["sequence"] == 5
    assert delivered["message"] == f"📦 Pedido {order_id[:8].upper()} entregado"
    assert any(f"📦 Pedido {order_id[:8].upper()} en reparto" in line.get("msg", "") for line in service.log_lines())


def test_a_late_event_never_moves_the_state_back_and_a_replay_changes_nothing(start_notifications, event_bus,
                                                                            notifications_db):
    service = start_notifications()
    order_id, user_id = str(uuid.uuid4()), str(uuid.uuid4())
    accepted = status_changed(order_id, user_id, 2, "ACCEPTED")
    preparing = status_changed(order_id, user_id, 3, "PREPARING", "ACCEPTED")
    cancelled = status_changed(order_id, user_id, 4, "CANCELLED", "PREPARING", reason="Out of dough")
    event_bus.publish(cancelled)
    wait_for(lambda: _known(notifications_db, order_id) == ("CANCELLED", 4), timeout=TIMEOUT,
             message="CANCELLED known")
    stale_before = metric(service, "notifications_events_stale_total")
    # Late: ACCEPTED is noted (it happened; the timeline orders by sequence) but the state stays CANCELLED.
    event_bus.publish(accepted)
    wait_for(lambda: notifications_db.stored([accepted["eventId"]]) == 1, timeout=TIMEOUT, message="late ACCEPTED")
    assert _known(notifications_db, order_id) == ("CANCELLED", 4)
    # A late PREPARING, and replays of both notified events (same eventId): nothing changes.
    event_bus.publish(preparing)
    event_bus.publish(accepted)
    event_bus.publish(cancelled)
    marker = status_changed(str(uuid.uuid4()), user_id, 2, "ACCEPTED")  # published last, on another order
    event_bus.publish(marker)
    wait_for(lambda: notifications_db.stored([marker["eventId"]]) == 1, timeout=TIMEOUT, message="marker stored")
    wait_for(lambda: metric(service, "notifications_events_stale_total") >= stale_before + 1, timeout=5,
             message="the late PREPARING counted as stale")
    assert _known(notifications_db, order_id) == ("CANCELLED", 4)
    assert _states(notifications_db, order_id) == [("ACCEPTED", 2, None), ("CANCELLED", 4, "Out of dough")]
    assert notifications_db.counts([accepted["eventId"], cancelled["eventId"]]) == {
        accepted["eventId"]: 1, cancelled["eventId"]: 1}


def test_a_malformed_status_event_goes_to_the_dead_letter_queue(start_notifications, event_bus, notifications_db):
    service = start_notifications()
    event_bus.settle()
    bad = status_changed(str(uuid.uuid4()), str(uuid.uuid4()), 2, "COOKING")
    event_bus.publish(bad)
    seen: dict = {}

    def found():
        seen.update(dead_letters(event_bus))
        return seen.get(bad["eventId"])

    letters = wait_for(found, timeout=TIMEOUT, message="the poison status event in the DLQ")
    properties, _ = letters
    assert properties.headers["x-error-code"] == "INVALID_EVENT"
    assert "data.to" in properties.headers["x-error-reason"]
    assert notifications_db.stored([bad["eventId"]]) == 0
    assert metric(service, "notifications_events_dead_lettered_total") >= 1


def test_staff_moves_reach_the_customer_as_notifications(start_notifications, orders, users, admin_token,
                                                        customer, notifications_db):
    service = start_notifications()
    staff = make_staff(users, admin_token)
    order = place_ok(orders, customer["token"])
    for state in ("ACCEPTED", "PREPARING", "OUT_FOR_DELIVERY", "DELIVERED"):
        order = move_ok(orders, staff["token"], order, state)

    def states() -> list[str]:
        items = service.get("/notifications", headers=bearer(customer["token"])).json()["items"]
        return sorted((i["sequence"], i["state"]) for i in items if i["orderId"] == order["id"])

    wait_for(lambda: states() == [(1, "CREATED"), (2, "ACCEPTED"), (4, "OUT_FOR_DELIVERY"), (5, "DELIVERED")],
             timeout=30, message="the customer's four notifications")
