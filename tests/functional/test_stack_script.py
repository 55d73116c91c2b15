"""scripts/stack.sh itself: an `up` that fails partway leaves nothing running behind its error; the test
stack's ports let a stopped component start again."""
from __future__ import annotations

import os
import random
import socket
import subprocess
import time
from pathlib import Path

import harness

ROOT = Path(__file__).resolve().parents[2]


def _amqp_port() -> int:
    """An AMQP port whose derived ports (management +10000, metrics +10001, epmd +12000, distribution +20000) are
    free too."""
    for _ in range(200):
        port = random.randint(20000, 29999)
        if all(harness.port_is_free(p) for p in (port, port + 10000, port + 10001, port + 12000, port + 20000)):
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
        assert harness.port_is_free(amqp_port)
        time.sleep(0.5)
    status = subprocess.run(["bash", str(ROOT / "scripts/stack.sh"), "status"], env=env, capture_output=True,
                            text=True, timeout=60)
    assert "rabbitmq  down" in status.stdout, status.stdout


def test_the_test_stacks_ports_are_outside_the_ephemeral_range():
    """A stopped dependency must be able to restart on its port: a port in the ephemeral range can meanwhile
    become the source port of an outgoing connection, which blocks the listener for up to 60 s (TIME_WAIT)."""
    ephemeral = harness.ephemeral_ports()
    wrap = lambda p: 1024 + (p - 1024) % 64512  # noqa: E731 - scripts/stack.sh's derivation of RabbitMQ's ports
    listened = {"postgres": harness.PG_PORT, "redis": harness.REDIS_PORT, "amqp": harness.AMQP_PORT,
                "rabbitmq distribution": wrap(harness.AMQP_PORT + 20000), "epmd": wrap(harness.AMQP_PORT + 12000),
                "rabbitmq management": wrap(harness.AMQP_PORT + 10000),
                "rabbitmq metrics": wrap(harness.AMQP_PORT + 10001),
                "services (lowest)": harness.FREE_PORTS[0], "services (highest)": harness.FREE_PORTS[-1]}
    inside = {name: port for name, port in listened.items() if port in ephemeral}
    assert inside == {}, f"ports inside the ephemeral range {ephemeral.start}-{ephemeral.stop - 1}: {inside}"
    given = [harness.free_port() for _ in range(50)]
    assert len(set(given)) == len(given)
    assert all(port in harness.FREE_PORTS for port in given)
