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


# ----------------------------------------------------------------------------------------- users-service

@pytest.fixture(scope="session")
def users_binary() -> Path:
    binary = harness.bin_dir() / "users-service"
    if not (binary.is_file() and os.access(binary, os.X_OK)):
        pytest.fail(f"{binary} not found or not executable: build it (cmake --preset asan && "
                    "cmake --build --preset asan) or set COMANDA_BIN_DIR", pytrace=False)
    return binary


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
    binary = harness.bin_dir() / "products-service"
    try:
        harness.require_binary(binary)
    except AssertionError as exc:
        pytest.fail(str(exc), pytrace=False)
    return binary


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


