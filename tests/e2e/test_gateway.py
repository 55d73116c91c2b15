"""The gateway's own behaviour: routing of every /api prefix with /api stripped, X-Request-Id, the body limit,
problem+json for its own errors, rate limits on login and register, security headers on the UI."""
from __future__ import annotations

import http.client
import json
import re
import time
import types
import uuid

import pytest

import harness
from orders_api import MARGHERITA_ID

from gateway import Gateway

GENERATED_ID = re.compile(r"^[0-9a-f]{32}$")  # nginx's $request_id
PROBLEM = "application/problem+json"


def new_id(prefix: str = "e2e") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:16]}"


def request_ids(response) -> list[str]:
    """Every X-Request-Id header line of a response (requests would join repeated ones with a comma)."""
    return response.raw.headers.getlist("X-Request-Id")


def logged(system, service: str, request_id: str) -> list[dict]:
    """The service's per-request log lines for a request id."""
    return [line for line in system.logs(service) if line.get("requestId") == request_id and line.get("msg") == "request"]


def assert_gateway_problem(response, status: int, code: str) -> dict:
    assert response.status_code == status, f"{response.status_code} {response.text}"
    assert response.headers["Content-Type"] == PROBLEM
    body = response.json()
    assert body["status"] == status and body["code"] == code, body
    assert set(body) >= {"type", "title", "status", "detail", "code", "requestId"}, body
    assert request_ids(response) == [body["requestId"]], "the problem names the request id of the response"
    return body


# -------------------------------------------------------------------------------------------------- routing

ROUTES = [
    # method, path through the gateway, owning service, path the service must see, status the service answers
    ("POST", "/api/register", "users", "/register", 400),
    ("POST", "/api/login", "users", "/login", 400),
    ("GET", "/api/profile", "users", "/profile", 401),
    ("GET", "/api/.well-known/jwks.json", "users", "/.well-known/jwks.json", 200),
    ("GET", "/api/products?category=pizzas", "products", "/products", 200),
    ("GET", f"/api/products/{MARGHERITA_ID}", "products", f"/products/{MARGHERITA_ID}", 200),
    ("GET", "/api/orders", "orders", "/orders", 401),
    ("GET", f"/api/orders/{uuid.uuid4()}", "orders", None, 401),
    ("POST", "/api/orders", "orders", "/orders", 401),
    ("GET", "/api/notifications", "notifications", "/notifications", 401),
]


@pytest.mark.parametrize("method,path,owner,seen,status", ROUTES, ids=[f"{r[0]} {r[1][:30]}" for r in ROUTES])
def test_each_api_prefix_reaches_its_service_with_api_stripped(system, gateway, method, path, owner, seen, status):
    request_id = new_id("route")
    kwargs = {"data": b"{", "headers": {"Content-Type": "application/json"}} if method == "POST" else {}
    kwargs.setdefault("headers", {})["X-Request-Id"] = request_id
    response = gateway.request(method, path, **kwargs)
    assert response.status_code == status, response.text
    assert request_ids(response) == [request_id]
    if status >= 400:  # the service's own problem passes through untouched
        assert response.headers["Content-Type"] == PROBLEM
        assert response.json()["requestId"] == request_id
    if status == 401:
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    expected_path = seen or path[len("/api"):].split("?")[0]
    [line] = harness.wait_for(lambda: logged(system, owner, request_id), timeout=5, message=f"{owner} logged it")
    assert line["path"] == expected_path and line["method"] == method, line
    for other in {"users", "products", "orders", "notifications"} - {owner}:
        assert not logged(system, other, request_id), f"{other} saw a request meant for {owner}"


@pytest.mark.parametrize("path", ["/api/nope", "/api", "/api/", "/api/productsx", "/api/users/1", "/api/health",
                                  "/api/metrics", "/api/ready", "/api/orders-export", "/nope.js"])
def test_a_path_no_service_owns_gets_the_gateways_404_problem(system, gateway, path):
    request_id = new_id("unknown")
    response = gateway.get(path, headers={"X-Request-Id": request_id})
    body = assert_gateway_problem(response, 404, "NOT_FOUND")
    assert body["requestId"] == request_id and body["type"] == "/problems/not-found"
    for service in ("users", "products", "orders", "notifications"):
        assert not logged(system, service, request_id)


def test_the_location_of_a_new_order_is_its_path_through_the_gateway(gateway):
    from users_api import registration
    body = registration()
    assert gateway.post("/api/register", json=body).status_code == 201
    token = gateway.post("/api/login", json={"email": body["email"], "password": body["password"]}).json()["accessToken"]
    auth = {"Authorization": f"Bearer {token}"}
    response = gateway.post("/api/orders", json={"items": [{"productId": MARGHERITA_ID, "quantity": 1}],
                                                 "deliveryAddress": "Calle Mayor 1"}, headers=auth)
    assert response.status_code == 201, response.text
    assert response.headers["Location"] == f"/api/orders/{response.json()['id']}"
    again = gateway.get(response.headers["Location"], headers=auth)
    assert again.status_code == 200 and again.json()["id"] == response.json()["id"]


# ------------------------------------------------------------------------------------------------ request ids

def test_a_valid_client_request_id_is_passed_on_and_returned(system, gateway):
    request_id = "Client_id.0-" + "x" * 116  # 128 characters, every allowed kind
    assert len(request_id) == 128
    response = gateway.get("/api/products", headers={"X-Request-Id": request_id})
    assert response.status_code == 200
    assert request_ids(response) == [request_id]
    harness.wait_for(lambda: logged(system, "products", request_id), timeout=5, message="products logged it")
    entry = harness.wait_for(lambda: [l for l in gateway.access_log() if l["requestId"] == request_id], timeout=5)
    assert entry[0]["path"] == "/api/products" and entry[0]["status"] == 200, entry


@pytest.mark.parametrize("sent", [None, "", "x" * 129, "has space", "semi;colon", "quote\"d", "slash/ed",
                                  "{json}", "caf\u00e9"])
def test_a_missing_or_invalid_request_id_is_replaced_by_a_generated_one(system, gateway, sent):
    headers = {} if sent is None else {"X-Request-Id": sent.encode("utf-8")}
    response = gateway.get("/api/.well-known/jwks.json", headers=headers)
    assert response.status_code == 200
    [returned] = request_ids(response)
    assert GENERATED_ID.match(returned), returned
    # ... and that one, not the client's, is what the service saw.
    [line] = harness.wait_for(lambda: logged(system, "users", returned), timeout=5, message="users logged it")
    assert line["path"] == "/.well-known/jwks.json"


def test_generated_request_ids_differ_per_request(gateway):
    ids = {request_ids(gateway.get("/api/products/" + MARGHERITA_ID))[0] for _ in range(5)}
    assert len(ids) == 5


# ------------------------------------------------------------------------------------------------ body limit

def test_a_body_over_64_kib_gets_the_gateways_413_and_never_reaches_the_service(system, gateway):
    request_id = new_id("big")
    response = gateway.post("/api/orders", data=b"x" * (64 * 1024 + 1),
                            headers={"Content-Type": "application/json", "X-Request-Id": request_id})
    body = assert_gateway_problem(response, 413, "PAYLOAD_TOO_LARGE")
    assert body["requestId"] == request_id
    assert not logged(system, "orders", request_id)


def test_a_body_of_exactly_64_kib_is_passed_on(system, gateway):
    request_id = new_id("limit")
    response = gateway.post("/api/orders", data=b" " * (64 * 1024),
                            headers={"Content-Type": "application/json", "X-Request-Id": request_id})
    assert response.status_code == 401  # the service's answer (no token), not the gateway's 413
    harness.wait_for(lambda: logged(system, "orders", request_id), timeout=5, message="orders logged it")


# ------------------------------------------------------------------------------------ a service that is down

def test_a_service_that_does_not_answer_gets_a_502_problem_with_retry_after(system):
    closed = types.SimpleNamespace(url=f"http://127.0.0.1:{harness.free_port()}")
    gateway = Gateway({**system.services, "notifications": closed}, system.workdir)
    system.gateways.append(gateway)
    gateway.start()
    request_id = new_id("down")
    response = gateway.get("/api/notifications", headers={"X-Request-Id": request_id})
    body = assert_gateway_problem(response, 502, "SERVICE_UNAVAILABLE")
    assert body["requestId"] == request_id
    assert int(response.headers["Retry-After"]) >= 1
    assert "127.0.0.1" not in response.text  # no internal address in the answer
    assert gateway.get("/api/products").status_code == 200  # the others still work


# ------------------------------------------------------------------------------------------------ rate limits

def _post_from(port: int, source: str, path: str) -> tuple[int, dict[str, str], bytes]:
    """POST a malformed body (the service answers 400 at once: no password hashing) from a loopback address."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10, source_address=(source, 0))
    try:
        conn.request("POST", path, body=b"{", headers={"Content-Type": "application/json"})
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def assert_limited(statuses: list[int], seconds: float) -> None:
    """A burst of 10 passes at once (the service's own 400), then 2 per second: no more got through."""
    assert set(statuses) <= {400, 429}, statuses
    assert statuses[:10] == [400] * 10, statuses
    assert statuses.count(400) <= 11 + 2 * seconds + 1, f"{statuses} in {seconds:.2f}s"
    assert statuses.count(429) >= 5, f"{statuses} in {seconds:.2f}s"


def test_login_bursts_from_one_address_get_429_with_retry_after_and_other_addresses_do_not(system):
    # A gateway of this test's own: fresh rate-limit state. Loopback offers other client addresses (127.0.0.2):
    # nginx keys the limit on the peer address, so that stands for a second client.
    gateway = system.start_gateway()
    started = time.monotonic()
    answers = [_post_from(gateway.port, "127.0.0.1", "/api/login") for _ in range(40)]
    statuses = [status for status, _, _ in answers]
    assert_limited(statuses, time.monotonic() - started)
    limited = [(headers, body) for status, headers, body in answers if status == 429]
    for headers, body in limited:
        assert headers["content-type"] == PROBLEM
        problem = json.loads(body)
        assert problem["code"] == "TOO_MANY_REQUESTS" and problem["status"] == 429
        assert int(headers["retry-after"]) >= 1
        assert headers["x-request-id"] == problem["requestId"]
        assert not logged(system, "users", problem["requestId"]), "a refused request reached users-service"

    assert _post_from(gateway.port, "127.0.0.2", "/api/login")[0] == 400, "another address has its own budget"
    assert _post_from(gateway.port, "127.0.0.1", "/api/register")[0] == 400, "register has its own budget"
    assert _post_from(gateway.port, "127.0.0.1", "/api/profile")[0] != 429, "other paths are not limited"
    # The limit refills (2 per second): after Retry-After the same address gets through again.
    harness.wait_for(lambda: _post_from(gateway.port, "127.0.0.1", "/api/login")[0] == 400, timeout=5,
                     interval=0.5, message="login allowed again")
    log = gateway.access_log()
    assert any(entry["status"] == 429 and entry["rateLimit"] == "REJECTED" for entry in log)


def test_register_bursts_are_limited_too(system):
    gateway = system.start_gateway()
    started = time.monotonic()
    statuses = [_post_from(gateway.port, "127.0.0.1", "/api/register")[0] for _ in range(40)]
    assert_limited(statuses, time.monotonic() - started)


# ------------------------------------------------------------------------------------------------ the web UI

def test_the_ui_is_served_at_root_with_security_headers(gateway):
    response = gateway.get("/")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    assert "<html" in response.text.lower()
    csp = {d.strip().split(" ", 1)[0]: d.strip() for d in response.headers["Content-Security-Policy"].split(";")}
    assert csp["default-src"] == "default-src 'self'"
    assert csp["frame-ancestors"] == "frame-ancestors 'none'"
    assert csp["object-src"] == "object-src 'none'"
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert "unsafe-eval" not in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "Server" not in response.headers or "/" not in response.headers["Server"]  # no version
    assert GENERATED_ID.match(request_ids(response)[0])


def test_api_answers_carry_the_headers_once_and_stay_uncompressed(gateway):
    response = gateway.get("/api/products", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    # Compressing would weaken the service's ETag and break If-None-Match.
    assert "Content-Encoding" not in response.headers and not response.headers["ETag"].startswith("W/")
    for name in ("X-Content-Type-Options", "X-Frame-Options", "X-Request-Id"):
        assert len(response.raw.headers.getlist(name)) == 1, name


def test_writing_to_the_ui_gets_a_405_problem(gateway):
    response = gateway.post("/index.html", data=b"x")
    assert_gateway_problem(response, 405, "METHOD_NOT_ALLOWED")
    assert response.headers["Allow"] == "GET, HEAD"
