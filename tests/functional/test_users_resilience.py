"""PostgreSQL down: at start and while running. The service stays up, says 503, and recovers by itself.

These stop the shared PostgreSQL for real, so they are marked `disruptive` and run after every other test.
"""
from __future__ import annotations

import pytest

from harness import unique_email, wait_for
from http_checks import assert_problem, assert_retry_after, media_type
from users_api import ADMIN_PASSWORD, bearer, login, register, registration

pytestmark = pytest.mark.disruptive

READY_TIMEOUT = 30


def _assert_not_ready(service) -> None:
    response = service.get("/ready")
    assert response.status_code == 503, response.text
    assert media_type(response) in ("application/json", "application/problem+json")
    assert response.json() == {"status": "unavailable", "checks": {"postgres": "down"}}
    assert_retry_after(response)


def _assert_unavailable(response) -> None:
    assert_problem(response, 503, "DEPENDENCY_UNAVAILABLE")
    assert_retry_after(response)


def _is_ready(service) -> bool:
    return service.get("/ready").status_code == 200


def test_starts_without_postgres_and_becomes_ready_when_it_is_back(stack, start_users):
    admin_email = unique_email("boot-admin")
    stack.stop("postgres")
    try:
        service = start_users({"ADMIN_EMAIL": admin_email}, wait_ready=False)
        assert service.get("/health").json() == {"status": "ok"}
        _assert_not_ready(service)
        _assert_unavailable(service.post("/register", json=registration()))
        _assert_unavailable(service.post("/login", json={"email": admin_email, "password": ADMIN_PASSWORD}))
        assert service.running
    finally:
        stack.start("postgres")
    wait_for(lambda: _is_ready(service), timeout=READY_TIMEOUT, message="/ready 200 after PostgreSQL is back")
    # Same process: the schema was created and the admin bootstrapped once the database answered.
    register(service)
    token = login(service, admin_email, ADMIN_PASSWORD)
    assert service.get("/profile", headers=bearer(token)).json()["role"] == "admin"


def test_postgres_outage_while_running_is_503_then_recovers(stack, start_users):
    service = start_users()
    user = register(service)
    token = login(service, user["email"], user["password"])
    stack.stop("postgres")
    try:
        assert service.get("/health").status_code == 200
        wait_for(lambda: service.get("/ready").status_code == 503, timeout=15, message="/ready 503")
        _assert_not_ready(service)
        _assert_unavailable(service.post("/register", json=registration()))
        # Not 401: the credentials may be right, the service just cannot tell.
        _assert_unavailable(service.post("/login", json={"email": user["email"], "password": user["password"]}))
        _assert_unavailable(service.get("/profile", headers=bearer(token)))
        assert service.get("/health").status_code == 200
    finally:
        stack.start("postgres")
    wait_for(lambda: _is_ready(service), timeout=READY_TIMEOUT, message="/ready 200 after PostgreSQL is back")
    # Once ready, requests work at the first attempt: no stale pooled connection leaks out as an error.
    register(service)
    login(service, user["email"], user["password"])
    assert service.get("/profile", headers=bearer(token)).status_code == 200


def test_shared_service_recovered_too(users):
    """The outages above hit the shared service as well; it must be ready again without a restart."""
    wait_for(lambda: _is_ready(users), timeout=READY_TIMEOUT, message="shared users-service /ready 200")
    user = register(users)
    login(users, user["email"], user["password"])
