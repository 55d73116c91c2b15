"""Several replicas starting at once against an empty database (Kubernetes starts a Deployment's pods
together): every replica becomes ready and each migration is applied once, by one of them.

libs/db/src/migrations.cpp takes an advisory lock (pg_advisory_xact_lock) in each migration's transaction
before it looks at schema_migrations, so the replicas apply migrations one after the other. The first test
makes "at once" deterministic: it holds both replicas at their first statement (an uncommitted CREATE TABLE of
the same name blocks them) until both wait in PostgreSQL, then lets them go together. Without the lock both
would run the first migration concurrently and one would fail on the catalog's unique index and retry
("database not ready, retrying"); with it, neither fails.
"""
from __future__ import annotations

import contextlib
import uuid
from typing import Iterator

import psycopg2
import pytest
import requests

import harness
from database import Database, superuser
from products_api import SEEDED_COUNT
from users_api import ADMIN_EMAIL


@contextlib.contextmanager
def _empty_database(owner: str) -> Iterator[str]:
    """A new, empty database owned by the service's role; dropped afterwards. Yields its URL."""
    name = f"replicas_{owner}_{uuid.uuid4().hex[:10]}"
    with contextlib.closing(superuser()) as conn, conn.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{name}" OWNER "{owner}"')
    try:
        yield f"postgresql://{owner}:{owner}@127.0.0.1:{harness.PG_PORT}/{name}"
    finally:
        with contextlib.closing(superuser()) as conn, conn.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _waiting_on_locks(database: str) -> int:
    with contextlib.closing(superuser()) as conn, conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND wait_event_type = 'Lock'",
                    (database,))
        return cur.fetchone()[0]


def _ready(service: harness.Service) -> bool:
    if not service.running:
        raise harness.GiveUp(f"{service.name} exited\n{service.log_tail()}")
    return requests.get(service.url + "/ready", timeout=2).status_code == 200


def _applied(replicas: list[harness.Service]) -> list[int]:
    """The versions the replicas logged as applied, all replicas together."""
    return sorted(line["version"] for r in replicas for line in r.log_lines() if line["msg"] == "migration applied")


def _versions(service: str) -> list[int]:
    """The migration versions the service ships (services/<service>/migrations/NNN_*.sql)."""
    folder = harness.REPO / "services" / service / "migrations"
    return sorted(int(path.name.split("_", 1)[0]) for path in folder.glob("*.sql"))


def _retries(replicas: list[harness.Service]) -> list[str]:
    return [f"{r.name}: {line.get('error')}" for r in replicas for line in r.log_lines()
            if line["msg"] == "database not ready, retrying"]


def test_two_products_replicas_released_together_on_an_empty_database_apply_each_migration_once(start_products):
    with _empty_database("products") as url:
        database = url.rsplit("/", 1)[1]
        # The barrier: an uncommitted table of the name the first migration creates.
        barrier = psycopg2.connect(url, connect_timeout=5)
        try:
            with barrier.cursor() as cur:
                cur.execute("CREATE TABLE schema_migrations (version integer PRIMARY KEY)")
            env = {"DATABASE_URL": url, "REDIS_URL": f"redis://127.0.0.1:{harness.REDIS_PORT}/9"}  # a cache of its own
            replicas = [start_products(env, wait_ready=False) for _ in range(2)]
            harness.wait_for(lambda: _waiting_on_locks(database) == 2, 20,
                             message="both replicas waiting at their first migration statement")
            assert not any(_ready(r) for r in replicas), "a replica is ready before its schema exists"
        finally:
            barrier.rollback()   # both go at once
            barrier.close()
        for replica in replicas:
            harness.wait_for(lambda: _ready(replica), 30, message=f"{replica.name} GET /ready 200")

        assert _retries(replicas) == [], "a replica's migration failed against the other's and had to retry"
        assert _applied(replicas) == _versions("products"), "each migration must be applied by exactly one replica"
        db = Database(url)
        assert db.query("SELECT version FROM schema_migrations ORDER BY version") == [
            (v,) for v in _versions("products")]
        assert db.query("SELECT count(*), count(DISTINCT id) FROM products") == [(SEEDED_COUNT, SEEDED_COUNT)]
        for replica in replicas:   # both serve the one seeded menu
            assert replica.get("/products").json()["count"] == SEEDED_COUNT


def test_two_users_replicas_started_together_on_an_empty_database_create_one_schema_and_one_admin(start_users):
    with _empty_database("users") as url:
        replicas = [start_users({"DATABASE_URL": url}, wait_ready=False) for _ in range(2)]
        for replica in replicas:
            harness.wait_for(lambda: _ready(replica), 30, message=f"{replica.name} GET /ready 200")

        assert _retries(replicas) == []
        assert _applied(replicas) == _versions("users")
        db = Database(url)
        assert db.query("SELECT version FROM schema_migrations ORDER BY version") == [
            (v,) for v in _versions("users")]
        assert db.query("SELECT count(*) FROM users WHERE email = %s AND role = 'admin'", ADMIN_EMAIL) == [(1,)]
