"""The process: signing key file, token lifetime, JSON logs, and shutdown on SIGTERM/SIGINT."""
from __future__ import annotations

import http.client
import json
import signal
import stat
import threading
import uuid

import jwt
import pytest

import jwt_forge as forge
from harness import accept_backlog, free_port, run_binary, unique_email, wait_for
from http_checks import assert_log_line
from users_api import (ADMIN_EMAIL, ADMIN_PASSWORD, PASSWORD, bearer, login, register, registration,
                       users_env)


def _jwk(service) -> dict:
    response = service.get("/.well-known/jwks.json")
    assert response.status_code == 200, response.text
    return response.json()["keys"][0]


# ------------------------------------------------------------------------------------------ key file

def test_missing_key_file_is_created_private_and_reused_after_restart(start_users, tmp_path):
    key_file = tmp_path / "signing.pem"
    first = start_users(key_file=key_file)
    assert key_file.is_file()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600, oct(key_file.stat().st_mode)
    pem = key_file.read_bytes()
    assert pem.startswith(b"-----BEGIN") and b"PRIVATE KEY-----" in pem
    private_key = forge.load_private_key(key_file)
    jwk = _jwk(first)
    assert forge.public_key_from_jwk(jwk).public_numbers() == private_key.public_key().public_numbers()
    user = register(first)
    token = login(first, user["email"], user["password"])
    first.stop()

    second = start_users(key_file=key_file)
    assert key_file.read_bytes() == pem, "the existing key file was rewritten"
    assert _jwk(second) == jwk
    response = second.get("/profile", headers=bearer(token))
    assert response.status_code == 200, response.text
    assert response.json()["id"] == user["id"]


def test_unreadable_key_file_is_refused_and_left_alone(users_binary, stack, tmp_path):
    # Stricter reading: a key file that exists but holds no key is a configuration error; overwriting it
    # would silently invalidate every token signed with the real key.
    key_file = tmp_path / "broken.pem"
    key_file.write_text("this is not a PEM key\n")
    env = {**users_env(key_file), "PORT": str(free_port())}
    proc = run_binary(users_binary, env, timeout=15)
    assert proc.returncode != 0
    assert "JWT_PRIVATE_KEY_FILE" in proc.stderr + proc.stdout
    assert key_file.read_text() == "this is not a PEM key\n"


# ------------------------------------------------------------------------------------------ lifetime

def test_jwt_ttl_seconds_sets_the_token_lifetime(start_users):
    service = start_users({"JWT_TTL_SECONDS": "120"})
    response = service.post("/login", json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
    assert response.status_code == 200, response.text
    assert response.json()["expiresIn"] == 120
    claims = jwt.decode(response.json()["accessToken"], options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] == 120


# ---------------------------------------------------------------------------------------------- logs

def test_stdout_is_json_lines_from_start_to_stop(start_users):
    service = start_users()
    service.post("/login", json={"email": unique_email(), "password": "whatever password"})
    service.stop()
    lines = service.log_lines()
    assert lines, "the service logged nothing"
    for line in lines:
        assert_log_line(line, "users-service")


@pytest.mark.parametrize("method,path", [("POST", "/login"), ("GET", "/health"), ("GET", "/no-such-route")])
def test_request_log_line_carries_the_request_id(users, method, path):
    request_id = f"log-{uuid.uuid4().hex}"
    body = {"email": unique_email(), "password": "whatever password"} if method == "POST" else None
    users.request(method, path, json=body, headers={"X-Request-Id": request_id})
    wait_for(lambda: any(line.get("requestId") == request_id for line in users.log_lines()), timeout=5,
             message=f"a log line with requestId {request_id}")


def test_secrets_never_reach_the_logs(users):
    body = registration(password=f"Secret-{uuid.uuid4().hex}")
    assert users.post("/register", json=body).status_code == 201
    token = login(users, body["email"], body["password"])
    users.post("/login", json={"email": body["email"], "password": body["password"] + "-wrong"})
    last = f"log-{uuid.uuid4().hex}"
    assert users.get("/profile", headers={**bearer(token), "X-Request-Id": last}).status_code == 200
    wait_for(lambda: last in users.stdout(), timeout=5, message="the last request to be logged")
    logs = users.stdout() + users.stderr()
    for secret in (body["password"], token, token.split(".")[2], ADMIN_PASSWORD, "users:users@"):
        assert secret not in logs, f"a secret reached the logs: {secret[:24]}..."


# ------------------------------------------------------------------------------------------ signals

def test_sigterm_finishes_in_flight_requests_and_exits_0(start_users, users_db):
    service = start_users({"WORKER_THREADS": "2"})
    known = register(service)
    jobs = [("/register", registration()) for _ in range(4)]
    jobs += [("/login", {"email": known["email"], "password": PASSWORD}) for _ in range(2)]
    jobs += [("/login", {"email": known["email"], "password": "wrong password"}) for _ in range(2)]
    expected = [201] * 4 + [200] * 2 + [401] * 2
    results: list = [None] * len(jobs)
    sent = [threading.Event() for _ in jobs]

    def run(index: int, path: str, body: dict) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", service.port, timeout=30)
        try:
            conn.request("POST", path, body=json.dumps(body), headers={"Content-Type": "application/json"})
            sent[index].set()
            response = conn.getresponse()
            response.read()
            results[index] = response.status
        except Exception as exc:  # noqa: BLE001 - a connection error is the failure we look for
            results[index] = exc
        finally:
            sent[index].set()
            conn.close()

    threads = [threading.Thread(target=run, args=(i, path, body)) for i, (path, body) in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for event in sent:
        assert event.wait(10), "a request could not be sent"
    # Every connection has been accepted by the service (none left in the kernel's queue).
    wait_for(lambda: accept_backlog(service.port) == 0, timeout=5, message="the accept queue to drain")
    in_flight = sum(result is None for result in results)
    service.send_signal(signal.SIGTERM)
    for thread in threads:
        thread.join(timeout=30)
    code = service.wait_exit(15)

    assert in_flight > 0, "every request had finished before SIGTERM: the test proved nothing"
    assert results == expected, f"results {results} (in flight at SIGTERM: {in_flight})"
    assert code == 0, f"exit code {code} after SIGTERM\n{service.log_tail()}"
    service.assert_sanitizer_clean()
    for path, body in jobs[:4]:
        assert users_db.count(body["email"]) == 1, "a 201 was answered but the user was not stored"


def test_sigint_exits_0(start_users):
    service = start_users()
    service.stop(signal.SIGINT)
