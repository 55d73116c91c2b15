"""Test harness: infrastructure (scripts/stack.sh), service processes, bounded waiting, ports.

Kept free of pytest fixtures so that other services' tests can reuse it; conftest.py wires it into
fixtures. database.py checks what was stored, http_checks.py what was answered.
"""
from __future__ import annotations

import contextlib
import json
import os
import random
import re
import signal
import socket
import subprocess
import time
import uuid
from pathlib import Path
from typing import Any, Callable, Iterable

import requests

REPO = Path(__file__).resolve().parents[2]


def _setting(name: str, default: str) -> str:
    return os.environ.get(name) or default


# Every port the tests listen on lies below the kernel's ephemeral range (32768-60999 by default). A port in that
# range can become the source port of any outgoing connection while its server is stopped, and that socket, in
# TIME_WAIT for 60 s after it closes, makes the restart fail with EADDRINUSE (it did, in the chaos test).
# AMQP 11672 puts RabbitMQ's derived ports there too: distribution 31672, epmd 23672 (scripts/stack.sh).
PG_PORT = int(_setting("COMANDA_PG_PORT", "15432"))
REDIS_PORT = int(_setting("COMANDA_REDIS_PORT", "16379"))
AMQP_PORT = int(_setting("COMANDA_AMQP_PORT", "11672"))
STATE_DIR = Path(_setting("COMANDA_STATE_DIR", str(REPO / ".state" / "test")))


def bin_dir() -> Path:
    """`$COMANDA_BIN_DIR` (relative to the current directory, else to the repository)."""
    path = Path(_setting("COMANDA_BIN_DIR", str(REPO / "build" / "asan" / "bin")))
    if path.is_absolute():
        return path
    return Path.cwd() / path if (Path.cwd() / path).exists() else REPO / path


def database_url(service: str) -> str:
    """The role and database that scripts/stack.sh creates for a service."""
    return f"postgresql://{service}:{service}@127.0.0.1:{PG_PORT}/{service}"


REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._-]{1,128}$")
SANITIZER_MARKERS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:")



# --------------------------------------------------------------------------------------------- waiting

class GiveUp(AssertionError):
    """Raised by a wait_for predicate to stop waiting at once (e.g. the process died)."""


def wait_for(predicate: Callable[[], Any], timeout: float = 10.0, interval: float = 0.05,
             message: str = "condition") -> Any:
    """Polls `predicate` until it returns a truthy value (returned) or `timeout` seconds pass.

    Exceptions from the predicate count as "not yet" (the last one is reported), except GiveUp.
    """
    deadline = time.monotonic() + timeout
    last: Any = None
    while True:
        try:
            value = predicate()
            if value:
                return value
            last = value
        except GiveUp:
            raise
        except Exception as exc:  # noqa: BLE001 - reported below
            last = exc
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {message}; last: {last!r}")
        time.sleep(interval)


def port_is_free(port: int) -> bool:
    """Nothing holds `port` on 127.0.0.1: no listener, no connection, no TIME_WAIT socket (a bind without
    SO_REUSEADDR fails on any of them)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


FREE_PORTS = range(12000, 15000)  # for services: below the ephemeral range, clear of every stack's ports
_handed_out: set[int] = set()


def free_port() -> int:
    """A port in FREE_PORTS that nothing uses now (a listener or a TIME_WAIT socket) and that this session has
    not handed out before, so that a service restarted on its port finds it free."""
    for _ in range(500):
        port = random.choice(FREE_PORTS)
        if port not in _handed_out and port_is_free(port):
            _handed_out.add(port)
            return port
    raise AssertionError(f"no free port in {FREE_PORTS}")


def ephemeral_ports() -> range:
    """The kernel's range for the source ports of outgoing connections."""
    low, high = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text(encoding="ascii").split()
    return range(int(low), int(high) + 1)


def accept_backlog(port: int) -> int | None:
    """Connections waiting in the kernel's accept queue of the socket listening on `port`.

    For a listening socket /proc/net/tcp reports that queue as rx_queue. None when no such socket.
    """
    found = None
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError), open(table, encoding="ascii") as fh:
            for line in fh.readlines()[1:]:
                fields = line.split()
                local, state, queues = fields[1], fields[3], fields[4]
                if state == "0A" and int(local.rsplit(":", 1)[1], 16) == port:
                    found = (found or 0) + int(queues.split(":")[1], 16)
    return found


def unique_email(prefix: str = "user") -> str:
    return f"{prefix}-{uuid.uuid4().hex}@example.com"


def unique_name(prefix: str = "Test") -> str:
    return f"{prefix} {uuid.uuid4().hex[:12]}"


# ------------------------------------------------------------------------------------ infrastructure

class Stack:
    """scripts/stack.sh: `up|down [components]`, `start|stop component`."""

    def __init__(self) -> None:
        self.script = REPO / "scripts" / "stack.sh"

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(COMANDA_STATE_DIR=str(STATE_DIR), COMANDA_PG_PORT=str(PG_PORT),
                   COMANDA_REDIS_PORT=str(REDIS_PORT), COMANDA_AMQP_PORT=str(AMQP_PORT))
        return env

    def run(self, *args: str, timeout: float = 600) -> None:
        if not self.script.exists():
            raise AssertionError(f"{self.script} does not exist: the functional tests need it to run "
                                 "PostgreSQL (and later Redis, RabbitMQ)")
        proc = subprocess.run(["bash", str(self.script), *args], env=self.env(), stdin=subprocess.DEVNULL,
                              capture_output=True, text=True, timeout=timeout, check=False)
        if proc.returncode != 0:
            raise AssertionError(f"scripts/stack.sh {' '.join(args)} exited {proc.returncode}\n"
                                 f"--- stdout\n{proc.stdout[-4000:]}\n--- stderr\n{proc.stderr[-4000:]}")

    def up(self, *components: str) -> None:
        self.run("up", *components)

    def down(self, *components: str) -> None:
        self.run("down", *components)

    def start(self, component: str) -> None:
        self.run("start", component)

    def stop(self, component: str) -> None:
        self.run("stop", component)


# ------------------------------------------------------------------------------------------ processes

def base_env() -> dict[str, str]:
    """The part of our environment a service inherits: nothing that could configure it by accident."""
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS",
            "ASAN_SYMBOLIZER_PATH")
    env = {k: os.environ[k] for k in keep if k in os.environ}
    env.setdefault("UBSAN_OPTIONS", "print_stacktrace=1")
    return env


def sanitizer_reports(text: str) -> list[str]:
    return [line for line in text.splitlines() if any(m in line for m in SANITIZER_MARKERS)]


def run_binary(binary: Path, env: dict[str, str], args: Iterable[str] = (), timeout: float = 10
               ) -> subprocess.CompletedProcess:
    """Runs a binary to completion (config errors, --help); fails the test if it does not exit in time."""
    require_binary(binary)
    try:
        proc = subprocess.run([str(binary), *args], env={**base_env(), **env}, stdin=subprocess.DEVNULL,
                              capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired as exc:
        raise AssertionError(f"{binary.name} {' '.join(args)} did not exit within {timeout}s; "
                             f"stderr: {exc.stderr!r}") from None
    reports = sanitizer_reports(proc.stderr)
    assert not reports, f"sanitizer reported errors:\n{proc.stderr[-6000:]}"
    return proc


def require_binary(binary: Path) -> None:
    if not binary.is_file() or not os.access(binary, os.X_OK):
        raise AssertionError(f"service binary {binary} not found or not executable: build it "
                             "(cmake --preset asan && cmake --build --preset asan) or set COMANDA_BIN_DIR")


def _check_request_id(response: requests.Response, *args: Any, **kwargs: Any) -> None:
    request_id = response.headers.get("X-Request-Id")
    assert request_id, f"{response.request.method} {response.request.path_url} -> " \
                       f"{response.status_code} has no X-Request-Id header"
    assert REQUEST_ID_RE.match(request_id), f"X-Request-Id {request_id!r} is not a valid request id"


class Service:
    """One service process on a free port, with its stdout and stderr in files under `log_dir`."""

    instances: list["Service"] = []  # every service started in this session, for cleanup and reports

    def __init__(self, name: str, binary: Path, env: dict[str, str | None], log_dir: Path) -> None:
        self.name = name
        self.binary = binary
        self.port = free_port()
        merged: dict[str, str | None] = {**base_env(), "PORT": str(self.port), "LOG_LEVEL": "debug", **env}
        self.env = {k: v for k, v in merged.items() if v is not None}
        self.stdout_path = log_dir / f"{name}-{self.port}.stdout.log"
        self.stderr_path = log_dir / f"{name}-{self.port}.stderr.log"
        self.proc: subprocess.Popen | None = None
        self.returncode: int | None = None
        self.http = requests.Session()
        self.http.hooks["response"].append(_check_request_id)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # --- HTTP, through a session that checks every response carries a valid X-Request-Id.
    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", 15)
        return self.http.request(method, self.url + path, **kwargs)

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("POST", path, **kwargs)

    def post_raw(self, path: str, body: bytes, content_type: str | None = "application/json",
                 **kwargs: Any) -> requests.Response:
        headers = dict(kwargs.pop("headers", {}))
        if content_type is not None:
            headers["Content-Type"] = content_type
        return self.request("POST", path, data=body, headers=headers, **kwargs)

    # --- process
    def start(self, wait_ready: bool = False, timeout: float = 15) -> "Service":
        require_binary(self.binary)
        with open(self.stdout_path, "wb") as out, open(self.stderr_path, "wb") as err:
            self.proc = subprocess.Popen([str(self.binary)], env=self.env, stdin=subprocess.DEVNULL,
                                         stdout=out, stderr=err, start_new_session=True)
        Service.instances.append(self)
        wait_for(lambda: self._answers("/health"), timeout, message=f"{self.name} GET /health 200")
        if wait_ready:
            wait_for(lambda: self._answers("/ready"), timeout, message=f"{self.name} GET /ready 200")
        return self

    def _answers(self, path: str) -> bool:
        if self.proc is not None and self.proc.poll() is not None:
            raise GiveUp(f"{self.name} exited with {self.proc.returncode} while starting\n{self.log_tail()}")
        return requests.get(self.url + path, timeout=2).status_code == 200

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def send_signal(self, sig: int) -> None:
        assert self.running, f"{self.name} is not running (exit code {self.proc and self.proc.poll()})"
        self.proc.send_signal(sig)

    def wait_exit(self, timeout: float = 15) -> int:
        """Waits for the process to exit; kills it and fails if it does not."""
        assert self.proc is not None
        try:
            self.returncode = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError(f"{self.name} did not exit within {timeout}s\n{self.log_tail()}") from None
        return self.returncode

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 15) -> None:
        """Sends SIGTERM, asserts exit code 0 within `timeout` and a clean sanitizer log."""
        assert self.proc is not None, f"{self.name} was never started"
        if self.proc.poll() is not None:
            raise AssertionError(f"{self.name} had already exited with {self.proc.returncode} before it "
                                 f"was stopped\n{self.log_tail()}")
        self.proc.send_signal(sig)
        code = self.wait_exit(timeout)
        assert code == 0, f"{self.name} exited with {code} after signal {sig}\n{self.log_tail()}"
        self.assert_sanitizer_clean()

    def kill(self) -> None:
        """SIGKILL (nothing is checked)."""
        if self.running:
            self.proc.kill()
            self.returncode = self.proc.wait()

    # --- logs
    def stdout(self) -> str:
        return self.stdout_path.read_text(encoding="utf-8", errors="replace")

    def stderr(self) -> str:
        return self.stderr_path.read_text(encoding="utf-8", errors="replace")

    def log_lines(self) -> list[dict]:
        """stdout parsed as JSON lines; fails on a line that is not a JSON object."""
        lines = []
        for number, line in enumerate(self.stdout().splitlines(), 1):
            if not line.strip():
                continue
            try:
                parsed = json.loads(line)
            except ValueError:
                raise AssertionError(f"{self.name} stdout line {number} is not JSON: {line!r}") from None
            assert isinstance(parsed, dict), f"{self.name} stdout line {number} is not an object: {line!r}"
            lines.append(parsed)
        return lines

    def assert_sanitizer_clean(self) -> None:
        reports = sanitizer_reports(self.stderr())
        assert not reports, f"{self.name}: sanitizer reported errors:\n{self.stderr()[-8000:]}"

    def log_tail(self, lines: int = 40) -> str:
        def tail(path: Path) -> str:
            if not path.exists():
                return "(none)"
            return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
        return f"--- {self.stdout_path}\n{tail(self.stdout_path)}\n--- {self.stderr_path}\n" \
               f"{tail(self.stderr_path)}"


def stop_leftovers() -> None:
    """Last resort (atexit): no process outlives the test session."""
    for service in Service.instances:
        with contextlib.suppress(Exception):
            service.kill()
