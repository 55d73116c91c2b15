"""The process rules of the contract for products-, orders- and notifications-service (users-service has its
own in test_users_lifecycle.py): JSON log lines from start to stop, and SIGTERM finishing in-flight work."""
from __future__ import annotations

import signal
import threading
import time

import pytest
import requests

from harness import accept_backlog, wait_for
from http_checks import assert_log_line
from orders_api import BURGER_ID, order_body, place

SERVICES = {"products": "products-service", "orders": "orders-service", "notifications": "notifications-service"}


@pytest.mark.parametrize("kind", SERVICES.keys())
def test_stdout_is_json_lines_from_start_to_stop(request, kind):
    service = request.getfixturevalue(f"start_{kind}")()
    service.get("/health")
    service.get("/no-such-route")
    service.stop()
    lines = service.log_lines()
    assert any(line.get("msg") == "request" for line in lines), "no request line"
    for line in lines:
        assert_log_line(line, SERVICES[kind])


def test_orders_sigterm_finishes_the_orders_in_flight_and_exits_0(start_products, start_orders, customer,
                                                                   orders_db):
    """Orders held in flight by a frozen products-service (SIGSTOP) when SIGTERM arrives are completed, not
    cut off: each gets its 201 and is stored, then the process exits 0."""
    products = start_products()
    service = start_orders({"PRODUCTS_URL": products.url, "HTTP_TIMEOUT_MS": "5000"})
    count = 3
    results: list = [None] * count

    def run(index: int) -> None:
        try:
            results[index] = place(service, customer["token"], order_body((BURGER_ID, 1)), timeout=30).status_code
        except requests.RequestException as exc:  # a cut connection is the failure we look for
            results[index] = exc

    products.send_signal(signal.SIGSTOP)
    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    try:
        for thread in threads:
            thread.start()
        wait_for(lambda: accept_backlog(service.port) == 0, timeout=5, message="the accept queue to drain")
        time.sleep(0.3)  # the requests reach the worker threads and their calls to products-service
        assert results == [None] * count, f"answered while products-service was frozen: {results}"
        service.send_signal(signal.SIGTERM)
        time.sleep(0.5)  # the service is stopping with its orders still waiting for products-service
    finally:
        products.send_signal(signal.SIGCONT)
    for thread in threads:
        thread.join(timeout=30)
    code = service.wait_exit(15)
    assert results == [201] * count, results
    assert code == 0, f"exit code {code} after SIGTERM\n{service.log_tail()}"
    service.assert_sanitizer_clean()
    assert orders_db.orders_of(customer["id"]) == count
