"""orders-service start-up configuration: bad variables are named and refused, `--help` lists them."""
from __future__ import annotations

import pytest

import harness
from harness import run_binary
from orders_api import amqp_url


def _env(**overrides) -> dict[str, str]:
    env = {"PORT": str(harness.free_port()), "LOG_LEVEL": "info",
           "DATABASE_URL": harness.database_url("orders"), "AMQP_URL": amqp_url(),
           "USERS_URL": "http://127.0.0.1:9", "PRODUCTS_URL": "http://127.0.0.1:9",
           "JWKS_URL": "http://127.0.0.1:9/.well-known/jwks.json"}
    env.update(overrides)
    return env


@pytest.mark.parametrize("name,value", [
    ("OUTBOX_RETENTION_S", "-1"), ("OUTBOX_RETENTION_S", "an hour"), ("OUTBOX_RETENTION_S", "31536001"),
    ("IDEMPOTENCY_KEY_RETENTION_S", "-1"), ("IDEMPOTENCY_KEY_RETENTION_S", "1d"),
    ("IDEMPOTENCY_KEY_RETENTION_S", "99999999999"),
    ("PRUNE_INTERVAL_S", "0"), ("PRUNE_INTERVAL_S", "86401"), ("PRUNE_INTERVAL_S", "1.5"),
    ("PRUNE_BATCH_SIZE", "0"), ("PRUNE_BATCH_SIZE", "10001"), ("PRUNE_BATCH_SIZE", "many"),
    ("OUTBOX_BATCH_SIZE", "0"), ("AMQP_URL", "http://rabbit:5672/"), ("PORT", "70000"),
])
def test_malformed_variable_exits_2_naming_it(orders_binary, name, value):
    proc = run_binary(orders_binary, _env(**{name: value}), timeout=10)
    assert proc.returncode == 2, f"exit {proc.returncode}; stderr: {proc.stderr}"
    assert name in proc.stderr, proc.stderr


def test_help_lists_the_pruning_variables_with_their_defaults(orders_binary):
    proc = run_binary(orders_binary, {}, ["--help"])
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    for name, default in (("OUTBOX_RETENTION_S", "3600"), ("IDEMPOTENCY_KEY_RETENTION_S", "86400"),
                          ("PRUNE_INTERVAL_S", "60"), ("PRUNE_BATCH_SIZE", "1000")):
        matching = [line for line in lines if name in line]
        assert len(matching) == 1, f"{name} in {len(matching)} lines of --help:\n{proc.stdout}"
        assert default in matching[0], matching[0]
