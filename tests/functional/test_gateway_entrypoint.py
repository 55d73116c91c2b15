"""deploy/docker/gateway-entrypoint.sh refuses bad settings before it renders or starts anything (the image runs
it; its address watching is exercised by scripts/compose-test.sh)."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = {"GATEWAY_LISTEN": "8080", "USERS_UPSTREAM": "users-service:3001",
            "PRODUCTS_UPSTREAM": "products-service:3002", "ORDERS_UPSTREAM": "orders-service:3003",
            "NOTIFICATIONS_UPSTREAM": "notifications-service:3004", "WEB_ROOT": "/srv/comanda/web"}


def _run(tmp_path: Path, **overrides: str | None) -> tuple[subprocess.CompletedProcess, Path]:
    run_dir = tmp_path / "nginx"
    env = {"PATH": os.environ["PATH"], **SETTINGS, "NGINX_RUN_DIR": str(run_dir), **overrides}
    env = {key: value for key, value in env.items() if value is not None}
    result = subprocess.run(["bash", str(ROOT / "deploy/docker/gateway-entrypoint.sh")], env=env,
                            capture_output=True, text=True, timeout=10, stdin=subprocess.DEVNULL)
    return result, run_dir


@pytest.mark.parametrize("interval", ["abc", "0", "-5", "1.5", "5s", " 5"])
def test_a_bad_resolve_interval_is_refused_before_anything_runs(tmp_path, interval):
    result, run_dir = _run(tmp_path, RESOLVE_INTERVAL_S=interval)
    assert result.returncode == 2, result.stderr
    assert "RESOLVE_INTERVAL_S must be a positive integer" in result.stderr
    assert not run_dir.exists(), "a configuration was rendered"


@pytest.mark.parametrize("name", ["USERS_UPSTREAM", "ORDERS_UPSTREAM", "WEB_ROOT", "NGINX_RUN_DIR"])
@pytest.mark.parametrize("value", [None, ""])
def test_a_missing_setting_is_refused_before_anything_runs(tmp_path, name, value):
    result, run_dir = _run(tmp_path, **{name: value})
    assert result.returncode == 2, result.stderr
    assert f"{name} must be set" in result.stderr
    assert not run_dir.exists(), "a configuration was rendered"
