"""Fixtures: the infrastructure (scripts/stack.sh), service processes, the users database.

Environment: COMANDA_BIN_DIR (service binaries, default build/asan/bin), COMANDA_STATE_DIR,
COMANDA_PG_PORT / COMANDA_REDIS_PORT / COMANDA_AMQP_PORT (see harness.py), COMANDA_TEST_STACK_DOWN=1 to
stop the infrastructure at the end (by default it keeps running, so that reruns are fast).
"""
from __future__ import annotations

import atexit
import os
from pathlib import Path
from contextlib import contextmanager
from typing import Callable, Iterator

import pytest

import harness
from database import UsersDb
from harness import Service, Stack
from products_api import products_env
from users_api import users_env

# What the suite needs from scripts/stack.sh; add "redis", "rabbitmq" here as services need them.
STACK_COMPONENTS = ("postgres", "redis", "rabbitmq")

atexit.register(harness.stop_leftovers)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "disruptive: stops shared infrastructure; runs after the others")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Tests that stop PostgreSQL run last, so that a slow recovery cannot disturb the others.
    items.sort(key=lambda item: item.get_closest_marker("disruptive") is not None)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    outcome = yield
    report = outcome.get_result()
    if report.when != "call" or not report.failed:
        return
    first = getattr(item, "_first_service", 0)
    shown = Service.instances[first:] + [s for s in Service.instances[:first] if s.name == "users" and s.running]
    for service in shown:
        report.sections.append((f"{service.name} :{service.port} logs", service.log_tail()))


@pytest.fixture(autouse=True)
def _remember_services(request: pytest.FixtureRequest) -> None:
    request.node._first_service = len(Service.instances)


# ---------------------------------------------------------------------------------------- infrastructure

@pytest.fixture(scope="session")
def stack() -> Stack:
    infra = Stack()
    problem = None
    try:
        infra.up(*STACK_COMPONENTS)
    except AssertionError as exc:
        problem = str(exc)
    if problem:
        pytest.fail(problem, pytrace=False)
    yield infra
    if os.environ.get("COMANDA_TEST_STACK_DOWN") == "1":
        infra.down(*STACK_COMPONENTS)


def _binary(name: str) -> Path:
    """A service binary from COMANDA_BIN_DIR; fails the session clearly when it is not built."""
    binary = harness.bin_dir() / name
    try:
        harness.require_binary(binary)
    except AssertionError as exc:
        pytest.fail(str(exc), pytrace=False)
    return binary


# ----------------------------------------------------------------------------------------- users-service

@pytest.fixture(scope="session")
def users_binary() -> Path:
    return _binary("users-service")


@pytest.fixture(scope="session")
def users(stack: Stack, users_binary: Path, tmp_path_factory: pytest.TempPathFactory) -> Service:
    """The users-service most tests share; stopped with SIGTERM (exit 0 asserted) at the end."""
    workdir = tmp_path_factory.mktemp("users-shared")
    service = _start_shared(Service("users", users_binary, users_env(workdir / "jwt.pem"), workdir))
    yield service
    service.stop()


@contextmanager
def _service_factory(name: str, binary: Path, base_env: Callable[[int], dict[str, str]],
                     tmp_path: Path) -> Iterator[Callable[..., Service]]:
    """Yields `start(env_overrides, wait_ready=)` for services of one test. An override of None removes
    the variable. Every instance still running at the end is stopped with SIGTERM and must exit 0 with a
    clean sanitizer log; one that died by itself fails the test."""
    started: list[Service] = []

    def start(overrides: dict[str, str | None] | None = None, *, wait_ready: bool = True,
              **base_kwargs) -> Service:
        env = base_env(len(started), **base_kwargs)
        env.update(overrides or {})
        service = Service(f"{name}{len(started)}", binary, env, tmp_path)
        started.append(service)
        service.start(wait_ready=wait_ready)
        return service

    yield start
    problems = []
    for service in started:
        try:
            if service.running:
                service.stop()
            elif service.proc is not None:
                if service.returncode is None:  # not stopped by the test: it died by itself
                    raise AssertionError(f"{service.name} exited by itself with {service.proc.returncode}\n"
                                         f"{service.log_tail()}")
                service.assert_sanitizer_clean()
        except AssertionError as exc:
            service.kill()
            problems.append(str(exc))
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


def _start_shared(service: Service) -> Service:
    problem = None
    try:
        service.start(wait_ready=True)
    except AssertionError as exc:
        service.kill()
        problem = f"{exc}\n{service.log_tail(15)}"
    if problem:
        pytest.fail(problem, pytrace=False)
    return service


@pytest.fixture
def start_users(stack: Stack, users_binary: Path, tmp_path: Path) -> Callable[..., Service]:
    """Starts a users-service of the test's own: `start_users(env_overrides, key_file=, wait_ready=)`."""
    def env(index: int, key_file: Path | None = None) -> dict[str, str]:
        return users_env(key_file or tmp_path / f"jwt-{index}.pem")

    with _service_factory("users", users_binary, env, tmp_path) as start:
        yield start


@pytest.fixture(scope="session")
def users_db(users: Service) -> UsersDb:
    """The users database (its schema exists once the shared service is ready)."""
    return UsersDb(harness.database_url("users"))


# -------------------------------------------------------------------------------------- products-service

@pytest.fixture(scope="session")
def products_binary() -> Path:
    return _binary("products-service")


@pytest.fixture(scope="session")
def products(stack: Stack, users: Service, products_binary: Path,
             tmp_path_factory: pytest.TempPathFactory) -> Service:
    """The products-service most tests share (JWKS from the shared users-service)."""
    workdir = tmp_path_factory.mktemp("products-shared")
    service = _start_shared(Service("products", products_binary, products_env(users), workdir))
    yield service
    service.stop()


@pytest.fixture
def start_products(stack: Stack, users: Service, products_binary: Path,
                   tmp_path: Path) -> Callable[..., Service]:
    """Starts a products-service of the test's own: `start_products(env_overrides, wait_ready=)`."""
    with _service_factory("products", products_binary, lambda index: products_env(users), tmp_path) as start:
        yield start


from database import ProductsDb  # noqa: E402 - kept with the products-service fixtures


@pytest.fixture(scope="session")
def products_db(products: Service) -> ProductsDb:
    """The products database (its schema exists once the shared service is ready)."""
    return ProductsDb(harness.database_url("products"))


@pytest.fixture(scope="session")
def admin_token(users: Service) -> str:
    from users_api import ADMIN_EMAIL, ADMIN_PASSWORD, login
    return login(users, ADMIN_EMAIL, ADMIN_PASSWORD)


@pytest.fixture(scope="session")
def customer_token(users: Service) -> str:
    from users_api import login, register
    user = register(users)
    return login(users, user["email"], user["password"])


@pytest.fixture
def make_product(products: Service, admin_token: str) -> Callable[..., dict]:
    """`make_product(via=service, **fields)`: creates a product (201 asserted) through `via` (default the shared
    service); every product made is deleted again at the end of the test (a 404 there is fine)."""
    from products_api import create_product, delete_product
    made: list[str] = []

    def make(via: Service | None = None, **overrides) -> dict:
        product = create_product(via or products, admin_token, **overrides)
        made.append(product["id"])
        return product

    yield make
    for product_id in made:
        assert delete_product(products, admin_token, product_id) in (204, 404)


# ---- orders-service

from orders_api import EventQueue, OrdersDb, orders_env  # noqa: E402 - kept with the orders-service fixtures


@pytest.fixture(scope="session")
def orders_binary() -> Path:
    return _binary("orders-service")


@pytest.fixture(scope="session")
def event_queue(stack: Stack) -> EventQueue:
    """A durable test queue bound to `orders` / `order.created`, declared before any orders-service starts
    (with no queue bound, a publish is returned and the relay retries). Deleted at the end."""
    queue = EventQueue()
    harness.wait_for(lambda: queue.declare() or True, timeout=30, message="RabbitMQ accepts a queue")
    yield queue
    try:
        queue.delete()
    except Exception:  # noqa: BLE001 - best effort: the broker may be down after a failed test
        pass


@pytest.fixture(scope="session")
def orders(stack: Stack, users: Service, products: Service, event_queue: EventQueue, orders_binary: Path,
           tmp_path_factory: pytest.TempPathFactory) -> Service:
    """The orders-service most tests share (the shared users- and products-service behind it)."""
    workdir = tmp_path_factory.mktemp("orders-shared")
    service = _start_shared(Service("orders", orders_binary, orders_env(users, products), workdir))
    yield service
    service.stop()


@pytest.fixture
def start_orders(stack: Stack, users: Service, products: Service, event_queue: EventQueue, orders_binary: Path,
                 tmp_path: Path) -> Callable[..., Service]:
    """Starts an orders-service of the test's own: `start_orders(env_overrides, wait_ready=)`; by default it
    talks to the shared users- and products-service."""
    with _service_factory("orders", orders_binary, lambda index: orders_env(users, products), tmp_path) as start:
        yield start


@pytest.fixture(scope="session")
def orders_db(orders: Service) -> OrdersDb:
    """The orders database (its schema exists once the shared service is ready)."""
    return OrdersDb(harness.database_url("orders"))


@pytest.fixture
def customer(users: Service) -> dict:
    """A fresh customer on the shared users-service: its profile plus `token`."""
    from users_api import login, register
    user = register(users)
    return {**user, "token": login(users, user["email"], user["password"])}


# ---- notifications-service

from notifications_api import Bus, NotificationsDb, notifications_env  # noqa: E402 - kept with its fixtures


@pytest.fixture(scope="session")
def notifications_binary() -> Path:
    return _binary("notifications-service")


@pytest.fixture
def start_notifications(stack: Stack, users: Service, notifications_binary: Path,
                        tmp_path: Path) -> Callable[..., Service]:
    """Starts a notifications-service of the test's own: `start_notifications(env_overrides, wait_ready=)`
    (RETRY_BASE_DELAY_MS 200, JWKS from the shared users-service). There is no shared instance: every
    consumer of `notifications.order-created` competes for its messages, so each test runs its own."""
    with _service_factory("notifications", notifications_binary, lambda index: notifications_env(users),
                          tmp_path) as start:
        def start_consuming(overrides: dict[str, str | None] | None = None, *, wait_ready: bool = True) -> Service:
            service = start(overrides, wait_ready=wait_ready)
            if wait_ready:
                # Ready means PostgreSQL answers; events published before the consumer has declared its
                # queue would be unroutable on a fresh broker, so wait for it too.
                harness.wait_for(lambda: service.get("/ready").json()["checks"].get("rabbitmq") == "up",
                                 timeout=30, message=f"{service.name} consuming")
            return service

        yield start_consuming


@pytest.fixture(scope="session")
def notifications_db(stack: Stack) -> NotificationsDb:
    """The notifications database (its table exists once a notifications-service has been ready)."""
    return NotificationsDb(harness.database_url("notifications"))


@pytest.fixture
def event_bus(stack: Stack) -> Bus:
    """A pika connection to the test broker (closed at the end of the test)."""
    bus = Bus()
    harness.wait_for(bus.connect, timeout=30, message="RabbitMQ accepts connections")
    yield bus
    bus.close()
