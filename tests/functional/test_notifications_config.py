"""notifications-service start-up: bad variables are named and refused, `--help` lists them, and a service started
while PostgreSQL and RabbitMQ are unreachable stays up (not ready) instead of crash-looping."""
from __future__ import annotations

import pytest

import harness
from harness import run_binary, wait_for


def _env(**overrides) -> dict[str, str]:
    env = {"PORT": str(harness.free_port()), "LOG_LEVEL": "info",
           "DATABASE_URL": harness.database_url("notifications"),
           "AMQP_URL": f"amqp://guest:guest@127.0.0.1:{harness.AMQP_PORT}/%2f",
           "JWKS_URL": "http://127.0.0.1:9/.well-known/jwks.json"}
    env.update(overrides)
    return env


@pytest.mark.parametrize("name,value", [
    ("AMQP_URL", "http://rabbit:5672/"), ("AMQP_URL", "amqp://h/a/b"), ("AMQP_URL", "amqp://h:0/"),
    ("RETRY_MAX_ATTEMPTS", "0"), ("RETRY_MAX_ATTEMPTS", "many"), ("RETRY_BASE_DELAY_MS", "-1"),
    ("PREFETCH", "0"), ("CONSUMERS", "0"), ("CONSUMERS", "17"), ("CONSUMERS", "two"),
    ("DATABASE_URL", "mysql://x"), ("JWKS_URL", "ftp://x/jwks"), ("PORT", "70000"),
])
def test_malformed_variable_exits_2_naming_it(notifications_binary, name, value):
    proc = run_binary(notifications_binary, _env(**{name: value}), timeout=10)
    assert proc.returncode == 2, f"exit {proc.returncode}; stderr: {proc.stderr}"
    assert name in proc.stderr, proc.stderr


def test_help_lists_every_variable_with_its_default(notifications_binary):
    proc = run_binary(notifications_binary, {}, ["--help"])
    assert proc.returncode == 0, proc.stderr
    for text in ("PORT", "3004", "DATABASE_URL",
                 "postgresql://notifications:notifications@localhost:5432/notifications", "AMQP_URL",
                 "amqp://guest:guest@localhost:5672/%2f", "JWKS_URL", "JWT_ISSUER", "JWT_AUDIENCE",
                 "RETRY_MAX_ATTEMPTS", "RETRY_BASE_DELAY_MS", "PREFETCH", "CONSUMERS"):
        assert text in proc.stdout, f"{text} missing from --help:\n{proc.stdout}"


def test_starts_without_its_dependencies_and_is_not_ready(start_notifications):
    closed = harness.free_port()
    service = start_notifications({"DATABASE_URL": f"postgresql://notifications:notifications@127.0.0.1:{closed}/x",
                                   "AMQP_URL": f"amqp://guest:guest@127.0.0.1:{closed}/%2f"}, wait_ready=False)
    ready = service.get("/ready")
    assert ready.status_code == 503, ready.text
    assert ready.json()["checks"] == {"postgres": "down", "rabbitmq": "down"}
    assert ready.headers.get("Retry-After") == "2"
    wait_for(lambda: "database not ready, retrying" in service.stdout(), timeout=10, message="a retry logged")
    assert service.running
