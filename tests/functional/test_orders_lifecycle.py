"""Issue 16: the order's states, who may move it, optimistic concurrency, the staff's list and the
OrderStatusChanged events (one per transition, with a per-order sequence)."""
from __future__ import annotations

import itertools
import threading

import pytest

import harness
from http_checks import RFC3339_UTC_RE, assert_problem
from lifecycle_api import (ALL_STATES, FORWARD, StatusQueue, cancel, get_order, grant_role, make_staff, move,
                           move_ok)
from orders_api import bearer, place_ok


@pytest.fixture(scope="module")
def staff(users, admin_token) -> dict:
    return make_staff(users, admin_token)


@pytest.fixture(scope="module")
def status_queue(stack) -> StatusQueue:
    queue = StatusQueue()
    harness.wait_for(lambda: queue.declare() or True, timeout=30, message="RabbitMQ accepts a queue")
    yield queue
    try:
        queue.delete()
    except Exception:  # noqa: BLE001 - best effort
        pass


def _history_states(order: dict) -> list[str]:
    return [entry["state"] for entry in order["statusHistory"]]


def test_a_new_order_has_its_created_state_in_the_history(orders, customer):
    order = place_ok(orders, customer["token"])
    assert order["status"] == "CREATED" and order["version"] == 1
    [created] = order["statusHistory"]
    assert created == {"state": "CREATED", "at": order["createdAt"], "by": customer["id"],
                       "byRole": "customer", "reason": None}
    response = orders.get(f"/orders/{order['id']}", headers=bearer(customer["token"]))
    assert response.headers["ETag"] == '"1"'


def test_staff_take_an_order_to_the_door_and_each_move_is_one_event(orders, customer, staff, status_queue,
                                                                     orders_db):
    order = place_ok(orders, customer["token"])
    for step, state in enumerate(FORWARD[1:], start=2):
        response = move(orders, staff["token"], order["id"], state, order["version"])
        assert response.status_code == 200, response.text
        assert response.headers["ETag"] == f'"{step}"'
        order = response.json()
        assert order["status"] == state and order["version"] == step
        last = order["statusHistory"][-1]
        assert last["state"] == state and last["by"] == staff["id"] and last["byRole"] == "staff"
        assert RFC3339_UTC_RE.match(last["at"])
    assert _history_states(order) == FORWARD
    # The customer sees the same order and history.
    assert get_order(orders, customer["token"], order["id"]) == order

    events = status_queue.wait_for(order["id"], 4)
    assert len(events) == 4, [e.body for e in events]
    events.sort(key=lambda e: e.body["data"]["sequence"])
    for event, (before, after), sequence in zip(events, itertools.pairwise(FORWARD), range(2, 6)):
        assert event.routing_key == "order.status_changed" and event.type == "OrderStatusChanged"
        assert event.message_id == event.body["eventId"] and event.delivery_mode == 2
        data = event.body["data"]
        assert data["orderId"] == order["id"] and data["userId"] == customer["id"]
        assert (data["from"], data["to"], data["sequence"]) == (before, after, sequence)
        assert data["reason"] is None and RFC3339_UTC_RE.match(data["at"])
        assert data["by"] == {"userId": staff["id"], "role": "staff"}
    rows = [r for r in orders_db.outbox_for(order["id"]) if r["event_type"] == "OrderStatusChanged"]
    assert len(rows) == 4


@pytest.mark.parametrize("start,target", [
    (start, target) for start in ALL_STATES for target in ALL_STATES
    if not (FORWARD.index(target) == FORWARD.index(start) + 1 if start in FORWARD and target in FORWARD else False)
    and not (target == "CANCELLED" and start in ("CREATED", "ACCEPTED", "PREPARING"))
])
def test_every_other_move_is_a_conflict_naming_the_current_state(orders, customer, staff, start, target,
                                                                 orders_db):
    order = place_ok(orders, customer["token"])
    if start == "CANCELLED":
        order = move_ok(orders, staff["token"], order, "CANCELLED")
    else:
        for state in FORWARD[1:FORWARD.index(start) + 1]:
            order = move_ok(orders, staff["token"], order, state)
    before = len(orders_db.outbox_for(order["id"]))
    response = move(orders, staff["token"], order["id"], target, order["version"], reason="because")
    problem = assert_problem(response, 409, "INVALID_TRANSITION")
    assert start in problem["detail"]
    assert get_order(orders, customer["token"], order["id"]) == order
    assert len(orders_db.outbox_for(order["id"])) == before


@pytest.mark.parametrize("start", ["ACCEPTED", "PREPARING"])
def test_staff_cancel_an_accepted_order_only_with_a_reason(orders, customer, staff, start, orders_db):
    order = place_ok(orders, customer["token"])
    for state in FORWARD[1:FORWARD.index(start) + 1]:
        order = move_ok(orders, staff["token"], order, state)
    response = move(orders, staff["token"], order["id"], "CANCELLED", order["version"])
    assert_problem(response, 400, "VALIDATION_FAILED", fields=["reason"])
    assert get_order(orders, customer["token"], order["id"])["status"] == start
    cancelled = move_ok(orders, staff["token"], order, "CANCELLED", reason="  Out of dough  ")
    assert cancelled["status"] == "CANCELLED"
    assert cancelled["statusHistory"][-1]["reason"] == "Out of dough"
    # The customer can no longer cancel it (it is cancelled already).
    assert_problem(cancel(orders, customer["token"], order["id"]), 409, "INVALID_TRANSITION")


def test_the_owner_cancels_a_created_order_and_nobody_else_can(orders, users, customer, status_queue, orders_db):
    order = place_ok(orders, customer["token"])
    from users_api import login, register
    other = register(users)
    other_token = login(users, other["email"], other["password"])
    assert_problem(cancel(orders, other_token, order["id"]), 404, "NOT_FOUND")
    assert_problem(cancel(orders, customer["token"], order["id"], {"reason": 5}), 400, "VALIDATION_FAILED",
                   fields=["reason"])
    assert get_order(orders, customer["token"], order["id"])["status"] == "CREATED"
    assert len(orders_db.outbox_for(order["id"])) == 1  # only OrderCreated

    response = cancel(orders, customer["token"], order["id"], {"reason": "Ordered twice"})
    assert response.status_code == 200, response.text
    cancelled = response.json()
    assert cancelled["status"] == "CANCELLED" and cancelled["version"] == 2
    assert cancelled["statusHistory"][-1] == {"state": "CANCELLED", "at": cancelled["statusHistory"][-1]["at"],
                                              "by": customer["id"], "byRole": "customer",
                                              "reason": "Ordered twice"}
    [event] = status_queue.wait_for(order["id"], 1)
    assert (event.body["data"]["from"], event.body["data"]["to"]) == ("CREATED", "CANCELLED")
    assert event.body["data"]["reason"] == "Ordered twice"
    assert_problem(cancel(orders, customer["token"], order["id"]), 409, "INVALID_TRANSITION")


def test_the_owner_cannot_cancel_once_the_kitchen_accepted(orders, customer, staff):
    order = move_ok(orders, staff["token"], place_ok(orders, customer["token"]), "ACCEPTED")
    problem = assert_problem(cancel(orders, customer["token"], order["id"]), 409, "INVALID_TRANSITION")
    assert "ACCEPTED" in problem["detail"]
    assert get_order(orders, customer["token"], order["id"]) == order


def test_customers_cannot_move_orders(orders, customer, orders_db):
    order = place_ok(orders, customer["token"])
    assert_problem(move(orders, customer["token"], order["id"], "ACCEPTED", 1), 403, "FORBIDDEN")
    assert_problem(move(orders, "not-a-token", order["id"], "ACCEPTED", 1), 401, "UNAUTHORIZED")
    assert get_order(orders, customer["token"], order["id"])["version"] == 1
    assert len(orders_db.outbox_for(order["id"])) == 1


def test_a_move_needs_a_valid_body_and_if_match(orders, customer, staff):
    order = place_ok(orders, customer["token"])
    assert_problem(move(orders, staff["token"], order["id"], "ACCEPTED", None), 400, "PRECONDITION_REQUIRED",
                   fields=["If-Match"])
    assert_problem(move(orders, staff["token"], order["id"], "ACCEPTED", "abc"), 400, "PRECONDITION_REQUIRED",
                   fields=["If-Match"])
    assert_problem(move(orders, staff["token"], order["id"], "COOKING", 1), 400, "VALIDATION_FAILED",
                   fields=["status"])
    assert_problem(move(orders, staff["token"], "00000000-0000-4000-8000-000000000000", "ACCEPTED", 1), 404,
                   "NOT_FOUND")
    # A stale version: 409, nothing changes.
    assert_problem(move(orders, staff["token"], order["id"], "ACCEPTED", 7), 409, "VERSION_CONFLICT")
    assert get_order(orders, customer["token"], order["id"])["version"] == 1
    # The ETag works as If-Match too.
    etag = orders.get(f"/orders/{order['id']}", headers=bearer(staff["token"])).headers["ETag"]
    assert move(orders, staff["token"], order["id"], "ACCEPTED", etag).status_code == 200


def test_two_staff_moving_the_same_order_at_once_exactly_one_wins(orders, users, admin_token, customer, staff,
                                                                  status_queue):
    other_staff = make_staff(users, admin_token)
    for _ in range(5):
        order = place_ok(orders, customer["token"])
        barrier = threading.Barrier(2)
        results: list = [None, None]

        def run(index: int, token: str, target: str) -> None:
            barrier.wait(timeout=10)
            results[index] = move(orders, token, order["id"], target, 1,
                                  reason="kitchen closed" if target == "CANCELLED" else None)

        threads = [threading.Thread(target=run, args=(0, staff["token"], "ACCEPTED")),
                   threading.Thread(target=run, args=(1, other_staff["token"], "CANCELLED"))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=20)
        codes = sorted(r.status_code for r in results)
        assert codes == [200, 409], [r.text for r in results]
        loser = next(r for r in results if r.status_code == 409)
        assert loser.json()["code"] == "VERSION_CONFLICT"
        winner = next(r for r in results if r.status_code == 200).json()
        assert get_order(orders, customer["token"], order["id"]) == winner
        assert winner["version"] == 2 and len(winner["statusHistory"]) == 2
        [event] = status_queue.wait_for(order["id"], 1)
        assert event.body["data"]["to"] == winner["status"]


def test_staff_list_everyones_orders_by_state_newest_first_with_a_cursor(orders, users, customer, staff):
    from users_api import login, register
    other = register(users)
    other_token = login(users, other["email"], other["password"])
    mine = [place_ok(orders, customer["token"])["id"], place_ok(orders, other_token)["id"],
            place_ok(orders, customer["token"])["id"]]
    seen: list[str] = []
    cursor = None
    for _ in range(200):  # bounded: pages of 2 through every CREATED order
        query = {"status": "CREATED", "limit": "2"}
        if cursor:
            query["cursor"] = cursor
        response = orders.get("/orders", params=query, headers=bearer(staff["token"]))
        assert response.status_code == 200, response.text
        page = response.json()
        assert len(page["items"]) <= 2
        assert all(o["status"] == "CREATED" for o in page["items"])
        seen += [o["id"] for o in page["items"]]
        assert set(page) <= {"items", "nextCursor"}
        cursor = page.get("nextCursor")
        if cursor is None or set(mine) <= set(seen):
            break
    assert [i for i in seen if i in mine] == list(reversed(mine))
    assert len(seen) == len(set(seen))
    # Several states at once.
    both = orders.get("/orders", params={"status": "CREATED,ACCEPTED", "limit": "100"},
                      headers=bearer(staff["token"])).json()["items"]
    assert {o["status"] for o in both} <= {"CREATED", "ACCEPTED"}


def test_customers_keep_seeing_only_their_own_orders(orders, users, customer, staff):
    from users_api import login, register
    other = register(users)
    other_token = login(users, other["email"], other["password"])
    theirs = place_ok(orders, other_token)
    response = orders.get("/orders", params={"status": "CREATED"}, headers=bearer(customer["token"]))
    assert response.status_code == 200
    assert theirs["id"] not in [o["id"] for o in response.json()["items"]]
    assert all(o["userId"] == customer["id"] for o in response.json()["items"])
    assert_problem(orders.get(f"/orders/{theirs['id']}", headers=bearer(customer["token"])), 404, "NOT_FOUND")
    # Staff may open any order.
    assert get_order(orders, staff["token"], theirs["id"])["id"] == theirs["id"]


def test_bad_list_parameters_are_400(orders, staff):
    for query, field in (({"status": "COOKING"}, "status"), ({"cursor": "abc"}, "cursor"),
                         ({"limit": "0"}, "limit"), ({"limit": "101"}, "limit")):
        assert_problem(orders.get("/orders", params=query, headers=bearer(staff["token"])), 400,
                       "VALIDATION_FAILED", fields=[field])


def test_only_an_admin_grants_the_staff_role(users, admin_token, customer):
    from users_api import register
    target = register(users)
    assert_problem(grant_role(users, customer["token"], target["id"]), 403, "FORBIDDEN")
    assert_problem(grant_role(users, admin_token, target["id"], "admin"), 400, "VALIDATION_FAILED", fields=["role"])
    assert_problem(grant_role(users, admin_token, "00000000-0000-4000-8000-000000000000"), 404, "NOT_FOUND")
    profile = users.get("/profile", headers=bearer(admin_token)).json()
    assert_problem(grant_role(users, admin_token, profile["id"], "customer"), 409, "ADMIN_ROLE_FIXED")
    assert users.get("/profile", headers=bearer(admin_token)).json()["role"] == "admin"
    from users_api import login
    token = login(users, target["email"], target["password"])
    assert users.get("/profile", headers=bearer(token)).json()["role"] == "customer"
    assert grant_role(users, admin_token, target["id"]).json()["role"] == "staff"
    assert users.get("/profile", headers=bearer(token)).json()["role"] == "staff"
    assert grant_role(users, admin_token, target["id"], "customer").json()["role"] == "customer"


def test_the_admin_is_staff(orders, customer, admin_token):
    order = place_ok(orders, customer["token"])
    moved = move_ok(orders, admin_token, order, "ACCEPTED")
    assert moved["statusHistory"][-1]["byRole"] == "admin"
