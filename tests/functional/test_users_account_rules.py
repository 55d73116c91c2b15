"""Account rules of issue 17: passwords checked by libpwquality (the reason in the error), names without
invisible, bidirectional-control, separator or unassigned characters, and a per-account login backoff kept in
PostgreSQL (shared by replicas): 429 with Retry-After, never longer than LOGIN_MAX_DELAY_S."""
from __future__ import annotations

import uuid

import pytest

from harness import unique_email, wait_for
from http_checks import assert_problem, assert_retry_after
from users_api import register, registration


@pytest.mark.parametrize("password,reason", [
    ("        ", "palindrome"),
    ("12345678", "simplistic"),
    ("password", "dictionary word"),
    ("abcdefgh", "simplistic"),
])
def test_weak_password_is_refused_with_the_reason_and_not_stored(users, users_db, password, reason):
    body = registration(password=password)
    response = users.post("/register", json=body)
    problem = assert_problem(response, 400, "VALIDATION_FAILED", fields=["password"])
    assert reason in problem["errors"][0]["message"], problem
    assert users_db.count(body["email"]) == 0


def test_password_containing_the_email_name_is_refused(users, users_db):
    local = "marguerite" + uuid.uuid4().hex[:6]
    email = f"{local}@example.com"
    body = registration(email=email, password=local + "-2024")
    response = users.post("/register", json=body)
    problem = assert_problem(response, 400, "VALIDATION_FAILED", fields=["password"])
    assert "user name" in problem["errors"][0]["message"], problem
    assert users_db.count(email) == 0


@pytest.mark.parametrize("character", ["\u202e", "\u200b", "\u2028", "\u2029", "\ufeff", "\u0378", "\U000e0001"])
def test_name_with_an_invisible_or_separator_character_is_refused_by_code_point(users, users_db, character):
    body = registration(name="Ana" + character + "Lima")
    response = users.post("/register", json=body)
    problem = assert_problem(response, 400, "VALIDATION_FAILED", fields=["name"])
    assert f"U+{ord(character):04X}" in problem["errors"][0]["message"], problem
    assert users_db.count(body["email"]) == 0


def test_names_in_any_script_are_accepted(users):
    for name in ("María José", "李小龍", "محمد", "Zoë O'Neil"):
        assert users.post("/register", json=registration(name=name)).status_code == 201, name


# ------------------------------------------------------------------------------------------- login backoff

THROTTLE = {"LOGIN_FREE_ATTEMPTS": "3", "LOGIN_MAX_DELAY_S": "2"}


def login(service, email, password):
    return service.post("/login", json={"email": email, "password": password})


def test_login_backoff_holds_across_replicas_and_never_locks_out_for_long(start_users):
    first = start_users(THROTTLE)
    second = start_users(THROTTLE)
    account = register(first)
    email, password = account["email"], account["password"]

    for _ in range(3):  # the free attempts
        assert_problem(login(first, email, "wrong password!"), 401, "INVALID_CREDENTIALS")
    # The 4th is checked, and makes the account wait 2 s, on every replica: even the right password waits.
    assert_problem(login(second, email, "wrong password!"), 401, "INVALID_CREDENTIALS")
    throttled = login(first, email, password)
    problem = assert_problem(throttled, 429, "LOGIN_THROTTLED")
    assert_retry_after(throttled)
    assert int(throttled.headers["Retry-After"]) <= 2
    assert "accessToken" not in problem
    assert_problem(login(second, email, password), 429, "LOGIN_THROTTLED")

    # The owner gets in once the short wait is over, and that clears the count.
    ok = wait_for(lambda: (r := login(second, email, password)).status_code == 200 and r, timeout=6,
                  message="login allowed again after Retry-After")
    assert ok.json()["accessToken"]
    assert_problem(login(first, email, "wrong password!"), 401, "INVALID_CREDENTIALS")


def test_many_guesses_never_make_the_owner_wait_longer_than_the_cap(start_users):
    users = start_users(THROTTLE)
    account = register(users)
    email = account["email"]
    for _ in range(12):  # an attacker: each guess is refused, and only allowed ones are counted
        response = login(users, email, "guess")
        assert response.status_code in (401, 429), response.text
        if response.status_code == 429:
            assert int(response.headers["Retry-After"]) <= 2
    wait_for(lambda: login(users, email, account["password"]).status_code == 200, timeout=6,
             message="the owner logs in within the cap")


def test_unknown_emails_are_throttled_like_real_ones(start_users):
    users = start_users(THROTTLE)
    email = unique_email("nobody")
    statuses = [login(users, email, "guess").status_code for _ in range(5)]
    assert statuses[:4] == [401] * 4 and statuses[4] == 429, statuses
