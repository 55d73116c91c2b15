"""products-service slower than HTTP_TIMEOUT_MS (frozen with SIGSTOP: it keeps its socket and never answers):
POST /orders is a 503 DEPENDENCY_UNAVAILABLE with Retry-After within about the timeout, and nothing is
stored: no order, no outbox row, no idempotency key (the same key works once products-service answers)."""
from __future__ import annotations

import signal
import time
import uuid

from http_checks import assert_problem, assert_retry_after
from orders_api import OrdersDb, place

TIMEOUT_MS = 300


def _stored(orders_db: OrdersDb, user_id: str, key: str) -> dict[str, int]:
    def count(sql: str, *params) -> int:
        return orders_db.query(sql, *params)[0][0]
    return {
        "orders": orders_db.orders_of(user_id),
        # By the event's content, not through `orders`: an outbox row without its order counts too.
        "outbox": count("SELECT count(*) FROM outbox WHERE strpos(payload, %s) > 0", user_id),
        "keys": count("SELECT count(*) FROM idempotency_keys WHERE user_id = %s AND key = %s", user_id, key),
    }


def test_slow_products_service_times_out_with_503_and_nothing_is_stored(start_products, start_orders, customer,
                                                                        orders_db):
    products = start_products()
    service = start_orders({"PRODUCTS_URL": products.url, "HTTP_TIMEOUT_MS": str(TIMEOUT_MS)})
    key = f"slow-products-{uuid.uuid4()}"
    products.send_signal(signal.SIGSTOP)
    try:
        started = time.monotonic()
        response = place(service, customer["token"], key=key)
        elapsed = time.monotonic() - started
        assert_problem(response, 503, "DEPENDENCY_UNAVAILABLE")
        assert_retry_after(response)
        assert elapsed >= TIMEOUT_MS / 1000 * 0.9, f"answered in {elapsed:.2f} s: products-service was not asked"
        assert elapsed < 3, f"answered in {elapsed:.2f} s: the {TIMEOUT_MS} ms call deadline was not applied"
        assert _stored(orders_db, customer["id"], key) == {"orders": 0, "outbox": 0, "keys": 0}
    finally:
        products.send_signal(signal.SIGCONT)
    # Nothing was kept for the key, so the retry the 503 asks for is a first attempt that succeeds.
    retried = place(service, customer["token"], key=key)
    assert retried.status_code == 201, retried.text
    assert "Idempotent-Replayed" not in retried.headers
    assert _stored(orders_db, customer["id"], key) == {"orders": 1, "outbox": 1, "keys": 1}
