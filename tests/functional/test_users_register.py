"""POST /register: what is accepted, how it is normalised and stored, and everything that is refused
(with nothing stored)."""
from __future__ import annotations

import datetime as dt
import threading
import uuid

import pytest
import requests

from http_checks import UUID_RE, assert_problem, media_type, parse_rfc3339
from users_api import PASSWORD, bearer, login, registration


def _token() -> str:
    return uuid.uuid4().hex[:10]


def _assert_rejected(users, users_db, body: dict, fields: set[str]) -> None:
    """400 naming exactly `fields`, and no row with the body's (unique) valid email or name."""
    assert_problem(users.post("/register", json=body), 400, "VALIDATION_FAILED", fields)
    stored = users_db.count_matching(email=None if "email" in fields else body.get("email"),
                                     name=None if "name" in fields else body.get("name"))
    assert stored == 0, f"a rejected registration was stored: {body!r:.300}"


# ---------------------------------------------------------------------------------------- success

def test_register_returns_the_created_user(users):
    body = registration()
    response = users.post("/register", json=body)
    assert response.status_code == 201, response.text
    assert media_type(response) == "application/json"
    user = response.json()
    assert set(user) == {"id", "email", "name", "createdAt"}
    assert UUID_RE.match(user["id"])
    assert user["email"] == body["email"]
    assert user["name"] == body["name"]
    created = parse_rfc3339(user["createdAt"])
    assert abs((dt.datetime.now(dt.timezone.utc) - created).total_seconds()) < 60
    assert PASSWORD not in response.text
    assert "argon2" not in response.text.lower()


def test_register_stores_an_argon2id_hash_and_never_the_password(users, users_db):
    body = registration()
    user = users.post("/register", json=body).json()
    row = users_db.user(body["email"])
    assert row is not None
    assert row["id"] == user["id"]
    assert row["name"] == body["name"]
    assert row["role"] == "customer"
    assert row["password_hash"].startswith("$argon2id$"), row["password_hash"][:20]
    assert PASSWORD not in row["password_hash"]
    assert abs((row["created_at"] - parse_rfc3339(user["createdAt"])).total_seconds()) < 1


def test_same_password_gives_differently_salted_hashes(users, users_db):
    first, second = registration(), registration()
    for body in (first, second):
        assert users.post("/register", json=body).status_code == 201
    assert users_db.user(first["email"])["password_hash"] != users_db.user(second["email"])["password_hash"]


def test_email_is_trimmed_and_lowercased(users, users_db):
    local = f"MiXeD.Case-{_token()}"
    response = users.post("/register", json=registration(email=f"  {local}@Example.COM  "))
    assert response.status_code == 201, response.text
    expected = f"{local.lower()}@example.com"
    assert response.json()["email"] == expected
    assert users_db.count(expected) == 1


def test_name_is_trimmed(users, users_db):
    name = f"Grace Hopper {_token()}"
    response = users.post("/register", json=registration(name=f"   {name}  "))
    assert response.status_code == 201, response.text
    assert response.json()["name"] == name


def test_unknown_fields_are_ignored_and_role_cannot_be_chosen(users, users_db):
    chosen_id = str(uuid.uuid4())
    body = registration(role="admin", id=chosen_id, createdAt="2000-01-01T00:00:00Z", isAdmin=True,
                        password_hash="$argon2id$v=19$m=65536,t=2,p=1$c2FsdA$aGFzaA")
    response = users.post("/register", json=body)
    assert response.status_code == 201, response.text
    user = response.json()
    assert user["id"] != chosen_id
    assert not user["createdAt"].startswith("2000")
    assert users_db.user(body["email"])["role"] == "customer"
    profile = users.get("/profile", headers=bearer(login(users, body["email"], body["password"])))
    assert profile.status_code == 200, profile.text
    assert profile.json()["role"] == "customer"


# -------------------------------------------------------------------------------------------- email

def _long_local(t: str) -> str:
    return t + "l" * (64 - len(t))


def _email_of_254(t: str) -> str:
    domain = ".".join(["a" * 60, "b" * 60, "c" * 60, "d" * 6])  # 189 characters
    return f"{_long_local(t)}@{domain}"


VALID_EMAILS = {
    "apostrophe": lambda t: f"o'brien-{t}@example.com",
    "plus-and-subdomain": lambda t: f"first.last+{t}@sub.example.org",
    "two-letter-tld": lambda t: f"{t}@b.co",
    "hyphen-underscore": lambda t: f"user_name-{t}@my-domain.io",
    "local-part-64": lambda t: f"{_long_local(t)}@example.com",
    "total-254": _email_of_254,
    "sql-looking": lambda t: f"x'or'1'='1-{t}@example.com",
}


@pytest.mark.parametrize("make", VALID_EMAILS.values(), ids=VALID_EMAILS.keys())
def test_valid_email_is_accepted(users, users_db, make):
    email = make(_token())
    response = users.post("/register", json=registration(email=email))
    assert response.status_code == 201, f"{email!r}: {response.text}"
    assert response.json()["email"] == email.lower()
    assert users_db.count(email.lower()) == 1
    login(users, email, PASSWORD)


INVALID_EMAILS = {
    "empty": lambda t: "",
    "blank": lambda t: "   ",
    "no-at": lambda t: f"plain{t}.example.com",
    "empty-local": lambda t: f"@{t}.example.com",
    "no-domain": lambda t: f"{t}@",
    "domain-without-dot": lambda t: f"{t}@localhost",
    "one-letter-tld": lambda t: f"{t}@example.c",
    "numeric-tld": lambda t: f"{t}@example.12",
    "two-ats": lambda t: f"{t}@@example.com",
    "two-at-signs-apart": lambda t: f"{t}@x@example.com",
    "space-in-local": lambda t: f"{t} x@example.com",
    "space-in-domain": lambda t: f"{t}@exa mple.com",
    "tab-inside": lambda t: f"{t}\t@example.com",
    "newline-inside": lambda t: f"{t}\n@example.com",
    "nul": lambda t: f"{t}\x00@example.com",
    "escape": lambda t: f"{t}\x1b@example.com",
    "non-ascii-local": lambda t: f"\u00e9{t}@example.com",
    "non-ascii-domain": lambda t: f"{t}@ex\u00e4mple.com",
    "idn-domain": lambda t: f"{t}@\u4f8b\u3048.jp",
    "local-part-65": lambda t: f"{_long_local(t)}x@example.com",
    "total-255": lambda t: _email_of_254(t)[:-1] + "dd",
    # Stricter reading: a domain with an empty label is no domain.
    "empty-first-label": lambda t: f"{t}@.example.com",
    "empty-middle-label": lambda t: f"{t}@example..com",
    "trailing-dot": lambda t: f"{t}@example.com.",
}


@pytest.mark.parametrize("make", INVALID_EMAILS.values(), ids=INVALID_EMAILS.keys())
def test_invalid_email_is_rejected(users, users_db, make):
    _assert_rejected(users, users_db, registration(email=make(_token())), {"email"})


def test_254_and_255_character_emails_are_what_they_claim():
    assert len(_email_of_254("t")) == 254 and len(INVALID_EMAILS["total-255"]("t")) == 255
    assert len(INVALID_EMAILS["local-part-65"]("t").split("@")[0]) == 65


# ------------------------------------------------------------------------------------------ password

# Lengths at the limits, in characters; each also passes libpwquality (weak ones: test_users_account_rules.py).
EIGHT_EMOJI = "\U0001F355\U0001F354\U0001F32E\U0001F363\U0001F35C\U0001F957\U0001F369\U0001F36A"
VALID_PASSWORDS = {
    "8-ascii": "kR4v-9Qz",
    "128-ascii": ("Tr0ub4dor&3-horse-" * 8)[:128],
    "8-emoji": EIGHT_EMOJI,
    "128-emoji": EIGHT_EMOJI * 16,
    "control-chars": "zebra\nquilt\x1b\x7f\t42",
    "non-ascii": "\u00fcn\u00efc\u00f6d\u00e9-\u00df",
}


@pytest.mark.parametrize("password", VALID_PASSWORDS.values(), ids=VALID_PASSWORDS.keys())
def test_valid_password_is_accepted_and_logs_in(users, password):
    body = registration(password=password)
    response = users.post("/register", json=body)
    assert response.status_code == 201, response.text
    login(users, body["email"], password)


def test_password_is_not_trimmed(users):
    body = registration(password="  padded-password  ")
    assert users.post("/register", json=body).status_code == 201
    login(users, body["email"], "  padded-password  ")
    response = users.post("/login", json={"email": body["email"], "password": "padded-password"})
    assert_problem(response, 401, "INVALID_CREDENTIALS")


INVALID_PASSWORDS = {
    "empty": "",
    "7-ascii": "a" * 7,
    "7-emoji": "\U0001F355" * 7,  # 28 bytes: counting bytes would let it through
    "129-ascii": "b" * 129,
    "129-emoji": "\U0001F354" * 129,
    "nul-inside": "abcd\x00efgh",
    "only-nul": "\x00" * 8,
}


@pytest.mark.parametrize("password", INVALID_PASSWORDS.values(), ids=INVALID_PASSWORDS.keys())
def test_invalid_password_is_rejected(users, users_db, password):
    _assert_rejected(users, users_db, registration(password=password), {"password"})


# ---------------------------------------------------------------------------------------------- name

VALID_NAMES = {
    "one-char": lambda t: "A",
    "100-chars": lambda t: (t * 10)[:100],
    "100-emoji": lambda t: "\U0001F355" * 100,
    "100-after-trim": lambda t: "  " + (t * 10)[:100] + "  ",
    "accents": lambda t: f"Jos\u00e9 \u00d1\u00fa\u00f1ez {t}",
    "cjk": lambda t: f"\u674e\u5c0f\u9f99 {t}",
    "apostrophe-hyphen": lambda t: f"O'Brien-Smith {t}",
    "sql": lambda t: "Robert'); DROP TABLE users;--",
    "html": lambda t: "<script>alert(1)</script>",
    "quotes-backslash-percent": lambda t: f"100% \"quoted\" \\ back_slash {t}",
}


@pytest.mark.parametrize("make", VALID_NAMES.values(), ids=VALID_NAMES.keys())
def test_valid_name_is_stored_and_returned_verbatim(users, users_db, make):
    name = make(_token())
    body = registration(name=name)
    response = users.post("/register", json=body)
    assert response.status_code == 201, response.text
    assert response.json()["name"] == name.strip()
    assert users_db.user(body["email"])["name"] == name.strip()
    profile = users.get("/profile", headers=bearer(login(users, body["email"], PASSWORD)))
    assert profile.json()["name"] == name.strip()
    assert users_db.table_exists()


INVALID_NAMES = {
    "empty": "",
    "blank": "    ",
    "101-chars": "n" * 101,
    "101-emoji": "\U0001F355" * 101,
    "nul": "Ann\x00Lee",
    "escape": "Ann\x1bLee",
    "ansi-colour": "\x1b[31mred",
    "newline": "Ann\nLee",
    "carriage-return": "Ann\rLee",
    "tab": "Ann\tLee",
    "bell": "Ann\x07Lee",
    "delete": "Ann\x7fLee",
    # Stricter reading: C1 control characters are control characters too.
    "c1-next-line": "Ann\u0085Lee",
    "c1-csi": "Ann\u009b31mLee",
}


@pytest.mark.parametrize("name", INVALID_NAMES.values(), ids=INVALID_NAMES.keys())
def test_invalid_name_is_rejected(users, users_db, name):
    _assert_rejected(users, users_db, registration(name=name), {"name"})


# ----------------------------------------------------------------------------- missing and wrong types

@pytest.mark.parametrize("field", ["email", "password", "name"])
def test_missing_field_is_named(users, users_db, field):
    body = registration()
    del body[field]
    _assert_rejected(users, users_db, body, {field})


def test_empty_object_names_every_field(users):
    assert_problem(users.post("/register", json={}), 400, "VALIDATION_FAILED", {"email", "password", "name"})


WRONG_TYPES = {"int": 123, "float": 1.5, "null": None, "empty-array": [], "array": ["a@example.com"],
               "empty-object": {}, "object": {"x": "y"}, "true": True, "false": False}


@pytest.mark.parametrize("field", ["email", "password", "name"])
@pytest.mark.parametrize("value", WRONG_TYPES.values(), ids=WRONG_TYPES.keys())
def test_wrong_json_type_is_named(users, users_db, field, value):
    _assert_rejected(users, users_db, registration(**{field: value}), {field})


def test_every_bad_field_is_named_at_once(users, users_db):
    body = {"email": "not-an-email", "password": "short", "name": ""}
    assert_problem(users.post("/register", json=body), 400, "VALIDATION_FAILED", {"email", "password", "name"})


# ------------------------------------------------------------------------------------------ hostile

@pytest.mark.parametrize("field", ["email", "password", "name"])
def test_10000_character_field_is_rejected(users, users_db, field):
    huge = {"email": "e" * 9988 + "@example.com", "password": "p" * 10_000, "name": "n" * 10_000}[field]
    _assert_rejected(users, users_db, registration(**{field: huge}), {field})


def test_10000_character_everything_names_every_field(users):
    body = {"email": "e" * 9988 + "@example.com", "password": "p" * 10_000, "name": "n" * 10_000}
    assert_problem(users.post("/register", json=body), 400, "VALIDATION_FAILED", {"email", "password", "name"})


def test_nested_value_is_a_wrong_type(users, users_db):
    _assert_rejected(users, users_db, registration(name=[[[[["x"]]]]]), {"name"})


def test_sql_in_an_invalid_email_changes_nothing(users, users_db):
    _assert_rejected(users, users_db, registration(email="x'); DROP TABLE users;--@example.com"), {"email"})
    assert users_db.table_exists()


# ---------------------------------------------------------------------------------------- duplicates

def test_duplicate_email_is_409_and_keeps_the_first_account(users, users_db):
    body = registration()
    first = users.post("/register", json=body)
    assert first.status_code == 201
    again = registration(email=body["email"], password="another password")
    assert_problem(users.post("/register", json=again), 409, "EMAIL_TAKEN")
    assert users_db.count(body["email"]) == 1
    login(users, body["email"], PASSWORD)
    refused = users.post("/login", json={"email": body["email"], "password": "another password"})
    assert_problem(refused, 401, "INVALID_CREDENTIALS")


@pytest.mark.parametrize("variant", [str.upper, lambda e: f"  {e}  ", lambda e: f" {e.title()}\t"],
                         ids=["upper", "spaces", "title-and-tab"])
def test_duplicate_differing_by_case_or_whitespace_is_409(users, users_db, variant):
    body = registration()
    assert users.post("/register", json=body).status_code == 201
    assert_problem(users.post("/register", json=registration(email=variant(body["email"]))), 409, "EMAIL_TAKEN")
    assert users_db.count(body["email"]) == 1


def test_concurrent_duplicates_create_exactly_one_account(users, users_db):
    email = registration()["email"]
    barrier = threading.Barrier(6)
    statuses: list[int | str] = []

    def attempt() -> None:
        body = registration(email=email)
        barrier.wait(timeout=10)
        try:
            statuses.append(requests.post(users.url + "/register", json=body, timeout=30).status_code)
        except requests.RequestException as exc:
            statuses.append(repr(exc))

    threads = [threading.Thread(target=attempt) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(statuses, key=str) == [201] + [409] * 5, statuses
    assert users_db.count(email) == 1
