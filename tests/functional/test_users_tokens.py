"""Access tokens: the JWK set, what a token says, GET /profile, and every token that must be refused."""
from __future__ import annotations

import base64
import time
import uuid
from pathlib import Path

import jwt
import pytest

import jwt_forge as forge
from http_checks import UUID_RE, assert_problem, media_type
from users_api import (ADMIN_EMAIL, ADMIN_PASSWORD, DEFAULT_TTL, JWT_AUDIENCE, JWT_ISSUER, bearer, login,
                       register)


@pytest.fixture(scope="module")
def jwk(users) -> dict:
    response = users.get("/.well-known/jwks.json")
    assert response.status_code == 200, response.text
    keys = response.json()["keys"]
    assert len(keys) == 1, keys
    return keys[0]


@pytest.fixture(scope="module")
def public_key(jwk):
    return forge.public_key_from_jwk(jwk)


@pytest.fixture(scope="module")
def private_key(users):
    return forge.load_private_key(Path(users.env["JWT_PRIVATE_KEY_FILE"]))


@pytest.fixture(scope="module")
def account(users) -> dict:
    user = register(users)
    return {**user, "role": "customer", "token": login(users, user["email"], user["password"])}


@pytest.fixture(scope="module")
def admin(users) -> dict:
    token = login(users, ADMIN_EMAIL, ADMIN_PASSWORD)
    return {**users.get("/profile", headers=bearer(token)).json(), "token": token}


def _claims(user: dict, **overrides) -> dict:
    return forge.claims_for(user, issuer=JWT_ISSUER, audience=JWT_AUDIENCE, **overrides)


def _decode(token: str, public_key) -> dict:
    return jwt.decode(token, public_key, algorithms=["RS256"], audience=JWT_AUDIENCE, issuer=JWT_ISSUER)


# ------------------------------------------------------------------------------------------ JWK set

def test_jwks_publishes_one_rs256_signing_key(users, jwk):
    response = users.get("/.well-known/jwks.json")
    assert media_type(response) == "application/json"
    assert set(response.json()) == {"keys"}
    assert jwk["kty"] == "RSA" and jwk["use"] == "sig" and jwk["alg"] == "RS256"
    assert isinstance(jwk["kid"], str) and jwk["kid"]
    for member in ("n", "e"):
        assert "=" not in jwk[member] and "+" not in jwk[member] and "/" not in jwk[member], \
            f"{member} is not unpadded base64url"


def test_jwks_has_no_private_key_material(jwk):
    assert not {"d", "p", "q", "dp", "dq", "qi", "oth", "k"} & set(jwk), sorted(jwk)


def test_jwks_key_is_strong_and_matches_the_key_file(public_key, private_key):
    assert public_key.key_size >= 2048
    assert public_key.public_numbers() == private_key.public_key().public_numbers()


# ------------------------------------------------------------------------------------------ the token

def test_token_is_rs256_with_the_published_kid(account, jwk):
    header = forge.header_of(account["token"])
    assert header["alg"] == "RS256"
    assert header["kid"] == jwk["kid"]


def test_token_claims(account, public_key):
    claims = _decode(account["token"], public_key)
    assert {"sub", "email", "name", "role", "iss", "aud", "iat", "exp", "jti"} <= set(claims)
    assert claims["sub"] == account["id"]
    assert claims["email"] == account["email"]
    assert claims["name"] == account["name"]
    assert claims["role"] == "customer"
    assert claims["iss"] == JWT_ISSUER
    assert claims["aud"] in (JWT_AUDIENCE, [JWT_AUDIENCE])
    assert abs(claims["iat"] - time.time()) < 120
    assert claims["exp"] == claims["iat"] + DEFAULT_TTL
    assert isinstance(claims["jti"], str) and claims["jti"]
    assert not [k for k in claims if "pass" in k.lower() or "hash" in k.lower()]


def test_every_token_has_its_own_jti(users, account, public_key):
    again = login(users, account["email"], account["password"])
    assert _decode(again, public_key)["jti"] != _decode(account["token"], public_key)["jti"]


# ------------------------------------------------------------------------------------------ profile

def test_profile_returns_the_user(users, account):
    response = users.get("/profile", headers=bearer(account["token"]))
    assert response.status_code == 200, response.text
    assert media_type(response) == "application/json"
    profile = response.json()
    assert set(profile) == {"id", "email", "name", "role", "createdAt"}
    assert UUID_RE.match(profile["id"]) and profile["id"] == account["id"]
    assert profile["email"] == account["email"]
    assert profile["name"] == account["name"]
    assert profile["role"] == "customer"
    assert profile["createdAt"] == account["createdAt"]


def test_token_we_sign_with_the_real_key_is_accepted(users, account, private_key, jwk):
    """Control for the refusals below: each of them changes one thing in a token like this one."""
    token = forge.sign(_claims(account), private_key, jwk["kid"])
    response = users.get("/profile", headers=bearer(token))
    assert response.status_code == 200, response.text


def test_profile_of_a_deleted_user_is_401(users, users_db):
    user = register(users)
    token = login(users, user["email"], user["password"])
    assert users.get("/profile", headers=bearer(token)).status_code == 200
    assert users_db.delete(user["id"]) == 1
    _assert_unauthorized(users.get("/profile", headers=bearer(token)))


# -------------------------------------------------------------------------------------- refusals

def _assert_unauthorized(response) -> None:
    assert_problem(response, 401, "UNAUTHORIZED")
    assert response.headers.get("WWW-Authenticate", "").startswith("Bearer"), response.headers


BAD_AUTHORIZATION = {
    "no-header": lambda k: None,
    "basic-scheme": lambda k: "Basic " + base64.b64encode(f"{k['account']['email']}:x".encode()).decode(),
    "bearer-alone": lambda k: "Bearer",
    "bearer-empty": lambda k: "Bearer ",
    "garbage": lambda k: "Bearer garbage",
    "three-garbage-parts": lambda k: "Bearer a.b.c",
    "token-without-scheme": lambda k: k["account"]["token"],
    "two-tokens": lambda k: f"Bearer {k['account']['token']} {k['account']['token']}",
    "huge": lambda k: "Bearer " + "A" * 6000,
    "truncated-signature": lambda k: "Bearer " + k["account"]["token"][:-6],
    "tampered-sub": lambda k: "Bearer " + forge.with_payload(k["account"]["token"], sub=k["admin"]["id"]),
    "tampered-role": lambda k: "Bearer " + forge.with_payload(k["account"]["token"], role="admin"),
    "alg-none": lambda k: "Bearer " + forge.unsigned(_claims(k["account"]), k["kid"]),
    "alg-None": lambda k: "Bearer " + forge.unsigned(_claims(k["account"]), k["kid"], alg="None"),
    "alg-none-with-signature": lambda k: "Bearer " + forge.unsigned(
        _claims(k["account"]), k["kid"], signature=k["account"]["token"].split(".")[2]),
    "alg-number": lambda k: "Bearer " + forge.unsigned(_claims(k["account"]), k["kid"], alg=1),
    "alg-null": lambda k: "Bearer " + forge.unsigned(_claims(k["account"]), k["kid"], alg=None),
    "alg-list": lambda k: "Bearer " + forge.unsigned(_claims(k["account"]), k["kid"], alg=["RS256"],
                                                     signature=k["account"]["token"].split(".")[2]),
    "kid-number": lambda k: "Bearer " + forge.unsigned(_claims(k["account"]), 7, alg="RS256",
                                                       signature=k["account"]["token"].split(".")[2]),
    "hs256-public-pem": lambda k: "Bearer " + forge.hs256_with_secret(
        _claims(k["account"]), k["kid"], forge.public_pem(k["public"])),
    "hs256-public-pem-no-newline": lambda k: "Bearer " + forge.hs256_with_secret(
        _claims(k["account"]), k["kid"], forge.public_pem(k["public"]).rstrip(b"\n")),
    "hs256-pkcs1-pem": lambda k: "Bearer " + forge.hs256_with_secret(
        _claims(k["account"]), k["kid"], forge.public_pem(k["public"], pkcs1=True)),
    "rs512-real-key": lambda k: "Bearer " + forge.sign(_claims(k["account"]), k["private"], k["kid"], "RS512"),
    "ps256-real-key": lambda k: "Bearer " + forge.sign(_claims(k["account"]), k["private"], k["kid"], "PS256"),
    "unknown-kid": lambda k: "Bearer " + forge.sign(_claims(k["account"]), k["private"], "unknown-kid"),
    "other-key-right-kid": lambda k: "Bearer " + forge.sign(_claims(k["account"]), k["other"], k["kid"]),
    "expired": lambda k: "Bearer " + forge.sign(
        _claims(k["account"], iat=int(time.time()) - 1000, exp=int(time.time()) - 100), k["private"], k["kid"]),
    "no-exp": lambda k: "Bearer " + forge.sign(_claims(k["account"], exp=None), k["private"], k["kid"]),
    "wrong-iss": lambda k: "Bearer " + forge.sign(_claims(k["account"], iss="evil-issuer"), k["private"], k["kid"]),
    "no-iss": lambda k: "Bearer " + forge.sign(_claims(k["account"], iss=None), k["private"], k["kid"]),
    "wrong-aud": lambda k: "Bearer " + forge.sign(_claims(k["account"], aud="other-app"), k["private"], k["kid"]),
    "no-aud": lambda k: "Bearer " + forge.sign(_claims(k["account"], aud=None), k["private"], k["kid"]),
    "unknown-sub": lambda k: "Bearer " + forge.sign(_claims(k["account"], sub=str(uuid.uuid4())), k["private"],
                                                    k["kid"]),
    "sql-sub": lambda k: "Bearer " + forge.sign(_claims(k["account"], sub="' OR '1'='1"), k["private"], k["kid"]),
    "numeric-sub": lambda k: "Bearer " + forge.sign(_claims(k["account"], sub=42), k["private"], k["kid"]),
}


@pytest.fixture(scope="module")
def keys(account, admin, jwk, public_key, private_key) -> dict:
    return {"account": account, "admin": admin, "kid": jwk["kid"], "public": public_key,
            "private": private_key, "other": forge.new_rsa_key()}


@pytest.mark.parametrize("make", BAD_AUTHORIZATION.values(), ids=BAD_AUTHORIZATION.keys())
def test_bad_token_is_401(users, keys, make):
    authorization = make(keys)
    headers = {} if authorization is None else {"Authorization": authorization}
    _assert_unauthorized(users.get("/profile", headers=headers))
