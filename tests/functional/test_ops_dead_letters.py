"""Operations on a real broker and a real Prometheus: a message that fails for a cause outside it (a database
constraint) goes through its retries to the dead-letter queue; Prometheus (scripts/prometheus.sh, scraping RabbitMQ's
exporter every second) fires DeadLettersWaiting and Alertmanager receives it; `scripts/dlq.sh` shows the dead
letter with its reason; once the cause is fixed, `dlq.sh replay` stores the notification exactly once and the alert
resolves. Then the consumer side stops (the notifications-service process) and ServiceDown fires for it."""
from __future__ import annotations

import os
import subprocess
import uuid
from pathlib import Path

import pytest
import requests

import harness
from harness import REPO, wait_for
from notifications_api import DLQ, WORK_QUEUE, order_created

PROMETHEUS_PORT = int(os.environ.get("COMANDA_TEST_PROMETHEUS_PORT", "19090"))
ALERTMANAGER_PORT = int(os.environ.get("COMANDA_TEST_ALERTMANAGER_PORT", "19093"))
ALERT_TIMEOUT = 60   # RabbitMQ refreshes queue depths every 5 s; Prometheus scrapes and evaluates every second


def _script(name: str, *args: str, env: dict[str, str] | None = None, check: bool = True,
            timeout: float = 60) -> subprocess.CompletedProcess:
    full_env = {**harness.Stack().env(), **(env or {})}
    proc = subprocess.run(["bash", str(REPO / "scripts" / name), *args], env=full_env, stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=timeout, check=False)
    if check and proc.returncode != 0:
        raise AssertionError(f"scripts/{name} {' '.join(args)} exited {proc.returncode}\n{proc.stdout}\n{proc.stderr}")
    return proc


def dlq(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    return _script("dlq.sh", *args, check=check)


class Prometheus:
    def __init__(self, state: Path, notifications_port: int) -> None:
        self.env = {"COMANDA_STATE_DIR": str(state), "COMANDA_PROMETHEUS_PORT": str(PROMETHEUS_PORT),
                    "COMANDA_ALERTMANAGER_PORT": str(ALERTMANAGER_PORT), "COMANDA_SCRAPE_INTERVAL": "1s",
                    "COMANDA_EVAL_INTERVAL": "1s",
                    # Only this test's notifications-service and the broker answer; the other jobs' targets are
                    # closed ports of the range reserved for these tests.
                    "COMANDA_PORT_BASE": str(PROMETHEUS_PORT + 10),
                    "COMANDA_NOTIFICATIONS_TARGETS": f"127.0.0.1:{notifications_port}"}
        self.url = f"http://127.0.0.1:{PROMETHEUS_PORT}"
        self.alertmanager = f"http://127.0.0.1:{ALERTMANAGER_PORT}"

    def start(self) -> None:
        for port in (PROMETHEUS_PORT, ALERTMANAGER_PORT):
            assert harness.port_is_free(port), f"port {port} is taken (COMANDA_TEST_PROMETHEUS_PORT moves it)"
        _script("prometheus.sh", "start", env=self.env)

    def stop(self) -> None:
        _script("prometheus.sh", "stop", env=self.env)

    def query(self, promql: str) -> list[dict]:
        answer = requests.get(f"{self.url}/api/v1/query", params={"query": promql}, timeout=5).json()
        assert answer["status"] == "success", answer
        return answer["data"]["result"]

    def alerts(self, name: str, state: str = "firing") -> list[dict]:
        alerts = requests.get(f"{self.url}/api/v1/alerts", timeout=5).json()["data"]["alerts"]
        return [a for a in alerts if a["labels"]["alertname"] == name and a["state"] == state]

    def received(self, name: str) -> list[dict]:
        """The alerts Alertmanager holds (active ones), by name."""
        alerts = requests.get(f"{self.alertmanager}/api/v2/alerts", timeout=5).json()
        return [a for a in alerts if a["labels"]["alertname"] == name and a["status"]["state"] == "active"]


@pytest.fixture
def prometheus(tmp_path: Path):
    def start(notifications_port: int) -> Prometheus:
        nonlocal server
        server = Prometheus(tmp_path / "prometheus-state", notifications_port)
        server.start()
        return server
    server: Prometheus | None = None
    yield start
    if server:
        server.stop()


def test_a_dead_letter_fires_its_alert_and_a_replay_after_the_fix_stores_it_once(
        start_notifications, event_bus, notifications_db, prometheus):
    service = start_notifications({"RETRY_BASE_DELAY_MS": "100", "RETRY_MAX_ATTEMPTS": "2"})
    event_bus.settle()
    event_bus.purge(DLQ)
    server = prometheus(int(service.url.rsplit(":", 1)[1]))

    # Silent while the DLQ is empty: RabbitMQ's exporter is scraped, the rule evaluated, nothing fires.
    wait_for(lambda: server.query(f'rabbitmq_detailed_queue_messages{{queue="{DLQ}"}} == 0'), timeout=ALERT_TIMEOUT,
             interval=0.5, message="Prometheus to scrape the empty DLQ's depth from RabbitMQ")
    wait_for(lambda: server.query('up{job="notifications-service"} == 1'), timeout=30, interval=0.5,
             message="the notifications-service scraped")
    assert server.query('ALERTS{alertname="DeadLettersWaiting"}') == []

    # The cause: a database constraint that rejects this one order (as a bad deployment could).
    order_id = str(uuid.uuid4())
    constraint = f"test_reject_{uuid.uuid4().hex[:12]}"
    notifications_db.execute(f"ALTER TABLE notifications ADD CONSTRAINT {constraint} "
                             f"CHECK (order_id <> '{order_id}'::uuid) NOT VALID")
    try:
        event = event_bus.publish(order_created(orderId=order_id))
        event_id = event["eventId"]
        wait_for(lambda: event_id in dlq("list").stdout, timeout=30, interval=0.5,
                 message="the event in the DLQ after its retries")
        firing = wait_for(lambda: server.alerts("DeadLettersWaiting"), timeout=ALERT_TIMEOUT, interval=0.5,
                          message="DeadLettersWaiting to fire")
        assert firing[0]["labels"]["queue"] == DLQ and firing[0]["labels"]["severity"] == "ticket"
        assert firing[0]["annotations"]["summary"].startswith(f"1 message(s) in the dead-letter queue {DLQ}")
        wait_for(lambda: server.received("DeadLettersWaiting"), timeout=30, interval=0.5,
                 message="Alertmanager to receive DeadLettersWaiting")

        # The operator sees why: the consumer's reason headers.
        listed = [line for line in dlq("list").stdout.splitlines() if event_id in line]
        assert len(listed) == 1 and "RETRIES_EXHAUSTED" in listed[0] and constraint in listed[0], listed
        shown = dlq("show", event_id).stdout
        assert '"x-error-code": "RETRIES_EXHAUSTED"' in shown and constraint in shown and order_id in shown
        assert notifications_db.counts([event_id]) == {event_id: 0}
        # An unknown id changes nothing.
        unknown = dlq("replay", str(uuid.uuid4()), check=False)
        assert unknown.returncode == 1 and "nothing was changed" in unknown.stderr
        assert event_id in dlq("list").stdout
    finally:
        notifications_db.execute(f"ALTER TABLE notifications DROP CONSTRAINT IF EXISTS {constraint}")

    # Cause fixed: the replay stores it, once.
    replayed = dlq("replay", event_id)
    assert f"replayed {event_id} -> {WORK_QUEUE}" in replayed.stdout, replayed.stdout
    wait_for(lambda: notifications_db.stored([event_id]) == 1, timeout=30, interval=0.2,
             message="the replayed event stored")
    event_bus.settle(timeout=30)
    assert notifications_db.counts([event_id]) == {event_id: 1}
    assert event_id not in dlq("list").stdout
    assert len(notifications_db.for_order(order_id)) == 1
    # The DLQ is empty again: the alert resolves by itself.
    wait_for(lambda: not server.alerts("DeadLettersWaiting") and not server.alerts("DeadLettersWaiting", "pending"),
             timeout=ALERT_TIMEOUT, interval=0.5, message="DeadLettersWaiting to resolve")

    # The consumer side stops: ServiceDown fires for it after its minute, and only for it.
    instance = service.url.removeprefix("http://")
    def down_alert(state: str) -> list[dict]:
        return [a for a in server.alerts("ServiceDown", state) if a["labels"]["instance"] == instance]
    assert not down_alert("firing") and not down_alert("pending")
    service.stop()
    wait_for(lambda: down_alert("pending"), timeout=30, interval=0.5, message="ServiceDown pending")
    [alert] = wait_for(lambda: down_alert("firing"), timeout=90, interval=1, message="ServiceDown to fire")
    assert alert["labels"]["job"] == "notifications-service" and alert["labels"]["severity"] == "page"
