"""The HTTP server's listen address, size limits and time limits come from configuration (issue 17): loopback by
default, each limit answered in words (problem+json) with nothing stored, idle and trickling connections closed,
and 200 trickling connections leave a normal client's latency alone."""
from __future__ import annotations

import json
import socket
import statistics
import threading
import time
from pathlib import Path

import requests

import harness
from http_checks import assert_problem
from raw_http import Tricklers, exchange, latencies
from users_api import registration, users_env


def listening_addresses(port: int) -> set[str]:
    """The local addresses of the sockets listening on `port` (from /proc/net/tcp, hex, little-endian)."""
    found = set()
    for line in Path("/proc/net/tcp").read_text(encoding="ascii").splitlines()[1:]:
        fields = line.split()
        address, hex_port = fields[1].split(":")
        if fields[3] == "0A" and int(hex_port, 16) == port:
            found.add(socket.inet_ntoa(bytes.fromhex(address)[::-1]))
    return found


def test_service_listens_on_loopback_by_default(start_users):
    users = start_users({"BIND_ADDRESS": None})
    assert listening_addresses(users.port) == {"127.0.0.1"}
    assert users.get("/health").status_code == 200


def test_help_lists_the_bind_address_and_the_http_limits(users_binary, tmp_path):
    proc = harness.run_binary(users_binary, {}, ["--help"])
    assert proc.returncode == 0
    for name in ("BIND_ADDRESS", "HTTP_MAX_URL_BYTES", "HTTP_MAX_HEADER_BYTES", "HTTP_MAX_HEADERS",
                 "HTTP_MAX_BODY_BYTES", "HTTP_READ_TIMEOUT_MS", "HTTP_HANDLE_TIMEOUT_MS",
                 "HTTP_QUEUE_TIMEOUT_MS", "HTTP_WRITE_TIMEOUT_MS", "DRAIN_TIMEOUT_MS"):
        assert name in proc.stdout, name
    assert "[127.0.0.1]" in proc.stdout


def test_bind_address_that_is_not_an_ip_is_refused_by_name(users_binary, tmp_path):
    env = {**users_env(tmp_path / "jwt.pem"), "BIND_ADDRESS": "every-interface", "PORT": "0"}
    proc = harness.run_binary(users_binary, env)
    assert proc.returncode == 2
    assert "BIND_ADDRESS" in proc.stderr


def test_size_limits_come_from_configuration_and_nothing_is_stored(start_users, users_db):
    users = start_users({"HTTP_MAX_BODY_BYTES": "2048", "HTTP_MAX_URL_BYTES": "1024", "HTTP_MAX_HEADERS": "20"})
    body = registration(name="N" * 60)
    padded = json.dumps({**body, "pad": "x" * 3000}).encode()
    response = users.post_raw("/register", padded)
    assert_problem(response, 413, "PAYLOAD_TOO_LARGE")
    assert "2048 bytes" in response.json()["detail"]
    assert users_db.count(body["email"]) == 0

    response = users.get("/health?" + "a" * 1100)
    assert_problem(response, 414, "URI_TOO_LONG")
    headers = {f"X-Filler-{i}": "v" for i in range(25)}
    response = users.post("/register", json=body, headers=headers)
    assert_problem(response, 431, "HEADERS_TOO_LARGE")
    assert users_db.count(body["email"]) == 0
    # Within the limits the same request is served.
    assert users.post("/register", json=body).status_code == 201


def test_idle_and_trickling_connections_are_closed_after_the_read_timeout(start_users):
    users = start_users({"HTTP_READ_TIMEOUT_MS": "1000"})
    started = time.monotonic()
    idle = exchange(users.port, b"", timeout=8)
    assert idle.closed and idle.raw == b"" and time.monotonic() - started < 4
    with socket.create_connection(("127.0.0.1", users.port), timeout=8) as sock:
        started = time.monotonic()
        closed_after = None
        for byte in b"GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 40:
            try:
                sock.sendall(bytes([byte]))
            except OSError:
                closed_after = time.monotonic() - started
                break
            sock.settimeout(0.2)
            try:
                if sock.recv(1024) == b"":
                    closed_after = time.monotonic() - started
                    break
            except socket.timeout:
                pass
            except ConnectionResetError:
                closed_after = time.monotonic() - started
                break
        assert closed_after is not None and closed_after < 4, closed_after
    assert users.get("/health").status_code == 200


# ------------------------------------------------------------------------------------------ slow clients

TRICKLERS = 200
TRICKLE_SECONDS = 30.0
READ_TIMEOUT_S = 5.0


def test_trickling_clients_are_closed_and_a_normal_client_keeps_its_latency(start_users):
    users = start_users({"HTTP_READ_TIMEOUT_MS": str(int(READ_TIMEOUT_S * 1000))})
    url = users.url + "/.well-known/jwks.json"
    before = latencies(url, None, 40)

    tricklers = Tricklers(users.port, TRICKLERS)
    during: list[float] = []
    stop = threading.Event()
    client = threading.Thread(target=lambda: during.extend(latencies(url, stop, 10_000)))
    client.start()
    try:
        tricklers.run(TRICKLE_SECONDS)
    finally:
        stop.set()
        client.join(timeout=30)

    # Every trickling connection was closed by the read timeout, none lived on to the end.
    assert len(tricklers.lifetimes) >= TRICKLERS, len(tricklers.lifetimes)
    assert max(tricklers.lifetimes) < READ_TIMEOUT_S + 3, max(tricklers.lifetimes)
    # The normal client kept being served at about its usual latency.
    assert len(during) > 50, len(during)
    usual, slow = statistics.median(before), statistics.median(during)
    assert slow < 3 * usual + 0.02, (usual, slow)
    assert max(during) < 1.0, max(during)
    assert users.get("/health").status_code == 200


def test_a_burst_beyond_the_workers_is_answered_busy_and_nothing_is_stored_for_it(start_users, users_db):
    """A request that waited longer than HTTP_QUEUE_TIMEOUT_MS for a worker gets 503 SERVICE_BUSY with
    Retry-After, its handler never runs (no account), and no connection is closed unanswered (issue 19)."""
    users = start_users({"WORKER_THREADS": "1", "PASSWORD_HASH_CONCURRENCY": "1", "HTTP_QUEUE_TIMEOUT_MS": "300"})
    bodies = [registration() for _ in range(32)]
    answers: list = [None] * len(bodies)

    def register(i: int) -> None:
        try:
            answers[i] = requests.post(users.url + "/register", json=bodies[i], timeout=30)
        except requests.RequestException as error:   # a connection closed unanswered: recorded, fails below
            answers[i] = error

    threads = [threading.Thread(target=register, args=(i,)) for i in range(len(bodies))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    statuses = [getattr(answer, "status_code", repr(answer)) for answer in answers]
    assert set(statuses) <= {201, 503}, statuses
    assert statuses.count(201) >= 1 and statuses.count(503) >= 1, statuses
    for body, answer in zip(bodies, answers):
        if answer.status_code == 503:
            problem = assert_problem(answer, 503, "SERVICE_BUSY")
            assert "waited" in problem["detail"], problem
            assert answer.headers.get("Retry-After"), answer.headers
        assert users_db.count(body["email"]) == (1 if answer.status_code == 201 else 0), answer.text
