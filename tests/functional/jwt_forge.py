"""Building JWTs by hand, including the malicious ones PyJWT refuses to make."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def b64url_json(value: Any) -> str:
    return b64url(json.dumps(value, separators=(",", ":")).encode())


def claims_for(user: dict, *, issuer: str, audience: str, ttl: int = 900, **overrides: Any) -> dict:
    """Claims as users-service issues them for `user` (id, email, name, role); overrides replace or,
    with the value None, remove a claim."""
    now = int(time.time())
    claims = {"sub": user["id"], "email": user["email"], "name": user["name"],
              "role": user.get("role", "customer"), "iss": issuer, "aud": audience,
              "iat": now, "exp": now + ttl, "jti": str(uuid.uuid4())}
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


def sign(claims: dict, key: Any, kid: str | None, alg: str = "RS256") -> str:
    headers = {"kid": kid} if kid is not None else {}
    return jwt.encode(claims, key, algorithm=alg, headers=headers)


def unsigned(claims: dict, kid: Any, alg: Any = "none", signature: str = "") -> str:
    """A token whose header says `alg` (any JSON value, as an attacker may write it) and `kid`."""
    header = {"alg": alg, "typ": "JWT"}
    if kid is not None:
        header["kid"] = kid
    return f"{b64url_json(header)}.{b64url_json(claims)}.{signature}"


def hs256_with_secret(claims: dict, kid: str | None, secret: bytes) -> str:
    """HS256 over the claims with `secret` as the HMAC key: the RS256/HS256 key-confusion attack."""
    header = {"alg": "HS256", "typ": "JWT"}
    if kid is not None:
        header["kid"] = kid
    signing_input = f"{b64url_json(header)}.{b64url_json(claims)}"
    mac = hmac.new(secret, signing_input.encode("ascii"), hashlib.sha256).digest()
    return f"{signing_input}.{b64url(mac)}"


def with_payload(token: str, **changes: Any) -> str:
    """The same header and signature around a modified payload."""
    header, payload, signature = token.split(".")
    claims = json.loads(b64url_decode(payload))
    claims.update(changes)
    return f"{header}.{b64url_json(claims)}.{signature}"


def header_of(token: str) -> dict:
    return json.loads(b64url_decode(token.split(".")[0]))


def load_private_key(path: Path) -> rsa.RSAPrivateKey:
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    assert isinstance(key, rsa.RSAPrivateKey), f"{path} holds a {type(key).__name__}, not an RSA key"
    return key


def new_rsa_key(bits: int = 2048) -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def public_key_from_jwk(jwk: dict) -> rsa.RSAPublicKey:
    n = int.from_bytes(b64url_decode(jwk["n"]), "big")
    e = int.from_bytes(b64url_decode(jwk["e"]), "big")
    return rsa.RSAPublicNumbers(e, n).public_key()


def public_pem(key: rsa.RSAPublicKey, pkcs1: bool = False) -> bytes:
    fmt = serialization.PublicFormat.PKCS1 if pkcs1 else serialization.PublicFormat.SubjectPublicKeyInfo
    return key.public_bytes(serialization.Encoding.PEM, fmt)
