"""End-to-end fixtures: the whole system (PostgreSQL, Redis, RabbitMQ, the four services and the nginx gateway)
started once per session, and every request of the tests going through the gateway.

Reuses tests/functional's harness (processes, waiting, stack, databases) by import. Environment as there:
COMANDA_BIN_DIR (service binaries, default build/asan/bin), COMANDA_STATE_DIR, COMANDA_PG_PORT /
COMANDA_REDIS_PORT / COMANDA_AMQP_PORT (default: the functional tests' stack under .state/test),
COMANDA_TEST_STACK_DOWN=1 to stop the infrastructure at the end.
"""
from __future__ import annotations

import atexit
import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "functional"))

import harness  # noqa: E402 - after the path above
from harness import Service, Stack  # noqa: E402
from notifications_api import Bus, NotificationsDb, notifications_env  # noqa: E402
from orders_api import OrdersDb, orders_env  # noqa: E402
from products_api import products_env  # noqa: E402
from users_api import users_env  # noqa: E402

from gateway import Gateway  # noqa: E402

STACK_COMPONENTS = ("postgres", "redis", "rabbitmq")

atexit.register(harness.stop_leftovers)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "chaos: kills services and restarts RabbitMQ under load (select: -m chaos)")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # The chaos test runs last: it restarts everything the others share.
    items.sort(key=lambda item: item.get_closest_marker("chaos") is not None)


@dataclass
class System:
    """The running system: `gateway` in front of `users`, `products`, `orders`, `notifications`."""
    stack: Stack
    workdir: Path
    services: dict[str, Service]
    gateway: Gateway
    gateways: list[Gateway] = field(default_factory=list)  # extra gateways started by tests
    log_paths: dict[str, list[Path]] = field(default_factory=dict)  # stdout files of restarted services

    def __getattr__(self, name: str) -> Service:
        try:
            return self.__dict__["services"][name]
        except KeyError:
            raise AttributeError(name) from None

    def start_gateway(self) -> Gateway:
        """Another gateway in front of the same services (its own rate-limit state)."""
        gateway = Gateway(self.services, self.workdir)
        self.gateways.append(gateway)
        return gateway.start()

    def restart(self, name: str) -> Service:
        """Starts a service again (after a kill) on the same port, with fresh log files, and waits until ready."""
        service = self.services[name]
        assert not service.running, f"{name} is still running"
        runs = sum(1 for s in Service.instances if s is service)
        self.log_paths.setdefault(name, [service.stdout_path])
        service.stdout_path = self.workdir / f"{name}-{service.port}.{runs}.stdout.log"
        service.stderr_path = self.workdir / f"{name}-{service.port}.{runs}.stderr.log"
        service.returncode = None
        self.log_paths[name].append(service.stdout_path)
        service.start(wait_ready=True, timeout=60)
        return service

    def logs(self, name: str) -> list[dict]:
        """Every JSON log line the service wrote, across restarts."""
        lines = []
        for path in self.log_paths.get(name, [self.services[name].stdout_path]):
            if not path.exists():
                continue
            for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
                if line.startswith("{"):
                    try:
                        lines.append(json.loads(line))
                    except ValueError:
                        pass
        return lines


def _binary(name: str) -> Path:
    binary = harness.bin_dir() / name
    try:
        harness.require_binary(binary)
    except AssertionError as exc:
        pytest.fail(str(exc), pytrace=False)
    return binary


@pytest.fixture(scope="session")
def system(tmp_path_factory: pytest.TempPathFactory) -> Iterator[System]:
    workdir = tmp_path_factory.mktemp("e2e")
    stack = Stack()
    try:
        stack.up(*STACK_COMPONENTS)
    except AssertionError as exc:
        pytest.fail(str(exc), pytrace=False)

    users = Service("users", _binary("users-service"), users_env(workdir / "jwt.pem"), workdir)
    products = Service("products", _binary("products-service"), products_env(users), workdir)
    notifications = Service("notifications", _binary("notifications-service"), notifications_env(users), workdir)
    orders = Service("orders", _binary("orders-service"), orders_env(users, products), workdir)
    services = {"users": users, "products": products, "orders": orders, "notifications": notifications}
    gateway = Gateway(services, workdir)
    system = System(stack, workdir, services, gateway)
    problem = None
    try:
        for service in (users, products, notifications, orders):
            service.start(wait_ready=True, timeout=60)
        # Consuming before any order is placed (on a fresh broker an event with no bound queue is unroutable).
        harness.wait_for(lambda: notifications.get("/ready").json()["checks"].get("rabbitmq") == "up",
                         timeout=30, message="notifications-service consuming")
        gateway.start()
    except AssertionError as exc:
        problem = str(exc)
    if problem:
        _teardown(system, check=False)
        pytest.fail(problem, pytrace=False)
    yield system
    _teardown(system, check=True)
    if os.environ.get("COMANDA_TEST_STACK_DOWN") == "1":
        stack.down(*STACK_COMPONENTS)


def _teardown(system: System, check: bool) -> None:
    problems = []
    for gateway in [*system.gateways, system.gateway]:
        try:
            gateway.stop()
        except AssertionError as exc:
            gateway.kill()
            problems.append(str(exc))
    for name in ("orders", "products", "notifications", "users"):
        service = system.services[name]
        try:
            if service.running:
                service.stop()
            elif check and service.proc is not None and service.returncode is None:
                problems.append(f"{name} exited by itself with {service.proc.returncode}\n{service.log_tail()}")
        except AssertionError as exc:
            service.kill()
            problems.append(str(exc))
    if check and problems:
        pytest.fail("\n".join(problems), pytrace=False)


@pytest.fixture(scope="session")
def gateway(system: System) -> Gateway:
    return system.gateway


@pytest.fixture(scope="session")
def orders_db(system: System) -> OrdersDb:
    return OrdersDb(harness.database_url("orders"))


@pytest.fixture(scope="session")
def notifications_db(system: System) -> NotificationsDb:
    return NotificationsDb(harness.database_url("notifications"))


@pytest.fixture
def event_bus(system: System) -> Iterator[Bus]:
    bus = Bus()
    harness.wait_for(bus.connect, timeout=30, message="RabbitMQ accepts connections")
    yield bus
    bus.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    outcome = yield
    report = outcome.get_result()
    if report.when != "call" or not report.failed:
        return
    system = item.funcargs.get("system") if hasattr(item, "funcargs") else None
    if system is None:
        return
    for gateway in [system.gateway, *system.gateways]:
        report.sections.append((f"gateway :{gateway.port} logs", gateway.log_tail(15)))
    for service in system.services.values():
        report.sections.append((f"{service.name} :{service.port} logs", service.log_tail(15)))
