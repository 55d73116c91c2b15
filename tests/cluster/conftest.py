"""The cluster fault test's fixtures: the whole clustered system (scripts/cluster.sh: etcd, Patroni with two
PostgreSQL nodes, three RabbitMQ nodes, Redis, two replicas of each service, the internal balancer, the gateway),
started from an empty state folder once per session and stopped at the end.

Environment: COMANDA_BIN_DIR (service binaries, default build/asan/bin), COMANDA_CLUSTER_DIR (default
.state/cluster-test), COMANDA_CLUSTER_PORT_BASE (default 20000; see scripts/cluster.sh for every port),
COMANDA_CLUSTER_KEEP=1 leaves the cluster running after the tests (to look at it), COMANDA_CLUSTER_REUSE=1 starts
from the state a previous run left instead of an empty one.
"""
from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pika
import psycopg2
import pytest

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "cluster.sh"
sys.path.insert(0, str(REPO / "tests" / "functional"))


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "cluster: the clustered system under faults (tests/cluster; scripts/cluster.sh)")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        item.add_marker(pytest.mark.cluster)


@dataclass
class Cluster:
    """The running cluster: members are started, stopped and killed through scripts/cluster.sh."""
    env: dict[str, str]
    exports: dict[str, str]

    def run(self, *args: str, timeout: float = 600) -> str:
        done = subprocess.run(["bash", str(SCRIPT), *args], env=self.env, capture_output=True, text=True,
                              timeout=timeout, check=False)
        if done.returncode != 0:
            raise AssertionError(f"cluster.sh {' '.join(args)} failed ({done.returncode}):\n"
                                 f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
        return done.stdout

    @property
    def gateway(self) -> str:
        return self.exports["COMANDA_CLUSTER_GATEWAY"]

    def ports(self, name: str) -> list[int]:
        return [int(p) for p in self.exports[name].split()]

    def pids(self, member: str) -> list[int]:
        return [int(line) for line in self.run("pids", member).split()]

    def kill(self, member: str) -> None:
        """SIGKILL: the member's processes (a PostgreSQL node: the postmaster, then Patroni) die at once."""
        for pid in reversed(self.pids(member)):
            try:
                os.kill(pid, 9)
            except ProcessLookupError:
                pass

    def start(self, member: str) -> None:
        self.run("start", member, timeout=300)

    def patroni(self, node: int) -> dict:
        port = self.ports("COMANDA_CLUSTER_PATRONI_PORTS")[node - 1]
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/patroni", timeout=2) as response:
                return json.load(response)
        except Exception:  # noqa: BLE001 - down, starting, or an error page: not a member now
            return {}

    def primary(self) -> int | None:
        for node in (1, 2):
            if self.patroni(node).get("role") in ("master", "primary"):
                return node
        return None

    def database(self, service: str) -> str:
        return self.exports[f"{service.upper()}_DATABASE_URL"]

    def query(self, service: str, sql: str, *params) -> list[tuple]:
        with psycopg2.connect(self.database(service), connect_timeout=5) as conn, conn.cursor() as cur:
            cur.execute(sql, params)
            rows = cur.fetchall() if cur.description else []
        conn.close()
        return rows

    def rabbitmqctl(self, node: int, *args: str) -> str:
        state = Path(self.exports["COMANDA_CLUSTER_DIR"])
        port = self.ports("COMANDA_CLUSTER_AMQP_PORTS")[node - 1]
        env = {**self.env, "HOME": str(state / f"rabbit{node}" / "rabbitmq" / "home"),
               "ERL_EPMD_PORT": self.exports["COMANDA_CLUSTER_EPMD_PORT"],
               "RABBITMQ_CTL_ERL_ARGS": "-start_epmd false",
               "RABBITMQ_CONF_ENV_FILE": str(state / f"rabbit{node}" / "rabbitmq" / "rabbitmq-env.conf")}
        done = subprocess.run(["/usr/lib/rabbitmq/bin/rabbitmqctl", "-n", f"comanda-{port}@localhost", *args],
                              env=env, capture_output=True, text=True, timeout=60, check=False)
        if done.returncode != 0:
            raise AssertionError(f"rabbitmqctl {' '.join(args)} on node {node}: {done.stderr[-1000:]}")
        return done.stdout

    def ready_messages(self, queue: str) -> int:
        """Messages in a queue, asked over AMQP of the first node that answers (fast, unlike rabbitmqctl)."""
        for port in self.ports("COMANDA_CLUSTER_AMQP_PORTS"):
            try:
                params = pika.ConnectionParameters("127.0.0.1", port, socket_timeout=3,
                                                   credentials=pika.PlainCredentials("guest", "guest"))
                connection = pika.BlockingConnection(params)
            except pika.exceptions.AMQPError:
                continue
            try:
                return connection.channel().queue_declare(queue, passive=True).method.message_count
            finally:
                connection.close()
        raise AssertionError("no RabbitMQ node answers")

    def queues(self, node: int) -> dict[str, dict]:
        """name -> {messages, type, leader, members} as one RabbitMQ node reports them."""
        out = self.rabbitmqctl(node, "list_queues", "name", "messages", "type", "leader", "members",
                               "--formatter", "json", "--quiet")
        return {q["name"]: q for q in json.loads(out)}


def _exports(env: dict[str, str]) -> dict[str, str]:
    out = subprocess.run(["bash", str(SCRIPT), "env"], env=env, capture_output=True, text=True, check=True).stdout
    values: dict[str, str] = {}
    for line in out.splitlines():
        for token in shlex.split(line.removeprefix("export ")):
            name, _, value = token.partition("=")
            values[name] = value
    return values


@pytest.fixture(scope="session")
def cluster() -> Cluster:
    env = dict(os.environ)
    env.setdefault("COMANDA_BIN_DIR", str(REPO / "build" / "asan" / "bin"))
    env.setdefault("COMANDA_CLUSTER_DIR", str(REPO / ".state" / "cluster-test"))
    env.setdefault("ASAN_OPTIONS", "detect_leaks=0:abort_on_error=1")  # SIGKILLed replicas: no leak report
    cluster = Cluster(env, _exports(env))
    if os.environ.get("COMANDA_CLUSTER_REUSE") != "1":   # 1: keep a running cluster's state (local reruns)
        cluster.run("destroy", timeout=300)
    started = time.monotonic()
    try:
        cluster.run("up", timeout=900)
        print(f"\ncluster up in {time.monotonic() - started:.0f}s")
        yield cluster
    finally:
        if os.environ.get("COMANDA_CLUSTER_KEEP") != "1":
            cluster.run("down", timeout=300)
