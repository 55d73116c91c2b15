"""Conventions every service follows, checked on users-service: request ids, problem details, routing,
body rules (media type, size, JSON), health, readiness and metrics."""
from __future__ import annotations

import http.client
import json
import uuid

import pytest
import requests

from harness import wait_for
from http_checks import UUID_RE, assert_problem, media_type, metric_sum, parse_prometheus
from raw_http import exchange
from users_api import registration

BODY_PATHS = ("/register", "/login")


def _body_for(path: str) -> dict:
    body = registration()
    return body if path == "/register" else {"email": body["email"], "password": body["password"]}


# ------------------------------------------------------------------------------------ health, ready

def test_health_is_ok(users):
    response = users.get("/health")
    assert response.status_code == 200
    assert media_type(response) == "application/json"
    assert response.json() == {"status": "ok"}


def test_health_ignores_the_query_string(users):
    assert users.get("/health?probe=1").status_code == 200


def test_ready_reports_postgres_up(users):
    response = users.get("/ready")
    assert response.status_code == 200, response.text
    assert media_type(response) == "application/json"
    assert response.json() == {"status": "ok", "checks": {"postgres": "up"}}


# -------------------------------------------------------------------------------------- request ids

@pytest.mark.parametrize("request_id", ["abc", "A-z_0.9", "x" * 128, str(uuid.uuid4()), "..--__"])
def test_valid_client_request_id_is_echoed(users, request_id):
    assert users.get("/health", headers={"X-Request-Id": request_id}).headers["X-Request-Id"] == request_id


@pytest.mark.parametrize("request_id", ["x" * 129, "has space", "semi;colon", "slash/char", "<script>",
                                        "quote\"d", "per%cent", "caf\u00e9", ""],
                         ids=["129-chars", "space", "semicolon", "slash", "angle", "quote", "percent",
                              "latin1", "empty"])
def test_invalid_client_request_id_is_replaced_by_a_uuid(users, request_id):
    returned = users.get("/health", headers={"X-Request-Id": request_id}).headers["X-Request-Id"]
    assert returned != request_id
    assert UUID_RE.match(returned), returned


def test_missing_request_id_is_generated_per_request(users):
    first = users.get("/health").headers["X-Request-Id"]
    second = users.get("/health").headers["X-Request-Id"]
    assert UUID_RE.match(first) and UUID_RE.match(second)
    assert first != second


def test_problem_carries_the_echoed_request_id(users):
    request_id = f"trace-{uuid.uuid4().hex}"
    response = users.post_raw("/register", b"{", headers={"X-Request-Id": request_id})
    body = assert_problem(response, 400, "MALFORMED_JSON")
    assert response.headers["X-Request-Id"] == request_id
    assert body["requestId"] == request_id


def test_problem_carries_the_generated_request_id(users):
    response = users.get("/no-such-route")
    body = assert_problem(response, 404, "NOT_FOUND")
    assert UUID_RE.match(body["requestId"])


# ------------------------------------------------------------------------------------------ routing

@pytest.mark.parametrize("method,path", [
    ("GET", "/nope"), ("POST", "/nope"), ("GET", "/"), ("GET", "/register/extra"), ("GET", "/REGISTER"),
    ("GET", "/profile/123"), ("DELETE", "/users/1"), ("GET", "/.well-known/other.json"),
    ("GET", "/" + "a" * 2000),
], ids=lambda value: value if len(value) < 40 else "long-path")
def test_unknown_route_is_404_problem(users, method, path):
    assert_problem(users.request(method, path), 404, "NOT_FOUND")


@pytest.mark.parametrize("path", ["/%00", "/%ff%fe", "/%e9", "/a%2", "/%zz", "/..%2f..%2fetc%2fpasswd",
                                  "/register%00"])
def test_odd_paths_are_client_errors(users, path):
    # http.client sends the path byte for byte (requests would re-quote a broken escape).
    conn = http.client.HTTPConnection("127.0.0.1", users.port, timeout=15)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        body = response.read()
    finally:
        conn.close()
    assert response.status in (400, 404), (response.status, body[:300])
    assert response.getheader("Content-Type", "").startswith("application/problem+json")
    assert response.getheader("X-Request-Id")
    assert users.get("/health").status_code == 200


@pytest.mark.parametrize("method,path,allowed", [
    ("GET", "/register", "POST"), ("PUT", "/register", "POST"), ("PATCH", "/register", "POST"),
    ("GET", "/login", "POST"), ("DELETE", "/login", "POST"),
    ("POST", "/profile", "GET"), ("DELETE", "/profile", "GET"),
    ("POST", "/health", "GET"), ("POST", "/ready", "GET"), ("POST", "/metrics", "GET"),
    ("POST", "/.well-known/jwks.json", "GET"),
])
def test_wrong_method_is_405_with_allow(users, method, path, allowed):
    # A JSON body on purpose: the method is rejected before the body or the token is looked at.
    response = users.request(method, path, json=registration())
    assert_problem(response, 405, "METHOD_NOT_ALLOWED")
    allow = {m.strip().upper() for m in response.headers.get("Allow", "").split(",") if m.strip()}
    assert allowed in allow, f"Allow: {response.headers.get('Allow')!r}"
    assert method not in allow


def test_very_long_path_is_refused_without_harm(users):
    # Past the server's request-line limit the connection may just be closed; it must not crash or 5xx.
    try:
        response = requests.get(users.url + "/" + "a" * 100_000, timeout=15)
        assert 400 <= response.status_code < 500, response.status_code
    except requests.ConnectionError:
        pass
    assert users.get("/health").status_code == 200


# ------------------------------------------------------------------------------------ body: media type

@pytest.mark.parametrize("path", BODY_PATHS)
@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded",
                                          "multipart/form-data; boundary=x", "application/xml",
                                          "text/json", "application/jsonx", "application/json-patch+json",
                                          "json"])
def test_body_that_is_not_declared_json_is_415(users, users_db, path, content_type):
    body = _body_for(path)
    response = users.post_raw(path, json.dumps(body).encode(), content_type=content_type)
    assert_problem(response, 415, "UNSUPPORTED_MEDIA_TYPE")
    assert users_db.count_matching(email=body["email"], name=body.get("name")) == 0


@pytest.mark.parametrize("content_type", ["application/json; charset=utf-8", "APPLICATION/JSON",
                                          "Application/Json;Charset=UTF-8", "application/json ; charset=utf-8"])
def test_json_media_type_parameters_and_case_are_accepted(users, content_type):
    body = registration()
    response = users.post_raw("/register", json.dumps(body).encode(), content_type=content_type)
    assert response.status_code == 201, response.text


# ------------------------------------------------------------------------------------------ body: size

def _padded_registration(size: int) -> tuple[dict, bytes]:
    body = registration(pad="")
    pad = size - len(json.dumps(body).encode())
    body["pad"] = "p" * pad
    raw = json.dumps(body).encode()
    assert len(raw) == size
    return body, raw


def test_body_of_exactly_64_kib_is_accepted(users):
    _, raw = _padded_registration(65536)
    response = users.post_raw("/register", raw)
    assert response.status_code == 201, response.text


@pytest.mark.parametrize("path", BODY_PATHS)
def test_body_over_64_kib_is_413(users, users_db, path):
    body, raw = _padded_registration(65537)
    assert_problem(users.post_raw(path, raw), 413, "PAYLOAD_TOO_LARGE")
    assert users_db.count_matching(email=body["email"], name=body["name"]) == 0


def test_chunked_body_over_64_kib_is_413(users, users_db):
    # A raw socket, not requests: the server answers once 64 KiB have arrived and closes while the client is
    # still sending, so a client that insists on sending the whole body first (requests) meets a broken pipe
    # before it reads the answer, which is already waiting in its receive buffer.
    body, raw = _padded_registration(100_000)
    chunked = b"".join(b"%x\r\n%s\r\n" % (len(raw[i:i + 8192]), raw[i:i + 8192])
                       for i in range(0, len(raw), 8192)) + b"0\r\n\r\n"
    head = (b"POST /register HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n")
    answer = exchange(users.port, head + chunked, timeout=10)
    assert answer.status == 413, answer.raw[:2000]
    assert answer.headers["content-type"].split(";")[0] == "application/problem+json", answer.headers
    problem = answer.json()
    assert problem["code"] == "PAYLOAD_TOO_LARGE" and problem["status"] == 413, problem
    assert problem["requestId"] == answer.headers["x-request-id"], problem
    assert users_db.count_matching(email=body["email"], name=body["name"]) == 0


# ------------------------------------------------------------------------------------------ body: JSON

def _nested_registration(depth: int) -> tuple[dict, bytes]:
    """A valid registration whose deepest value sits `depth` levels down, the top object being level 1."""
    body = registration()
    head = json.dumps(body)[:-1]
    raw = f'{head}, "pad": {"[" * (depth - 1)}{"]" * (depth - 1)}}}'.encode()
    return body, raw


MALFORMED = {
    "empty": b"",
    "whitespace": b"   ",
    "open-brace": b"{",
    "cut-value": b'{"email": ',
    "not-json": b"not json",
    "single-quotes": b"{'email': 'a@example.com'}",
    "trailing-comma": b'{"email": "a@example.com",}',
    "trailing-garbage": b"{} x",
    "two-documents": b'{"a": 1}{"b": 2}',
    "nan": b'{"a": NaN}',
    "leading-zero": b'{"a": 01}',
    "unterminated-string": b'{"email": "a@example.com',
    "raw-newline-in-string": b'{"name": "a\nb"}',
    "invalid-escape": b'{"name": "\\x41"}',
    "deep-unclosed": b"[" * 30_000,
}


@pytest.mark.parametrize("path", BODY_PATHS)
@pytest.mark.parametrize("raw", MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_json_is_400(users, path, raw):
    assert_problem(users.post_raw(path, raw), 400, "MALFORMED_JSON")


INVALID_UTF8 = {
    "lone-continuation": b"\x80",
    "ff-byte": b"\xff\xfe",
    "overlong-slash": b"\xc0\xaf",
    "encoded-surrogate": b"\xed\xa0\x80",
    "truncated-sequence": b"\xe2\x82",
    "above-u10ffff": b"\xf4\x90\x80\x80",
}


@pytest.mark.parametrize("path", BODY_PATHS)
@pytest.mark.parametrize("bad", INVALID_UTF8.values(), ids=INVALID_UTF8.keys())
def test_invalid_utf8_is_malformed_json(users, users_db, path, bad):
    body = _body_for(path)
    raw = json.dumps(body).encode().replace(b'"password": "', b'"password": "' + bad, 1)
    if path == "/register":
        raw = raw.replace(b'"name": "', b'"name": "' + bad, 1)
    assert_problem(users.post_raw(path, raw), 400, "MALFORMED_JSON")
    assert users_db.count_matching(email=body["email"], name=body.get("name")) == 0


def test_lone_surrogate_escape_is_rejected(users, users_db):
    body = registration()
    raw = json.dumps(body).encode().replace(b'"name": "', b'"name": "\\ud800', 1)
    response = users.post_raw("/register", raw)
    assert response.status_code == 400, response.text
    assert response.json()["code"] in ("MALFORMED_JSON", "VALIDATION_FAILED")
    assert users_db.count_matching(email=body["email"]) == 0


def test_nesting_of_64_levels_is_accepted(users):
    _, raw = _nested_registration(64)
    response = users.post_raw("/register", raw)
    assert response.status_code == 201, response.text


@pytest.mark.parametrize("depth", [65, 1000, 30_000])
def test_nesting_deeper_than_64_levels_is_malformed(users, users_db, depth):
    body, raw = _nested_registration(depth)
    assert_problem(users.post_raw("/register", raw), 400, "MALFORMED_JSON")
    assert users_db.count_matching(email=body["email"], name=body["name"]) == 0
    assert users.get("/health").status_code == 200


@pytest.mark.parametrize("path", BODY_PATHS)
@pytest.mark.parametrize("raw", [b"[]", b'[{"email": "a@example.com"}]', b'"text"', b"42", b"null", b"true"],
                         ids=["array", "array-of-object", "string", "number", "null", "bool"])
def test_json_that_is_not_an_object_is_a_validation_error(users, path, raw):
    assert_problem(users.post_raw(path, raw), 400, "VALIDATION_FAILED")


# ------------------------------------------------------------------------------------------ metrics

def _metrics(users) -> list:
    response = users.get("/metrics")
    assert response.status_code == 200, response.text
    return parse_prometheus(response.text)


def test_metrics_are_prometheus_text(users):
    users.get("/health")
    response = users.get("/metrics")
    assert response.status_code == 200
    assert media_type(response) == "text/plain"
    assert "http_requests_total{" in response.text
    assert "http_request_duration_seconds_bucket{" in response.text
    samples = parse_prometheus(response.text)
    totals = [s for s in samples if s.name == "http_requests_total"]
    assert totals and all({"route", "method", "status"} <= s.labels.keys() for s in totals), totals[:5]
    buckets = [s for s in samples if s.name == "http_request_duration_seconds_bucket"]
    assert buckets and all("le" in s.labels for s in buckets)
    assert any(s.labels["le"] == "+Inf" for s in buckets)
    names = {s.name for s in samples}
    assert {"http_request_duration_seconds_count", "http_request_duration_seconds_sum"} <= names


def test_request_counter_and_histogram_count_requests(users):
    labels = {"route": "/health", "method": "GET", "status": "200"}

    def counts():
        samples = _metrics(users)
        return (metric_sum(samples, "http_requests_total", **labels),
                metric_sum(samples, "http_request_duration_seconds_bucket", le="+Inf", route="/health"))

    before_total, before_hist = counts()
    for _ in range(3):
        assert users.get("/health").status_code == 200
    wait_for(lambda: counts()[0] >= before_total + 3 and counts()[1] >= before_hist + 3, timeout=5,
             message="http_requests_total{route=\"/health\",method=\"GET\",status=\"200\"} to grow by 3")


def test_unknown_paths_do_not_become_metric_labels(users):
    marker = uuid.uuid4().hex
    before = metric_sum(_metrics(users), "http_requests_total", status="404")
    assert users.get(f"/no-such-{marker}").status_code == 404
    wait_for(lambda: metric_sum(_metrics(users), "http_requests_total", status="404") > before, timeout=5,
             message="a 404 to be counted")
    assert marker not in users.get("/metrics").text
