"""Direct database access for the tests: what a service did (not) store."""
from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import psycopg2

import harness


def superuser() -> psycopg2.extensions.connection:
    """The test stack's superuser over its unix socket (trust), as scripts/stack.sh runs it; autocommit."""
    location = harness.STATE_DIR / "postgres.location"
    base = Path(location.read_text().strip()) if location.exists() else harness.STATE_DIR / "postgres"
    conn = psycopg2.connect(host=str(base / "run"), port=harness.PG_PORT, user="postgres", dbname="postgres",
                            connect_timeout=5)
    conn.autocommit = True
    return conn


class Database:
    """Direct access to a service's database, to check what was (not) stored."""

    def __init__(self, url: str) -> None:
        self.url = url

    @contextlib.contextmanager
    def connect(self):
        conn = psycopg2.connect(self.url, connect_timeout=5)
        conn.autocommit = True
        try:
            yield conn
        finally:
            conn.close()

    def query(self, sql: str, *params: Any) -> list[tuple]:
        with self.connect() as conn, conn.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchall() if cur.description else []

    def execute(self, sql: str, *params: Any) -> int:
        with self.connect() as conn, conn.cursor() as cur:
            cur.execute(sql, params)
            return cur.rowcount


class UsersDb(Database):
    """Table users(id uuid, email text, name text, password_hash text, role text, created_at timestamptz)."""

    def user(self, email: str) -> dict | None:
        rows = self.query("SELECT id::text, email, name, password_hash, role, created_at FROM users "
                          "WHERE email = %s", email)
        assert len(rows) <= 1, f"{len(rows)} rows for {email!r}"
        if not rows:
            return None
        keys = ("id", "email", "name", "password_hash", "role", "created_at")
        return dict(zip(keys, rows[0]))

    def count(self, email: str) -> int:
        return self.query("SELECT count(*) FROM users WHERE email = %s", email)[0][0]

    def count_matching(self, *, email: Any = None, name: Any = None) -> int:
        """Rows whose email (normalised like the service does) or name equal the given strings."""
        total = 0
        if isinstance(email, str) and "\x00" not in email:
            total += self.query("SELECT count(*) FROM users WHERE email = %s", email.strip().lower())[0][0]
        if isinstance(name, str) and "\x00" not in name:
            total += self.query("SELECT count(*) FROM users WHERE name = %s OR name = %s",
                                name, name.strip())[0][0]
        return total

    def delete(self, user_id: str) -> int:
        return self.execute("DELETE FROM users WHERE id = %s", user_id)

    def table_exists(self) -> bool:
        return self.query("SELECT to_regclass('public.users') IS NOT NULL")[0][0]


class ProductsDb(Database):
    """Table products(id uuid, name, description, category, price_cents, currency, available, created_at,
    updated_at, deleted_at): deletes are soft (deleted_at set)."""

    COLUMNS = "id::text, name, description, category, price_cents, currency, available, created_at, " \
              "updated_at, deleted_at"

    def snapshot(self) -> list[tuple]:
        """Every row, deleted ones included, in a stable order: compare two to prove nothing changed."""
        return self.query(f"SELECT {self.COLUMNS} FROM products ORDER BY id")

    def product(self, product_id: str) -> dict | None:
        rows = self.query(f"SELECT {self.COLUMNS} FROM products WHERE id = %s::uuid", product_id)
        if not rows:
            return None
        keys = ("id", "name", "description", "category", "price_cents", "currency", "available",
                "created_at", "updated_at", "deleted_at")
        return dict(zip(keys, rows[0]))

    def count_named(self, name: object) -> int:
        if not isinstance(name, str) or "\x00" in name:
            return 0
        return self.query("SELECT count(*) FROM products WHERE name = %s OR name = %s", name, name.strip())[0][0]
