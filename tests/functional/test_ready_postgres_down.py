"""PostgreSQL stopped while products-service and orders-service run: `/ready` is 503 naming postgres as down
(with Retry-After), `/health` stays 200, and `/ready` is 200 again once PostgreSQL is back, without a restart.
(users-service and notifications-service have the same checks in their own resilience tests.)

This stops the shared PostgreSQL for real, so it is marked `disruptive` and runs after every other test.
"""
from __future__ import annotations

import pytest

from harness import wait_for
from http_checks import assert_retry_after, media_type

pytestmark = pytest.mark.disruptive

READY_TIMEOUT = 30
# The dependencies each service reports besides PostgreSQL (both up here: only PostgreSQL is stopped).
OTHERS = {"products": {"redis": "up"}, "orders": {"rabbitmq": "up"}}


def _assert_not_ready(service, kind: str) -> None:
    response = service.get("/ready")
    assert response.status_code == 503, f"{service.name}: {response.text}"
    assert media_type(response) in ("application/json", "application/problem+json")
    assert response.json() == {"status": "unavailable", "checks": {"postgres": "down", **OTHERS[kind]}}, \
        f"{service.name}: {response.text}"
    assert_retry_after(response)


def _assert_ready(service, kind: str) -> None:
    response = service.get("/ready")
    assert response.status_code == 200, f"{service.name}: {response.text}"
    assert response.json() == {"status": "ok", "checks": {"postgres": "up", **OTHERS[kind]}}, \
        f"{service.name}: {response.text}"


def test_ready_is_503_while_postgres_is_down_then_200(stack, start_products, start_orders):
    services = {"products": start_products(), "orders": start_orders()}
    for kind, service in services.items():
        # RabbitMQ is reported once the relay has connected; wait for that so that only postgres differs.
        wait_for(lambda: service.get("/ready").json()["checks"] == {"postgres": "up", **OTHERS[kind]},
                 timeout=15, message=f"{service.name} reporting every dependency up")
        _assert_ready(service, kind)
    stack.stop("postgres")
    try:
        for kind, service in services.items():
            wait_for(lambda: service.get("/ready").status_code == 503, timeout=15,
                     message=f"{service.name} /ready 503")
            _assert_not_ready(service, kind)
            assert service.get("/health").json() == {"status": "ok"}
    finally:
        stack.start("postgres")
    for kind, service in services.items():
        wait_for(lambda: service.get("/ready").status_code == 200, timeout=READY_TIMEOUT,
                 message=f"{service.name} /ready 200 after PostgreSQL is back")
        _assert_ready(service, kind)
