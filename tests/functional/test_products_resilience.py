"""Redis stopped for real while products-service runs: reads bypass the cache (still 200), writes still work,
/ready stays 200, and once Redis is back the cache is used again without a restart.

These stop the shared Redis, so they are marked `disruptive` and run after every other test.
"""
from __future__ import annotations

import os
import signal
import time

import pytest

from harness import STATE_DIR, wait_for
from http_checks import assert_problem
from products_api import MARGHERITA_ID, cache_metric, product_body
from users_api import bearer

pytestmark = pytest.mark.disruptive

BACK_TIMEOUT = 10


def _read(service, path: str):
    response = service.get(path)
    assert response.status_code == 200, f"GET {path}: {response.status_code} {response.text}"
    return response


def _cache_after_recovery(service, path: str) -> str:
    """X-Cache of the first read of `path` that is not a BYPASS."""
    def not_bypass():
        response = _read(service, path)
        return response.headers.get("X-Cache") != "BYPASS" and response
    return wait_for(not_bypass, timeout=BACK_TIMEOUT, interval=0.1,
                    message=f"GET {path} to use Redis again").headers.get("X-Cache")


def _assert_miss_then_hit(service, path: str) -> None:
    """Once Redis answers again the first read fills the cache and the next one is served from it."""
    assert _cache_after_recovery(service, path) == "MISS"
    after = [_read(service, path).headers.get("X-Cache") for _ in range(2)]
    assert after == ["HIT", "HIT"], f"GET {path} after the first MISS since Redis is back: {after} (the entry " \
        "the first read stored was not used)"


def test_redis_outage_bypasses_the_cache_and_recovers(stack, start_products, make_product, admin_token):
    service = start_products()
    other = start_products()
    menu = _read(service, "/products")
    item = _read(service, f"/products/{MARGHERITA_ID}")
    assert _read(service, "/products").headers["X-Cache"] == "HIT"
    bypasses = cache_metric(service, "bypass")
    stack.stop("redis")
    try:
        for path, before in (("/products", menu), (f"/products/{MARGHERITA_ID}", item)):
            for _ in range(2):
                response = _read(service, path)
                assert response.headers.get("X-Cache") == "BYPASS", response.headers
                assert response.content == before.content
                assert response.headers.get("ETag") == before.headers["ETag"]
        assert cache_metric(service, "bypass") == bypasses + 4
        not_modified = service.get("/products", headers={"If-None-Match": menu.headers["ETag"]})
        assert not_modified.status_code == 304 and not_modified.content == b""

        ready = service.get("/ready")
        assert ready.status_code == 200, ready.text
        assert ready.json() == {"status": "ok", "checks": {"postgres": "up", "redis": "down"}}
        assert service.get("/health").status_code == 200

        # Writes still work and are visible at once (there is no cache to invalidate).
        product = make_product(via=service, category="sides")
        listed = _read(service, "/products")
        assert listed.headers["X-Cache"] == "BYPASS"
        assert product["id"] in {p["id"] for p in listed.json()["items"]}
        # Through the other replica as well, and a replace through it is seen here.
        changed = product_body(category="sides", priceCents=4321)
        replaced = other.request("PUT", f"/products/{product['id']}", json=changed, headers=bearer(admin_token))
        assert replaced.status_code == 200, replaced.text
        fetched = _read(service, f"/products/{product['id']}")
        assert fetched.headers["X-Cache"] == "BYPASS" and fetched.json()["priceCents"] == 4321
        assert service.running and other.running
    finally:
        stack.start("redis")

    for path in ("/products", f"/products/{product['id']}"):
        _assert_miss_then_hit(service, path)
    assert _read(service, f"/products/{product['id']}").json() == {**changed, "id": product["id"]}
    assert product["id"] in {p["id"] for p in _read(other, "/products").json()["items"]}
    wait_for(lambda: service.get("/ready").json()["checks"]["redis"] == "up", timeout=BACK_TIMEOUT,
             message="/ready to report redis up")
    # A write after recovery invalidates again, for both replicas.
    assert service.request("DELETE", f"/products/{product['id']}", headers=bearer(admin_token)).status_code == 204
    assert_problem(other.get(f"/products/{product['id']}"), 404, "NOT_FOUND")
    assert product["id"] not in {p["id"] for p in _read(other, "/products").json()["items"]}


def test_starts_without_redis_and_uses_it_once_it_answers(stack, start_products):
    stack.stop("redis")
    try:
        service = start_products()  # ready: Redis is an optimisation, PostgreSQL decides readiness
        response = _read(service, "/products")
        assert response.headers.get("X-Cache") == "BYPASS"
        assert response.json()["count"] >= 12
        assert service.get("/ready").json()["checks"] == {"postgres": "up", "redis": "down"}
    finally:
        stack.start("redis")
    _assert_miss_then_hit(service, "/products")


def test_shared_service_uses_the_cache_again(products):
    """The outages above hit the shared service too; it must be back on the cache without a restart."""
    wait_for(lambda: _read(products, "/products?category=desserts").headers.get("X-Cache") == "HIT",
             timeout=BACK_TIMEOUT, interval=0.1, message="the shared service to HIT again")


def _redis_pid() -> int:
    return int((STATE_DIR / "redis" / "redis.pid").read_text().strip())


def test_frozen_redis_costs_a_bounded_wait_and_no_stale_hit(stack, start_products, make_product, admin_token):
    """Redis stops answering without closing its sockets (SIGSTOP). The copy kept in memory is
    served only while Redis answers the invalidation link's pings (every 200 ms when idle, given up
    after 400 ms), so reads soon go to PostgreSQL (BYPASS); hits are read on the I/O thread without
    blocking, so each read waits at most about REDIS_TIMEOUT_MS. A write made meanwhile is not
    hidden by the old entry when Redis thaws, and HITs return."""
    service = start_products({"REDIS_TIMEOUT_MS": "150"})
    _read(service, "/products?category=sides")
    assert _read(service, "/products?category=sides").headers["X-Cache"] == "HIT"
    pid = _redis_pid()
    os.kill(pid, signal.SIGSTOP)
    try:
        frozen_at = time.monotonic()
        slowest = 0.0
        while True:
            started = time.monotonic()
            frozen = _read(service, "/products?category=sides")
            slowest = max(slowest, time.monotonic() - started)
            if frozen.headers["X-Cache"] == "BYPASS":
                break
            assert frozen.headers["X-Cache"] == "HIT", frozen.headers
            assert time.monotonic() - frozen_at < 1.5, "the copy in memory was served 1.5 s after Redis froze"
            time.sleep(0.02)
        assert slowest < 2.0, f"a read with Redis frozen took {slowest:.2f} s"
        product = make_product(via=service, category="sides")  # its invalidation cannot reach Redis
        assert product["id"] in {p["id"] for p in _read(service, "/products?category=sides").json()["items"]}
    finally:
        os.kill(pid, signal.SIGCONT)
    # The entry cached before the write is still in Redis with the old generation: it must not come back.
    for _ in range(5):
        listed = _read(service, "/products?category=sides")
        assert product["id"] in {p["id"] for p in listed.json()["items"]}, listed.headers
    wait_for(lambda: _read(service, "/products?category=sides").headers.get("X-Cache") == "HIT",
             timeout=BACK_TIMEOUT, interval=0.1, message="HITs once Redis answers again")
    assert product["id"] in {p["id"] for p in _read(service, "/products?category=sides").json()["items"]}
