"""The Redis cache in front of the catalog: X-Cache, ETag / If-None-Match, invalidation on every write (seen from
every replica), single-flight, TTL, and the cache metrics."""
from __future__ import annotations

import re
import subprocess
import threading
import time

import pytest
import requests

import harness
from database import Database
from harness import wait_for
from http_checks import assert_problem
from products_api import MARGHERITA_ID, cache_metric, db_queries, product_body
from users_api import bearer

ETAG_RE = re.compile(r'^(W/)?"[\x21\x23-\x7e]+"$')


def _get(service, path: str, **headers) -> requests.Response:
    response = service.get(path, headers=headers)
    assert response.status_code in (200, 304), f"GET {path}: {response.status_code} {response.text}"
    return response


def _cache(response: requests.Response) -> str | None:
    return response.headers.get("X-Cache")


def _names(response: requests.Response) -> set[str]:
    return {p["name"] for p in response.json()["items"]}


def _warm(service, path: str) -> requests.Response:
    """Reads `path` until it is served from the cache; returns that HIT."""
    _get(service, path)
    response = _get(service, path)
    assert _cache(response) == "HIT", f"GET {path} twice: second X-Cache {_cache(response)!r}"
    return response


# ---------------------------------------------------------------------------------------------- X-Cache

@pytest.mark.parametrize("path", ["/products", "/products?category=pizzas", f"/products/{MARGHERITA_ID}"])
def test_first_read_after_a_write_is_a_miss_then_hits(products, make_product, path):
    make_product()  # a write: the cache is invalidated
    first = _get(products, path)
    second = _get(products, path)
    third = _get(products, path)
    assert [_cache(r) for r in (first, second, third)] == ["MISS", "HIT", "HIT"]
    assert first.content == second.content == third.content
    assert first.headers["ETag"] == second.headers["ETag"] == third.headers["ETag"]
    assert first.headers["Content-Type"] == second.headers["Content-Type"]


def test_list_filtered_list_and_item_are_cached_separately(products, make_product):
    make_product()
    assert _cache(_get(products, "/products")) == "MISS"
    assert _cache(_get(products, "/products?category=drinks")) == "MISS"
    assert _cache(_get(products, f"/products/{MARGHERITA_ID}")) == "MISS"
    assert _cache(_get(products, "/products?category=drinks")) == "HIT"
    drinks = _get(products, "/products?category=drinks").json()
    assert {p["category"] for p in drinks["items"]} == {"drinks"}, "a filtered read was served another key"


# ------------------------------------------------------------------------------------------------- ETag

@pytest.fixture
def list_etag(products) -> str:
    etag = _get(products, "/products").headers.get("ETag")
    assert etag and ETAG_RE.match(etag), f"ETag {etag!r}"
    return etag


def test_every_product_response_has_an_etag_per_representation(products, list_etag):
    pizzas = _get(products, "/products?category=pizzas").headers.get("ETag")
    item = _get(products, f"/products/{MARGHERITA_ID}").headers.get("ETag")
    assert pizzas and ETAG_RE.match(pizzas) and item and ETAG_RE.match(item)
    assert len({list_etag, pizzas, item}) == 3


@pytest.mark.parametrize("make", [
    lambda etag: etag,
    lambda etag: etag if etag.startswith("W/") else f"W/{etag}",
    lambda etag: f'"not-it", {etag}',
    lambda etag: f'"a",{etag} , "b"',
    lambda etag: "*",
], ids=["exact", "weak", "in-a-list", "list-without-spaces", "star"])
def test_if_none_match_with_the_current_etag_is_304_without_body(products, list_etag, make):
    response = products.get("/products", headers={"If-None-Match": make(list_etag)})
    assert response.status_code == 304, f"{response.status_code} {response.text[:300]}"
    assert response.content == b""
    assert response.headers.get("ETag") == list_etag
    assert _cache(response) in ("HIT", "MISS")


def test_if_none_match_on_an_item(products):
    etag = _get(products, f"/products/{MARGHERITA_ID}").headers["ETag"]
    response = products.get(f"/products/{MARGHERITA_ID}", headers={"If-None-Match": etag})
    assert response.status_code == 304 and response.content == b""
    assert products.get("/products", headers={"If-None-Match": etag}).status_code == 200, \
        "the item's ETag validated the list"


@pytest.mark.parametrize("header", ['"0000000000000000"', "W/\"different\"", '"a", "b"', "garbage", '""'])
def test_if_none_match_with_another_etag_is_200_with_the_body(products, list_etag, header):
    response = products.get("/products", headers={"If-None-Match": header})
    assert response.status_code == 200, response.text
    assert response.json()["count"] == len(response.json()["items"]) > 0
    assert response.headers["ETag"] == list_etag


def test_a_write_changes_the_etag_and_the_old_one_gets_the_new_body(products, make_product, list_etag):
    product = make_product()
    response = products.get("/products", headers={"If-None-Match": list_etag})
    assert response.status_code == 200, "the ETag of the old list still validated after a create"
    assert response.headers["ETag"] != list_etag
    assert product["name"] in _names(response)
    fresh = products.get("/products", headers={"If-None-Match": response.headers["ETag"]})
    assert fresh.status_code == 304


# ------------------------------------------------------------------------------------------ invalidation

def test_create_is_seen_by_the_next_read(products, make_product):
    before = _warm(products, "/products")
    burgers = _warm(products, "/products?category=burgers")
    product = make_product(category="burgers")
    after = _get(products, "/products")
    assert _cache(after) == "MISS"
    assert product["name"] in _names(after) and product["name"] not in _names(before)
    assert after.json()["count"] == before.json()["count"] + 1
    after_burgers = _get(products, "/products?category=burgers")
    assert _cache(after_burgers) == "MISS"
    assert after_burgers.json()["count"] == burgers.json()["count"] + 1
    item = _get(products, f"/products/{product['id']}")
    assert item.json() == product


def test_replace_is_seen_by_the_next_read(products, make_product, admin_token):
    product = make_product(category="sides", priceCents=500)
    item_path = f"/products/{product['id']}"
    old_item = _warm(products, item_path)
    _warm(products, "/products")
    _warm(products, "/products?category=sides")
    changed = product_body(category="desserts", priceCents=777, available=False)
    response = products.request("PUT", item_path, json=changed, headers=bearer(admin_token))
    assert response.status_code == 200, response.text
    item = _get(products, item_path)
    assert _cache(item) == "MISS"
    assert item.json() == {**changed, "id": product["id"]}
    assert item.headers["ETag"] != old_item.headers["ETag"]
    listed = _get(products, "/products")
    assert _cache(listed) == "MISS"
    assert {**changed, "id": product["id"]} in listed.json()["items"]
    assert product["name"] not in _names(listed)
    sides = _get(products, "/products?category=sides")
    assert product["id"] not in {p["id"] for p in sides.json()["items"]}
    desserts = _get(products, "/products?category=desserts")
    assert product["id"] in {p["id"] for p in desserts.json()["items"]}


def test_delete_is_seen_by_the_next_read(products, make_product, admin_token):
    product = make_product()
    item_path = f"/products/{product['id']}"
    _warm(products, item_path)
    _warm(products, "/products")
    response = products.request("DELETE", item_path, headers=bearer(admin_token))
    assert response.status_code == 204, response.text
    assert_problem(products.get(item_path), 404, "NOT_FOUND")
    listed = _get(products, "/products")
    assert _cache(listed) == "MISS"
    assert product["id"] not in {p["id"] for p in listed.json()["items"]}


def test_write_through_one_replica_is_seen_through_the_other(start_products, make_product, admin_token):
    a, b = start_products(), start_products()
    product = make_product(via=a, category="drinks", priceCents=300)
    item_path = f"/products/{product['id']}"
    assert _cache(_get(a, "/products")) == "MISS"
    assert _cache(_get(b, "/products")) == "HIT", "the replicas do not share one cache"
    _get(a, item_path)
    assert _cache(_get(b, item_path)) == "HIT"
    _warm(b, "/products?category=drinks")

    changed = product_body(category="drinks", priceCents=310)
    assert a.request("PUT", item_path, json=changed, headers=bearer(admin_token)).status_code == 200
    item = _get(b, item_path)
    assert _cache(item) == "MISS" and item.json()["priceCents"] == 310 and item.json()["name"] == changed["name"]
    listed = _get(b, "/products")
    assert _cache(listed) == "MISS" and changed["name"] in _names(listed)
    drinks = _get(b, "/products?category=drinks")
    assert _cache(drinks) == "MISS" and changed["name"] in _names(drinks)
    assert _cache(_get(b, "/products")) == "HIT"

    assert b.request("DELETE", item_path, headers=bearer(admin_token)).status_code == 204
    assert_problem(a.get(item_path), 404, "NOT_FOUND")
    assert product["id"] not in {p["id"] for p in _get(a, "/products").json()["items"]}


# ------------------------------------------------------------------------------------ copies in memory

def _redis(*command: str) -> str:
    """One command through redis-cli against the test Redis; its answer."""
    done = subprocess.run(["redis-cli", "-h", "127.0.0.1", "-p", str(harness.REDIS_PORT), *command],
                          capture_output=True, text=True, timeout=10, check=True)
    return done.stdout.strip()


def _mget_calls() -> int:
    stats = _redis("INFO", "commandstats")
    found = re.search(r"^cmdstat_mget:calls=(\d+)", stats, re.MULTILINE)
    return int(found.group(1)) if found else 0


def test_hits_are_served_from_memory_without_asking_redis(start_products):
    service = start_products()
    path = f"/products/{MARGHERITA_ID}"
    _warm(service, path)
    wait_for(lambda: _cache(_get(service, path)) == "HIT" and _cache(_get(service, path)) == "HIT",
             timeout=5, message="hits")
    before = _mget_calls()
    for _ in range(20):
        assert _cache(_get(service, path)) == "HIT"
    assert _mget_calls() - before <= 1, "hits still ask Redis each time: the copy in memory is not used"


@pytest.mark.parametrize("change", [("INCR", "products:v1:generation"), ("DEL", "products:v1:list:all"),
                                    ("FLUSHDB",)], ids=["generation", "entry", "flush"])
def test_a_change_made_in_redis_by_anyone_drops_the_copy_in_memory(start_products, change):
    """Another replica's write reaches this one only through Redis: its invalidation message must
    drop the copy this replica keeps, or the next read would be a stale HIT."""
    service = start_products()
    _warm(service, "/products")
    before = _mget_calls()
    assert _cache(_get(service, "/products")) == "HIT"
    assert _mget_calls() == before, "the hit asked Redis: nothing would show the copy was dropped"
    _redis(*change)  # Redis sends its invalidation before it answers redis-cli
    assert _cache(_get(service, "/products")) == "MISS", "a stale copy was served from memory"
    assert _cache(_get(service, "/products")) == "HIT"


# ------------------------------------------------------------------------------------------------- TTL

def test_entry_expires_after_cache_ttl_seconds(start_products, make_product):
    service = start_products({"CACHE_TTL_SECONDS": "1"})
    product = make_product(via=service)
    path = f"/products/{product['id']}"
    assert _cache(_get(service, path)) == "MISS"
    filled = time.monotonic()
    assert _cache(_get(service, path)) == "HIT"
    wait_for(lambda: _cache(_get(service, path)) == "MISS", timeout=3, interval=0.05,
             message="the 1 s cache entry to expire")
    expired_after = time.monotonic() - filled
    assert 0.5 <= expired_after <= 2.5, f"entry with a 1 s TTL (+-10%) expired after {expired_after:.2f}s"
    assert _cache(_get(service, path)) == "HIT"


def test_default_ttl_keeps_entries_longer_than_a_second(products, make_product):
    product = make_product()
    path = f"/products/{product['id']}"
    assert _cache(_get(products, path)) == "MISS"
    time.sleep(1.5)
    assert _cache(_get(products, path)) == "HIT"


# ------------------------------------------------------------------------------------------ single-flight

def _lock_waiters(db: Database) -> int:
    return db.query("SELECT count(*) FROM pg_stat_activity WHERE datname = 'products' "
                    "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()")[0][0]


@pytest.mark.parametrize("path,query", [("/products", "list"), (f"/products/{MARGHERITA_ID}", "find")],
                         ids=["list", "item"])
def test_burst_of_misses_on_one_key_makes_one_query(start_products, make_product, path, query):
    service = start_products({"WORKER_THREADS": "8"})
    _get(service, path)
    make_product(via=service)  # invalidates: the burst below misses
    before = db_queries(service, query)
    misses_before = cache_metric(service, "miss")
    burst = 16
    barrier = threading.Barrier(burst + 1)
    answers: list = []

    def read() -> None:
        barrier.wait(timeout=10)
        try:
            answers.append(requests.get(service.url + path, timeout=30))
        except requests.RequestException as exc:
            answers.append(exc)

    db = Database(harness.database_url("products"))
    threads = [threading.Thread(target=read) for _ in range(burst)]
    # The table is locked while the burst arrives, so the first query cannot finish before every worker
    # has missed: without single-flight each of the 8 workers would be waiting on a query of its own.
    with db.connect() as conn, conn.cursor() as cur:
        cur.execute("BEGIN")
        cur.execute("LOCK TABLE products IN ACCESS EXCLUSIVE MODE")
        try:
            for thread in threads:
                thread.start()
            barrier.wait(timeout=10)
            wait_for(lambda: _lock_waiters(db) >= 1, timeout=5, message="a query waiting for the locked table")
            time.sleep(0.5)  # let every worker take a request and miss
            waiting = _lock_waiters(db)
        finally:
            cur.execute("COMMIT")
    for thread in threads:
        thread.join(timeout=30)
    assert waiting == 1, f"{waiting} queries waited on the same key at once"
    assert len(answers) == burst and all(isinstance(a, requests.Response) for a in answers), answers
    assert [a.status_code for a in answers] == [200] * burst, [a.status_code for a in answers]
    assert len({a.content for a in answers}) == 1, "the burst got different answers"
    assert len({a.headers["ETag"] for a in answers}) == 1
    statuses = [a.headers.get("X-Cache") for a in answers]
    assert set(statuses) <= {"MISS", "HIT"}, statuses
    # Several answers are misses that waited for the one query: the burst really overlapped.
    assert statuses.count("MISS") >= 4, f"the burst did not overlap: {statuses}"
    assert db_queries(service, query) == before + 1, \
        f"{db_queries(service, query) - before} {query} queries for a burst of {burst} reads of one key"
    assert cache_metric(service, "miss") == misses_before + statuses.count("MISS")


# ----------------------------------------------------------------------------------------------- metrics

def test_cache_metrics_count_hits_and_misses(products, make_product):
    make_product()
    hits, misses, bypasses = (cache_metric(products, r) for r in ("hit", "miss", "bypass"))
    assert _cache(_get(products, "/products?category=sides")) == "MISS"
    assert (cache_metric(products, "hit"), cache_metric(products, "miss")) == (hits, misses + 1)
    for _ in range(3):
        assert _cache(_get(products, "/products?category=sides")) == "HIT"
    assert (cache_metric(products, "hit"), cache_metric(products, "miss")) == (hits + 3, misses + 1)
    assert cache_metric(products, "bypass") == bypasses


def test_database_query_latency_is_a_histogram(products, make_product):
    make_product()
    before = db_queries(products, "list")
    _get(products, "/products")
    assert db_queries(products, "list") == before + 1
    text = products.get("/metrics").text
    assert 'products_db_query_duration_seconds_bucket{' in text
    assert re.search(r'products_db_query_duration_seconds_bucket\{[^}]*query="list"[^}]*le="\+Inf"', text) or \
        re.search(r'products_db_query_duration_seconds_bucket\{[^}]*le="\+Inf"[^}]*query="list"', text), \
        "no +Inf bucket for query=\"list\""
    assert 'products_db_query_duration_seconds_sum{' in text
