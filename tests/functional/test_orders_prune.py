"""orders-service prunes outbox rows sent more than OUTBOX_RETENTION_S ago and idempotency keys older than
IDEMPOTENCY_KEY_RETENTION_S, every PRUNE_INTERVAL_S: never an unsent row, never an order or its items.

Each test runs its own orders-service on a schema of its own (as in test_orders_resilience.py), so that the
rows and counters it checks are exactly its own."""
from __future__ import annotations

import uuid

import pytest

import harness
from harness import wait_for
from http_checks import parse_prometheus
from orders_api import OrdersDb, amqp_url, bearer, place, place_ok

FAST = {"OUTBOX_RETENTION_S": "1", "IDEMPOTENCY_KEY_RETENTION_S": "1", "PRUNE_INTERVAL_S": "1"}


@pytest.fixture
def own_schema(orders_db):
    """An orders schema of the test's own (same database, `search_path` set in the URL). Yields
    (DATABASE_URL, OrdersDb)."""
    schema = f"test_{uuid.uuid4().hex[:12]}"
    orders_db.execute(f"CREATE SCHEMA {schema}")
    url = f"{harness.database_url('orders')}?options=-c%20search_path%3D{schema}"
    yield url, OrdersDb(url)
    orders_db.execute(f"DROP SCHEMA {schema} CASCADE")


def _metric(service, name: str, **labels: str) -> float:
    return sum(s.value for s in parse_prometheus(service.get("/metrics").text)
               if s.name == name and all(s.labels.get(k) == v for k, v in labels.items()))


def _pruned(service, table: str) -> float:
    return _metric(service, "orders_pruned_rows_total", table=table)


def _wait_runs(service, count: int = 2, timeout: float = 15) -> None:
    """Waits until `count` more pruning runs have finished without error."""
    def ok_runs() -> float:
        return _metric(service, "orders_prune_runs_total", result="ok")
    target = ok_runs() + count
    wait_for(lambda: ok_runs() >= target, timeout, interval=0.2, message=f"{count} more pruning runs")


def _count(db: OrdersDb, table: str, where: str = "TRUE", *params) -> int:
    return db.query(f"SELECT count(*) FROM {table} WHERE {where}", *params)[0][0]


def _prune_lines(service) -> list[dict]:
    return [line for line in service.log_lines() if line.get("msg") == "pruned expired rows"]


def _insert_outbox_row(db: OrdersDb, *, created_ago: str, sent_ago: str | None) -> str:
    """An outbox row of no order, created (and sent, unless None) the given interval ago; returns its id."""
    event_id = str(uuid.uuid4())
    db.execute("INSERT INTO outbox (id, aggregate_id, event_type, routing_key, payload, correlation_id, "
               "created_at, sent_at) VALUES (%s, %s, 'OrderCreated', 'order.created', '{}', 'prune-test', "
               "now() - %s::interval, now() - %s::interval)",
               event_id, str(uuid.uuid4()), created_ago, sent_ago)
    return event_id


def test_sent_rows_and_expired_keys_are_pruned_in_batches_and_orders_stay(start_orders, customer, event_queue,
                                                                           own_schema):
    url, db = own_schema
    service = start_orders({"DATABASE_URL": url, **FAST, "PRUNE_BATCH_SIZE": "2"})
    keys = [f"prune-{uuid.uuid4()}" for _ in range(5)]
    placed = [place_ok(service, customer["token"], key=key) for key in keys]
    ids = [order["id"] for order in placed]
    event_queue.wait_for_orders(ids)

    wait_for(lambda: _count(db, "outbox") == 0 and _count(db, "idempotency_keys") == 0, timeout=20,
             interval=0.2, message="sent outbox rows and expired keys pruned")
    assert _count(db, "orders") == 5
    assert _count(db, "order_items") == sum(len(order["items"]) for order in placed)
    for order in placed:
        response = service.get(f"/orders/{order['id']}", headers=bearer(customer["token"]))
        assert response.status_code == 200 and response.json() == order, response.text
    assert _pruned(service, "outbox") == 5
    assert _pruned(service, "idempotency_keys") == 5
    lines = _prune_lines(service)  # one line per run that deleted something, never a line per row
    assert lines and all(line["level"] == "info" for line in lines)
    assert sum(line["outbox"] for line in lines) == 5 and sum(line["idempotencyKeys"] for line in lines) == 5
    assert all(line["outbox"] + line["idempotencyKeys"] > 0 for line in lines)

    # The documented meaning of the retention: a repeat after it is a new order, not a replay.
    again = place(service, customer["token"], key=keys[0])
    assert again.status_code == 201, again.text
    assert again.json()["id"] != ids[0] and "Idempotent-Replayed" not in again.headers
    assert _count(db, "orders") == 6


def test_unsent_outbox_rows_are_never_pruned(start_orders, customer, own_schema):
    url, db = own_schema
    # No broker at this address: the relay can send nothing, so every row of an order stays unsent.
    service = start_orders({"DATABASE_URL": url, "AMQP_URL": amqp_url(harness.free_port()), **FAST})
    ids = [place_ok(service, customer["token"], key=f"prune-{uuid.uuid4()}")["id"] for _ in range(3)]
    old_unsent = _insert_outbox_row(db, created_ago="2 days", sent_ago=None)
    old_sent = _insert_outbox_row(db, created_ago="2 days", sent_ago="2 days")

    wait_for(lambda: _count(db, "outbox", "id = %s", old_sent) == 0, timeout=15, interval=0.2,
             message="the old sent row pruned")
    wait_for(lambda: _count(db, "idempotency_keys") == 0, timeout=15, interval=0.2, message="keys pruned")
    _wait_runs(service, 2)
    assert db.unsent(ids) == 3
    assert _count(db, "outbox", "id = %s AND sent_at IS NULL", old_unsent) == 1
    assert _count(db, "outbox") == 4
    assert _pruned(service, "outbox") == 1
    assert _count(db, "orders") == 3


def test_default_retentions_keep_an_hour_of_sent_rows_and_a_day_of_keys(start_orders, customer, event_queue,
                                                                         own_schema):
    url, db = own_schema
    service = start_orders({"DATABASE_URL": url, "PRUNE_INTERVAL_S": "1"})
    keys = {name: f"prune-{name}-{uuid.uuid4()}" for name in ("old", "recent", "fresh")}
    orders = {name: place_ok(service, customer["token"], key=key) for name, key in keys.items()}
    ids = {name: order["id"] for name, order in orders.items()}
    event_queue.wait_for_orders(list(ids.values()))
    wait_for(lambda: db.unsent(list(ids.values())) == 0, timeout=15, message="every outbox row marked sent")
    _wait_runs(service, 1)
    assert _pruned(service, "outbox") == 0 and _pruned(service, "idempotency_keys") == 0

    # Just past each default retention, and just within it.
    for name, sent_ago, key_ago in (("old", "61 minutes", "25 hours"), ("recent", "59 minutes", "23 hours")):
        db.execute("UPDATE outbox SET sent_at = now() - %s::interval WHERE aggregate_id = %s", sent_ago, ids[name])
        db.execute("UPDATE idempotency_keys SET created_at = now() - %s::interval WHERE order_id = %s",
                   key_ago, ids[name])

    def old_gone() -> bool:
        return (_count(db, "outbox", "aggregate_id = %s", ids["old"]) == 0
                and _count(db, "idempotency_keys", "order_id = %s", ids["old"]) == 0)
    wait_for(old_gone, timeout=15, interval=0.2, message="rows past the default retentions pruned")
    _wait_runs(service, 2)
    for name in ("recent", "fresh"):
        assert _count(db, "outbox", "aggregate_id = %s", ids[name]) == 1, name
        assert _count(db, "idempotency_keys", "order_id = %s", ids[name]) == 1, name
    assert _count(db, "orders") == 3
    assert _pruned(service, "outbox") == 1 and _pruned(service, "idempotency_keys") == 1

    replay = place(service, customer["token"], key=keys["recent"])
    assert replay.status_code == 201 and replay.json()["id"] == ids["recent"], replay.text
    assert replay.headers.get("Idempotent-Replayed") == "true"
    after = place(service, customer["token"], key=keys["old"])
    assert after.status_code == 201 and after.json()["id"] != ids["old"], after.text


@pytest.mark.parametrize("kept", ["outbox", "idempotency_keys"])
def test_a_zero_retention_keeps_that_table_forever(start_orders, customer, event_queue, own_schema, kept):
    url, db = own_schema
    pruned = "idempotency_keys" if kept == "outbox" else "outbox"
    retention = {"OUTBOX_RETENTION_S": "0" if kept == "outbox" else "1",
                 "IDEMPOTENCY_KEY_RETENTION_S": "0" if kept == "idempotency_keys" else "1"}
    service = start_orders({"DATABASE_URL": url, "PRUNE_INTERVAL_S": "1", **retention})
    order_id = place_ok(service, customer["token"], key=f"prune-{uuid.uuid4()}")["id"]
    event_queue.wait_for_orders([order_id])
    wait_for(lambda: db.unsent([order_id]) == 0, timeout=15, message="the outbox row marked sent")
    if kept == "outbox":
        db.execute("UPDATE outbox SET sent_at = now() - interval '400 days' WHERE aggregate_id = %s", order_id)
    else:
        db.execute("UPDATE idempotency_keys SET created_at = now() - interval '400 days' WHERE order_id = %s",
                   order_id)

    wait_for(lambda: _count(db, pruned) == 0, timeout=15, interval=0.2, message=f"{pruned} pruned")
    _wait_runs(service, 2)
    assert _count(db, kept) == 1
    assert _pruned(service, kept) == 0 and _pruned(service, pruned) == 1
    assert _count(db, "orders") == 1


def test_both_retentions_zero_disables_the_pruner(start_orders, own_schema):
    url, _ = own_schema
    service = start_orders({"DATABASE_URL": url, "PRUNE_INTERVAL_S": "1", "OUTBOX_RETENTION_S": "0",
                            "IDEMPOTENCY_KEY_RETENTION_S": "0"})
    wait_for(lambda: any(line.get("msg", "").startswith("pruner disabled") for line in service.log_lines()),
             timeout=10, message="the pruner says it is disabled")
    assert _metric(service, "orders_prune_runs_total") == 0


@pytest.mark.disruptive
def test_a_postgres_restart_between_runs_leaves_the_pruner_working(stack, start_orders, own_schema):
    """The pruner's connection sits idle between runs. After PostgreSQL restarts, the next run connects again
    rather than running its statement on the connection the server closed: in libpqxx 6.4 that also leaked a
    result, which the ASan build reports at exit (service.stop() asserts exit code 0 and a clean log)."""
    url, _ = own_schema
    service = start_orders({"DATABASE_URL": url, **FAST})
    _wait_runs(service, 1)
    stack.stop("postgres")
    try:
        wait_for(lambda: _metric(service, "orders_prune_runs_total", result="failed") >= 1, timeout=15,
                 interval=0.2, message="a pruning run failing while PostgreSQL is down")
    finally:
        stack.start("postgres")
    _wait_runs(service, 2, timeout=30)
    service.stop()
