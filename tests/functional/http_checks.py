"""Assertions on HTTP responses: problem details, leaks, Retry-After; and a Prometheus text parser."""
from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Iterable

import requests

UUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
RFC3339_UTC_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")
# Text that must never reach a client: driver and runtime internals, SQL errors, hosts, credentials.
LEAK_MARKERS = ("pqxx", "libpq", "std::", "terminate called", "sqlstate", "syntax error at or near",
                "duplicate key", "constraint \"", "relation \"", "127.0.0.1", "localhost", "postgresql://",
                "users:users", "backtrace", "stack trace", "segmentation")


def parse_rfc3339(text: str) -> datetime.datetime:
    """A UTC timestamp as the services write it (`...Z`), checked against RFC3339_UTC_RE."""
    assert RFC3339_UTC_RE.match(text), f"not RFC 3339 UTC: {text!r}"
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


def assert_log_line(line: dict, service: str) -> None:
    """One stdout line as the contract has it: `ts`, `level`, `service`, `msg` and `requestId` (null outside a
    request)."""
    for key in ("ts", "level", "service", "msg"):
        assert isinstance(line.get(key), str), f"{key!r} missing in {line}"
    assert "requestId" in line and (line["requestId"] is None or isinstance(line["requestId"], str)), line
    assert line["level"] in ("debug", "info", "warn", "error"), line
    assert line["service"] == service, line
    assert RFC3339_UTC_RE.match(line["ts"]), line


def media_type(response: requests.Response) -> str:
    return response.headers.get("Content-Type", "").split(";")[0].strip().lower()


def assert_no_leak(response: requests.Response) -> None:
    text = response.text.lower()
    leaks = [marker for marker in LEAK_MARKERS if marker.lower() in text]
    assert not leaks, f"response leaks internals ({leaks}): {response.text[:2000]}"


def assert_problem(response: requests.Response, status: int, code: str,
                   fields: Iterable[str] | None = None) -> dict:
    """An RFC 9457 problem with our `code` and `requestId`; `fields`: exactly the fields named in `errors`."""
    assert response.status_code == status, \
        f"expected {status} {code}, got {response.status_code}: {response.text[:2000]}"
    assert media_type(response) == "application/problem+json", \
        f"Content-Type {response.headers.get('Content-Type')!r}: {response.text[:500]}"
    body = response.json()
    assert isinstance(body, dict), body
    for key in ("type", "title", "detail", "code", "requestId"):
        assert isinstance(body.get(key), str), f"problem field {key!r} missing or not a string: {body}"
    assert body["status"] == status and not isinstance(body["status"], bool), body
    assert body["code"] == code, f"expected code {code}, got {body['code']}: {body}"
    assert body["requestId"] == response.headers["X-Request-Id"], body
    assert_no_leak(response)
    if fields is not None:
        errors = body.get("errors")
        assert isinstance(errors, list) and errors, f"no errors[] in {body}"
        for error in errors:
            assert isinstance(error.get("field"), str) and isinstance(error.get("message"), str) \
                and error["message"], f"bad errors[] entry {error} in {body}"
        named = {error["field"] for error in errors}
        assert named == set(fields), f"errors[] names {sorted(named)}, expected {sorted(fields)}: {body}"
    return body


def assert_retry_after(response: requests.Response) -> None:
    value = response.headers.get("Retry-After", "")
    assert value.isdigit() and int(value) >= 1, f"Retry-After {value!r} is not a positive number of seconds"


# ----------------------------------------------------------------------------------------- Prometheus

@dataclass
class Sample:
    name: str
    labels: dict[str, str]
    value: float


_SAMPLE_RE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)(\s+\d+)?$")
_LABEL_RE = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def parse_prometheus(text: str) -> list[Sample]:
    samples = []
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        match = _SAMPLE_RE.match(line.strip())
        assert match, f"not a Prometheus sample line: {line!r}"
        labels = dict(_LABEL_RE.findall(match.group(3) or ""))
        samples.append(Sample(match.group(1), labels, float(match.group(4))))
    return samples


def metric_sum(samples: list[Sample], name: str, **labels: str) -> float:
    return sum(s.value for s in samples
               if s.name == name and all(s.labels.get(k) == v for k, v in labels.items()))
