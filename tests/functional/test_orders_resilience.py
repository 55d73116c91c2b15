"""orders-service when a dependency fails: users- or products-service down or slow, RabbitMQ down, and the
service itself killed while its outbox has a backlog."""
from __future__ import annotations

import contextlib
import socket
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

import harness
from database import superuser
from harness import wait_for
from http_checks import assert_problem, assert_retry_after, parse_prometheus
from orders_api import OrdersDb, amqp_url, place, place_ok


def _assert_503(response) -> None:
    assert_problem(response, 503, "DEPENDENCY_UNAVAILABLE")
    assert_retry_after(response)


def _metric(service, name: str, **labels: str) -> float:
    return sum(s.value for s in parse_prometheus(service.get("/metrics").text)
               if s.name == name and all(s.labels.get(k) == v for k, v in labels.items()))


class _Blackhole:
    """A TCP server that accepts connections and never answers: a dependency slower than any timeout."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.held: list[socket.socket] = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.held.append(conn)

    def close(self) -> None:
        self.sock.close()
        for conn in self.held:
            conn.close()


def test_users_service_stopped_is_503_and_nothing_is_stored(start_users, start_orders, orders_db):
    from users_api import login, register
    users = start_users()
    user = register(users)
    token = login(users, user["email"], user["password"])
    service = start_orders({"USERS_URL": users.url, "JWKS_URL": f"{users.url}/.well-known/jwks.json"})
    place_ok(service, token)  # the JWK set is cached now; tokens still verify locally
    users.stop()
    for _ in range(3):
        _assert_503(place(service, token))
    assert orders_db.orders_of(user["id"]) == 1


def test_open_breaker_fails_fast(start_users, start_orders, orders_db):
    from users_api import login, register
    users = start_users()
    user = register(users)
    token = login(users, user["email"], user["password"])
    service = start_orders({"USERS_URL": users.url, "JWKS_URL": f"{users.url}/.well-known/jwks.json",
                            "BREAKER_FAILURES": "3", "BREAKER_OPEN_MS": "60000"})
    place_ok(service, token)
    assert _metric(service, "orders_circuit_breakers_open") == 0
    users.stop()
    for _ in range(3):
        _assert_503(place(service, token))
    # The gauge behind the CircuitBreakerOpen alert: the failing dependency's breaker only.
    assert _metric(service, "orders_circuit_breakers_open") == 1
    started = time.monotonic()
    _assert_503(place(service, token))
    assert time.monotonic() - started < 0.5
    assert _metric(service, "orders_dependency_calls_total", dependency="users-service", outcome="rejected") >= 1
    assert orders_db.orders_of(user["id"]) == 1


def test_slow_users_service_times_out_with_503(users, customer, start_orders, orders_db):
    hole = _Blackhole()
    try:
        service = start_orders({"USERS_URL": hole.url, "HTTP_TIMEOUT_MS": "400"})
        started = time.monotonic()
        _assert_503(place(service, customer["token"]))
        assert time.monotonic() - started < 3, "the call deadline was not applied"
    finally:
        hole.close()
    assert orders_db.orders_of(customer["id"]) == 0


def test_users_service_refusing_the_token_is_401(users, users_db, customer, orders, orders_db):
    users_db.delete(customer["id"])  # the token is still valid, but users-service no longer knows the user
    response = place(orders, customer["token"])
    assert_problem(response, 401, "UNAUTHORIZED")
    assert orders_db.orders_of(customer["id"]) == 0


def test_products_service_stopped_is_503_and_nothing_is_stored(start_products, start_orders, customer, orders_db):
    products = start_products()
    service = start_orders({"PRODUCTS_URL": products.url})
    place_ok(service, customer["token"])
    products.stop()
    _assert_503(place(service, customer["token"]))
    _assert_503(place(service, customer["token"], key="after-products-died"))
    assert orders_db.orders_of(customer["id"]) == 1


@pytest.fixture
def own_schema(orders_db):
    """An orders schema of the test's own (same database, `search_path` set in the URL): no other relay
    (the shared orders-service's) can publish its outbox rows. Yields (DATABASE_URL, OrdersDb)."""
    schema = f"test_{uuid.uuid4().hex[:12]}"
    orders_db.execute(f"CREATE SCHEMA {schema}")
    url = f"{harness.database_url('orders')}?options=-c%20search_path%3D{schema}"
    yield url, OrdersDb(url)
    orders_db.execute(f"DROP SCHEMA {schema} CASCADE")


def test_killed_with_a_backlog_publishes_every_event_after_restart(start_orders, customer, event_queue,
                                                                  own_schema):
    url, db = own_schema
    # The first instance cannot reach any broker, so its outbox only grows; then it is SIGKILLed.
    first = start_orders({"DATABASE_URL": url, "AMQP_URL": amqp_url(harness.free_port())})
    ids = [place_ok(first, customer["token"])["id"] for _ in range(15)]
    assert db.unsent(ids) == 15
    wait_for(lambda: _metric(first, "orders_outbox_backlog") >= 15, timeout=10, message="backlog gauge")
    assert not event_queue.drain() or not event_queue.for_orders(ids)
    first.kill()
    second = start_orders({"DATABASE_URL": url})
    events = event_queue.wait_for_orders(ids, timeout=30)
    assert len({e.body["eventId"] for e in events}) == 15
    assert {e.body["data"]["orderId"] for e in events} == set(ids)
    wait_for(lambda: db.unsent(ids) == 0, timeout=10, message="every outbox row marked sent")
    assert second.get("/ready").status_code == 200


def test_killed_while_publishing_loses_nothing(start_orders, customer, event_queue, own_schema):
    url, db = own_schema
    service = start_orders({"DATABASE_URL": url, "OUTBOX_BATCH_SIZE": "5"})
    ids = [place_ok(service, customer["token"])["id"] for _ in range(30)]
    service.kill()  # whatever the relay was doing
    start_orders({"DATABASE_URL": url})
    events = event_queue.wait_for_orders(ids, timeout=30)
    assert {e.body["data"]["orderId"] for e in events} == set(ids)  # at least once: duplicates allowed
    wait_for(lambda: db.unsent(ids) == 0, timeout=10, message="every outbox row marked sent")


@pytest.mark.disruptive
def test_rabbitmq_stopped_orders_still_accepted_and_published_when_back(stack, orders, customer, event_queue,
                                                                        orders_db):
    stack.stop("rabbitmq")
    try:
        ids = [place_ok(orders, customer["token"])["id"] for _ in range(5)]
        assert orders_db.unsent(ids) == 5
        wait_for(lambda: _metric(orders, "orders_rabbitmq_connected") == 0, timeout=10,
                 message="relay notices the broker is gone")
        ready = orders.get("/ready")  # RabbitMQ is reported, but it does not make the service unready
        assert ready.status_code == 200 and ready.json()["checks"]["rabbitmq"] == "down", ready.text
    finally:
        stack.start("rabbitmq")
    events = event_queue.wait_for_orders(ids, timeout=60)
    assert len({e.body["eventId"] for e in events}) == 5
    wait_for(lambda: orders_db.unsent(ids) == 0, timeout=15, message="every outbox row marked sent")
    assert place(orders, customer["token"]).status_code == 201


@pytest.mark.disruptive
def test_postgres_restarted_the_first_orders_after_it_are_created_once(stack, orders, customer, orders_db):
    """An order is one statement that commits by itself, so a connection that breaks while it runs leaves the
    outcome unknown (503, never a blind retry without a key). The pooled connections PostgreSQL closed while
    they sat idle must therefore be weeded out when taken: the first orders after a restart succeed, with and
    without an Idempotency-Key, and each is stored once with its one event."""
    before = [place_ok(orders, customer["token"])["id"] for _ in range(3)]  # the pool holds open connections
    stack.stop("postgres")
    stack.start("postgres")
    without_key = place(orders, customer["token"])
    assert without_key.status_code == 201, without_key.text
    key = str(uuid.uuid4())
    with_key = place(orders, customer["token"], key=key)
    assert with_key.status_code == 201, with_key.text
    assert place(orders, customer["token"], key=key).json()["id"] == with_key.json()["id"]
    placed = before + [without_key.json()["id"], with_key.json()["id"]]
    assert orders_db.orders_of(customer["id"]) == len(placed)
    assert all(len(orders_db.outbox_for(order_id)) == 1 for order_id in placed)


@contextlib.contextmanager
def _synchronous_standby_missing():
    """PostgreSQL configured for a synchronous standby that never connects: a session with
    synchronous_commit=on then waits at every commit. Every other session gets synchronous_commit=local, so
    the shared services go on as before. Restored afterwards (which also releases the waiting commits)."""
    settings = {"synchronous_standby_names": "comanda_absent_standby", "synchronous_commit": "local"}
    with contextlib.closing(superuser()) as conn, conn.cursor() as cur:
        for name, value in settings.items():
            cur.execute(f"ALTER SYSTEM SET {name} = %s", (value,))
        cur.execute("SELECT pg_reload_conf()")
    try:
        yield
    finally:
        with contextlib.closing(superuser()) as conn, conn.cursor() as cur:
            for name in settings:
                cur.execute(f"ALTER SYSTEM RESET {name}")
            cur.execute("SELECT pg_reload_conf()")


def _cancel_standby_wait(statement: str) -> None:
    """Waits until a backend running `statement` (a fragment of its SQL) waits for the synchronous standby,
    then cancels it, as an operator's pg_cancel_backend would."""
    def waiting() -> int | None:
        with contextlib.closing(superuser()) as conn, conn.cursor() as cur:
            cur.execute("SELECT pid FROM pg_stat_activity WHERE datname = 'orders' AND wait_event = 'SyncRep' "
                        "AND query LIKE %s", (f"%{statement}%",))
            row = cur.fetchone()
            return row[0] if row else None
    pid = wait_for(waiting, timeout=10, message=f"a commit of {statement!r} waiting for the standby")
    with contextlib.closing(superuser()) as conn, conn.cursor() as cur:
        cur.execute("SELECT pg_cancel_backend(%s)", (pid,))


def test_a_commit_the_synchronous_standby_never_confirmed_is_not_acknowledged(start_orders, customer, orders_db):
    """With synchronous replication a commit waits for the standby. When a cancel ends that wait, PostgreSQL
    keeps the commit on the primary only and reports success with a mere WARNING. Such an order would be lost
    with the primary, so it is answered 503 (outcome unknown), and a retry with the same key is 503 too (the
    replay waits for the standby as well); once the standby confirms, the retry gets the same order, stored
    once. Without the watch on that warning the first answer is a 201."""
    service = start_orders({"DATABASE_URL": harness.database_url("orders") +
                            "?options=-c%20synchronous_commit%3Don"})
    key = str(uuid.uuid4())
    with _synchronous_standby_missing(), ThreadPoolExecutor(max_workers=1) as pool:
        first = pool.submit(place, service, customer["token"], key=key)
        _cancel_standby_wait("INSERT INTO idempotency_keys")
        assert_problem(first.result(timeout=15), 503, "DEPENDENCY_UNAVAILABLE")
        # Committed on the primary only: there, but not acknowledged.
        stored = orders_db.query("SELECT order_id::text FROM idempotency_keys WHERE user_id = %s AND key = %s",
                                 customer["id"], key)
        assert len(stored) == 1, stored
        again = pool.submit(place, service, customer["token"], key=key)
        _cancel_standby_wait("UPDATE idempotency_keys")
        assert_problem(again.result(timeout=15), 503, "DEPENDENCY_UNAVAILABLE")
    replay = place(service, customer["token"], key=key)
    assert replay.status_code == 201, replay.text
    assert replay.json()["id"] == stored[0][0]
    assert orders_db.orders_of(customer["id"]) == 1
