"""POST /login, and the bootstrap admin account."""
from __future__ import annotations

import statistics
import time

import jwt
import pytest

from harness import unique_email
from http_checks import assert_problem, media_type
from users_api import ADMIN_EMAIL, ADMIN_PASSWORD, DEFAULT_TTL, bearer, login, register, registration


@pytest.fixture(scope="module")
def account(users) -> dict:
    return register(users)


def _login(users, email, password):
    return users.post("/login", json={"email": email, "password": password})


def _assert_invalid_credentials(response) -> dict:
    body = assert_problem(response, 401, "INVALID_CREDENTIALS")
    assert response.headers.get("WWW-Authenticate", "").startswith("Bearer"), response.headers
    return body


# ---------------------------------------------------------------------------------------- success

def test_login_returns_a_bearer_token(users, account):
    response = _login(users, account["email"], account["password"])
    assert response.status_code == 200, response.text
    assert media_type(response) == "application/json"
    body = response.json()
    assert set(body) == {"accessToken", "tokenType", "expiresIn"}
    assert body["tokenType"] == "Bearer"
    assert body["expiresIn"] == DEFAULT_TTL and type(body["expiresIn"]) is int
    assert isinstance(body["accessToken"], str) and body["accessToken"].count(".") == 2
    assert account["password"] not in response.text


def test_login_email_is_trimmed_and_case_insensitive(users, account):
    token = login(users, f"  {account['email'].upper()} ", account["password"])
    assert jwt.decode(token, options={"verify_signature": False})["sub"] == account["id"]


def test_each_login_issues_a_new_token(users, account):
    first = login(users, account["email"], account["password"])
    second = login(users, account["email"], account["password"])
    assert first != second


# ---------------------------------------------------------------------------------------- refusals

def test_wrong_password_is_401(users, account):
    _assert_invalid_credentials(_login(users, account["email"], "wrong password!"))


def test_password_is_case_sensitive(users, account):
    _assert_invalid_credentials(_login(users, account["email"], account["password"].upper()))


def test_unknown_email_is_401(users):
    _assert_invalid_credentials(_login(users, unique_email("nobody"), "whatever password"))


def test_wrong_password_and_unknown_email_look_the_same(users, account):
    wrong = _login(users, account["email"], "wrong password!")
    unknown = _login(users, unique_email("nobody"), "wrong password!")
    bodies = []
    for response in (wrong, unknown):
        body = _assert_invalid_credentials(response)
        body.pop("requestId")
        bodies.append(body)
    assert bodies[0] == bodies[1]
    assert wrong.headers["WWW-Authenticate"] == unknown.headers["WWW-Authenticate"]
    assert wrong.headers["Content-Type"] == unknown.headers["Content-Type"]


def test_wrong_password_and_unknown_email_take_about_the_same_time(users, account):
    def timed(email: str) -> float:
        start = time.perf_counter()
        response = _login(users, email, "wrong password!")
        elapsed = time.perf_counter() - start
        assert response.status_code == 401
        return elapsed

    known, unknown = [], []
    for _ in range(5):  # interleaved, so that machine noise hits both alike
        known.append(timed(account["email"]))
        unknown.append(timed(unique_email("nobody")))
    fast, slow = sorted([statistics.median(known), statistics.median(unknown)])
    assert slow <= 3 * fast, f"median wrong-password {statistics.median(known):.4f}s vs " \
                             f"unknown-email {statistics.median(unknown):.4f}s"


# ------------------------------------------------------------------------------------- validation

def test_empty_object_names_both_fields(users):
    assert_problem(users.post("/login", json={}), 400, "VALIDATION_FAILED", {"email", "password"})


@pytest.mark.parametrize("field", ["email", "password"])
def test_missing_field_is_400(users, account, field):
    body = {"email": account["email"], "password": account["password"]}
    del body[field]
    assert_problem(users.post("/login", json=body), 400, "VALIDATION_FAILED", {field})


@pytest.mark.parametrize("field", ["email", "password"])
@pytest.mark.parametrize("value", [123, None, [], {}, True], ids=["int", "null", "array", "object", "bool"])
def test_wrong_json_type_is_400(users, account, field, value):
    body = {"email": account["email"], "password": account["password"], field: value}
    assert_problem(users.post("/login", json=body), 400, "VALIDATION_FAILED", {field})


@pytest.mark.parametrize("email,password", [
    ("' OR '1'='1", "' OR '1'='1"),
    (f"{ADMIN_EMAIL}' --", "anything at all"),
    ("e" * 10_000 + "@example.com", "whatever password"),
    (ADMIN_EMAIL, "p" * 10_000),
    (ADMIN_EMAIL, "admin\x00"),
    ("nul\x00@example.com", "whatever password"),
    ("", ""),
], ids=["sql-both", "sql-comment", "huge-email", "huge-password", "nul-password", "nul-email", "empty"])
def test_hostile_login_is_refused_cleanly(users, email, password):
    response = _login(users, email, password)
    assert response.status_code in (400, 401), response.text
    if response.status_code == 401:
        _assert_invalid_credentials(response)
    else:
        assert_problem(response, 400, "VALIDATION_FAILED")


def test_extra_fields_are_ignored(users, account):
    response = users.post("/login", json={"email": account["email"], "password": account["password"],
                                          "role": "admin"})
    assert response.status_code == 200, response.text
    assert jwt.decode(response.json()["accessToken"], options={"verify_signature": False})["role"] == "customer"


# ------------------------------------------------------------------------------------------ admin

def test_bootstrap_admin_can_log_in_as_admin(users):
    token = login(users, ADMIN_EMAIL, ADMIN_PASSWORD)
    assert jwt.decode(token, options={"verify_signature": False})["role"] == "admin"
    profile = users.get("/profile", headers=bearer(token))
    assert profile.status_code == 200, profile.text
    assert profile.json()["role"] == "admin"
    assert profile.json()["email"] == ADMIN_EMAIL


def test_bootstrap_admin_is_stored_once_with_an_argon2id_hash(users, users_db):
    assert users_db.count(ADMIN_EMAIL) == 1
    row = users_db.user(ADMIN_EMAIL)
    assert row["role"] == "admin"
    assert row["password_hash"].startswith("$argon2id$")
    assert ADMIN_PASSWORD not in row["password_hash"]


def test_admin_email_cannot_be_registered_again(users):
    response = users.post("/register", json=registration(email=ADMIN_EMAIL.upper()))
    assert_problem(response, 409, "EMAIL_TAKEN")
