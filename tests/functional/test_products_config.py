"""products-service start-up configuration: bad variables are named and refused, `--help` lists them."""
from __future__ import annotations

import time

import pytest

import harness
from harness import run_binary


def _env(**overrides) -> dict[str, str]:
    env = {"PORT": str(harness.free_port()), "LOG_LEVEL": "info",
           "DATABASE_URL": harness.database_url("products"),
           "REDIS_URL": f"redis://127.0.0.1:{harness.REDIS_PORT}/0",
           "JWKS_URL": "http://127.0.0.1:9/.well-known/jwks.json", "CACHE_TTL_SECONDS": "60"}
    env.update(overrides)
    return env


@pytest.mark.parametrize("name,value", [
    ("REDIS_URL", "http://x"), ("REDIS_URL", "not a url"), ("REDIS_URL", "redis://host:notaport/0"),
    ("REDIS_URL", "redis://127.0.0.1:6379/99"),
    ("CACHE_TTL_SECONDS", "abc"), ("CACHE_TTL_SECONDS", "0"), ("CACHE_TTL_SECONDS", "-5"),
    ("CACHE_TTL_SECONDS", "1.5"),
    ("DATABASE_URL", "mysql://x"), ("JWKS_URL", "ftp://x/jwks"), ("PORT", "70000"),
])
def test_malformed_variable_exits_2_naming_it(products_binary, name, value):
    started = time.monotonic()
    proc = run_binary(products_binary, _env(**{name: value}), timeout=10)
    assert proc.returncode == 2, f"exit {proc.returncode}; stderr: {proc.stderr}"
    assert time.monotonic() - started < 5
    assert name in proc.stderr, proc.stderr


def test_every_malformed_variable_is_reported_at_once(products_binary):
    proc = run_binary(products_binary, _env(REDIS_URL="http://x", CACHE_TTL_SECONDS="abc", PORT="abc"))
    assert proc.returncode == 2, proc.stderr
    for name in ("REDIS_URL", "CACHE_TTL_SECONDS", "PORT"):
        assert name in proc.stderr, proc.stderr


def test_help_lists_the_variables_and_exits_0(products_binary):
    proc = run_binary(products_binary, _env(), ["--help"])
    assert proc.returncode == 0, proc.stderr
    for name in ("PORT", "LOG_LEVEL", "DATABASE_URL", "REDIS_URL", "CACHE_TTL_SECONDS", "JWKS_URL", "JWT_ISSUER",
                 "JWT_AUDIENCE"):
        assert name in proc.stdout, f"--help does not mention {name}:\n{proc.stdout}"


def test_unreachable_redis_at_start_is_not_a_configuration_error(start_products):
    service = start_products({"REDIS_URL": f"redis://127.0.0.1:{harness.free_port()}/0"})
    response = service.get("/products")
    assert response.status_code == 200, response.text
    assert response.headers.get("X-Cache") == "BYPASS"
    assert service.get("/ready").json() == {"status": "ok", "checks": {"postgres": "up", "redis": "down"}}
