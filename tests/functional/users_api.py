"""users-service specifics shared by its tests: configuration, and register/login shortcuts."""
from __future__ import annotations

from pathlib import Path

import harness
from harness import Service

ADMIN_EMAIL = "admin@comanda.test"
ADMIN_PASSWORD = "admin-Passw0rd-for-functional-tests"
JWT_ISSUER = "users-service"
JWT_AUDIENCE = "food-ordering"
DEFAULT_TTL = 900
PASSWORD = "correct horse battery"


def users_env(key_file: Path) -> dict[str, str]:
    return {
        "DATABASE_URL": harness.database_url("users"),
        "JWT_PRIVATE_KEY_FILE": str(key_file),
        "JWT_ISSUER": JWT_ISSUER,
        "JWT_AUDIENCE": JWT_AUDIENCE,
        "ADMIN_EMAIL": ADMIN_EMAIL,
        "ADMIN_PASSWORD": ADMIN_PASSWORD,
        # Many tests log in to one account with wrong passwords on purpose; the per-account backoff has its
        # own tests (test_users_account_rules.py), with services of their own.
        "LOGIN_FREE_ATTEMPTS": "1000",
    }


def registration(**overrides) -> dict:
    """A valid /register body with a unique email and name; keyword arguments replace fields."""
    body = {"email": harness.unique_email("reg"), "password": PASSWORD, "name": harness.unique_name()}
    body.update(overrides)
    return body


def register(service: Service, **overrides) -> dict:
    """Registers a fresh user (asserting 201); returns the response body plus the password."""
    body = registration(**overrides)
    response = service.post("/register", json=body)
    assert response.status_code == 201, f"register: {response.status_code} {response.text}"
    return {**response.json(), "password": body["password"]}


def login(service: Service, email: str, password: str) -> str:
    """Logs in (asserting 200); returns the access token."""
    response = service.post("/login", json={"email": email, "password": password})
    assert response.status_code == 200, f"login {email}: {response.status_code} {response.text}"
    return response.json()["accessToken"]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
