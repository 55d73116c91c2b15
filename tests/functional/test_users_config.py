"""Start-up configuration: bad variables are named and refused, `--help` lists them."""
from __future__ import annotations

import time

import pytest

import harness
from harness import run_binary
from users_api import users_env


def _env(tmp_path, **overrides) -> dict[str, str]:
    env = {**users_env(tmp_path / "jwt.pem"), "PORT": str(harness.free_port()), "LOG_LEVEL": "info"}
    env.update(overrides)
    return env


@pytest.mark.parametrize("name,value", [
    ("PORT", "abc"), ("PORT", "70000"), ("PORT", "-1"), ("PORT", "80x"),
    ("LOG_LEVEL", "loud"),
    ("DATABASE_URL", "mysql://x"), ("DATABASE_URL", "not a url"), ("DATABASE_URL", "postgresql://"),
    ("JWT_TTL_SECONDS", "abc"), ("JWT_TTL_SECONDS", "-5"), ("JWT_GENERATE_KEY", "no"),
])
def test_malformed_variable_exits_2_naming_it(users_binary, tmp_path, name, value):
    started = time.monotonic()
    proc = run_binary(users_binary, _env(tmp_path, **{name: value}), timeout=10)
    assert proc.returncode == 2, f"exit {proc.returncode}; stderr: {proc.stderr}"
    assert time.monotonic() - started < 5
    assert name in proc.stderr, proc.stderr
    assert not (tmp_path / "jwt.pem").exists(), "a refused configuration still generated the key file"


def test_every_malformed_variable_is_reported_at_once(users_binary, tmp_path):
    env = _env(tmp_path, PORT="abc", LOG_LEVEL="loud", DATABASE_URL="mysql://x")
    proc = run_binary(users_binary, env)
    assert proc.returncode == 2, proc.stderr
    for name in ("PORT", "LOG_LEVEL", "DATABASE_URL"):
        assert name in proc.stderr, proc.stderr


# Stricter reading: a bootstrap admin that could never be registered is a malformed variable too.
@pytest.mark.parametrize("name,value", [("ADMIN_EMAIL", "not-an-email"), ("ADMIN_PASSWORD", "x7Q!zk")])
def test_unusable_admin_account_is_refused_without_echoing_secrets(users_binary, tmp_path, name, value):
    proc = run_binary(users_binary, _env(tmp_path, **{name: value}))
    assert proc.returncode == 2, f"exit {proc.returncode}; stderr: {proc.stderr}"
    assert name in proc.stderr
    if name == "ADMIN_PASSWORD":
        assert value not in proc.stderr.replace("ADMIN_PASSWORD", ""), "the password was printed"


def test_help_lists_the_variables_and_exits_0(users_binary, tmp_path):
    env = _env(tmp_path, DATABASE_URL=f"postgresql://users:users@127.0.0.1:{harness.free_port()}/users",
               ADMIN_PASSWORD="do-not-print-this-secret")
    proc = run_binary(users_binary, env, ["--help"])
    assert proc.returncode == 0, proc.stderr
    for name in ("PORT", "LOG_LEVEL", "DATABASE_URL", "JWT_PRIVATE_KEY_FILE", "JWT_TTL_SECONDS",
                 "JWT_ISSUER", "JWT_AUDIENCE", "ADMIN_EMAIL", "ADMIN_PASSWORD"):
        assert name in proc.stdout, f"--help does not mention {name}:\n{proc.stdout}"
    assert "do-not-print-this-secret" not in proc.stdout + proc.stderr
    assert not (tmp_path / "jwt.pem").exists(), "--help generated the key file"


def test_a_missing_shared_key_stops_the_start_when_key_generation_is_off(users_binary, tmp_path):
    """Cluster mode: replicas share one key file and must never sign with a key of their own."""
    proc = run_binary(users_binary, _env(tmp_path, JWT_GENERATE_KEY="false"), timeout=10)
    assert proc.returncode == 2, f"exit {proc.returncode}; stderr: {proc.stderr}"
    assert "JWT_PRIVATE_KEY_FILE" in proc.stderr, proc.stderr
    assert not (tmp_path / "jwt.pem").exists(), "a key was generated although generation is off"
