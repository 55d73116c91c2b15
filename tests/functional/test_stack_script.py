"""scripts/stack.sh itself: an `up` that fails partway leaves nothing running behind its error."""
from __future__ import annotations

import os
import random
import socket
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _amqp_port() -> int:
    """An AMQP port whose derived ports (epmd +12000, distribution +20000) are free too."""
    for _ in range(200):
        port = random.randint(20000, 29999)
        if all(_free(p) for p in (port, port + 12000, port + 20000)):
            return port
    raise AssertionError("no free AMQP port set found")


def _processes_mentioning(text: str) -> list[str]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if text in cmdline:
                found.append(f"{entry.name}: {cmdline[:120]}")
    return found


def test_up_failing_on_a_taken_port_stops_the_rabbitmq_it_launched(tmp_path):
    state = tmp_path / "stack-state"
    with socket.socket() as blocker:  # PostgreSQL's port, taken: `up` fails after it launched RabbitMQ
        blocker.bind(("127.0.0.1", 0))
        blocker.listen(1)
        pg_port = blocker.getsockname()[1]
        amqp_port = _amqp_port()
        env = {**os.environ, "COMANDA_STATE_DIR": str(state), "COMANDA_PG_PORT": str(pg_port),
               "COMANDA_REDIS_PORT": str(amqp_port + 1), "COMANDA_AMQP_PORT": str(amqp_port)}
        result = subprocess.run(["bash", str(ROOT / "scripts/stack.sh"), "up"], env=env, capture_output=True,
                                text=True, timeout=120)
    assert result.returncode == 1, result.stderr
    assert f"port {pg_port} is already taken" in result.stderr
    assert (state / "rabbitmq").is_dir()  # it did launch the broker before it found the port taken
    # The broker would boot within seconds; nothing of it may be running or appear afterwards.
    deadline = time.monotonic() + 8
    while time.monotonic() < deadline:
        assert _processes_mentioning(str(state)) == []
        assert _free(amqp_port)
        time.sleep(0.5)
    status = subprocess.run(["bash", str(ROOT / "scripts/stack.sh"), "status"], env=env, capture_output=True,
                            text=True, timeout=60)
    assert "rabbitmq  down" in status.stdout, status.stdout
