"""W3C trace context through the whole system: the gateway accepts a valid client `traceparent` or starts a trace,
every service continues it (HTTP calls between services, the OrderCreated event's AMQP headers via the outbox) and
writes it as `traceId` on its log lines, so one grep by trace id shows an order's whole path."""
from __future__ import annotations

import re
import secrets

import harness
from orders_api import MARGHERITA_ID
from users_api import registration

TRACE_ID_RE = re.compile(r"^[0-9a-f]{32}$")
SERVICES = ("users", "products", "orders", "notifications")


def _customer(gateway) -> dict[str, str]:
    user = registration()
    assert gateway.post("/api/register", json=user).status_code == 201
    response = gateway.post("/api/login", json={"email": user["email"], "password": user["password"]})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['accessToken']}"}


def _order(gateway, auth: dict[str, str], headers: dict[str, str]) -> dict:
    body = {"items": [{"productId": MARGHERITA_ID, "quantity": 1}], "deliveryAddress": "Calle Mayor 1, Madrid"}
    response = gateway.post("/api/orders", json=body, headers={**auth, **headers})
    assert response.status_code == 201, response.text
    return response.json()


def _path_of(system, gateway, trace_id: str, order_id: str) -> dict[str, list[dict]]:
    """Every log line with this trace id, per component, once the notification's line is written."""
    def notification_logged():
        return [line for line in system.logs("notifications")
                if line.get("traceId") == trace_id and line.get("orderId") == order_id
                and line.get("msg", "").startswith("📩")]
    harness.wait_for(notification_logged, timeout=30, interval=0.2, message="the notification's line with the trace id")

    def lines() -> dict[str, list[dict]]:
        found = {name: [line for line in system.logs(name) if line.get("traceId") == trace_id] for name in SERVICES}
        found["gateway"] = [line for line in gateway.access_log() if line.get("traceId") == trace_id]
        return found
    # Each process writes its log lines from a thread of its own, a few ms later: under load the notification's
    # line can be out before orders-service's own. Wait (bounded) for every component, then check what is there.
    try:
        harness.wait_for(lambda: all(lines().values()), timeout=10, interval=0.2)
    except harness.GiveUp:
        pass
    return lines()


def test_one_trace_id_follows_an_order_through_every_service(system, gateway):
    auth = _customer(gateway)
    trace_id = secrets.token_hex(16)
    traceparent = f"00-{trace_id}-{secrets.token_hex(8)}-01"
    order = _order(gateway, auth, {"traceparent": traceparent})

    found = _path_of(system, gateway, trace_id, order["id"])
    missing = [name for name, lines in found.items() if not lines]
    assert not missing, f"no line with traceId {trace_id} in {missing}"
    assert [(line["method"], line["path"], line["status"]) for line in found["gateway"]] == \
        [("POST", "/api/orders", 201)]
    assert any(line.get("msg") == "order placed" and line.get("orderId") == order["id"] for line in found["orders"])
    assert any(line.get("path", "").startswith("/products") for line in found["products"]), found["products"]
    # One request id beside it, as before: the gateway's, on the lines of the request and of the event.
    request_ids = {line["requestId"] for name in ("gateway", "orders", "notifications") for line in found[name]}
    assert len(request_ids) == 1, request_ids
    # The trace is this order's alone: no other request of the run has it.
    assert all(line.get("orderId") in (None, order["id"]) for line in found["notifications"])


def test_the_gateway_starts_a_trace_when_the_client_sends_none_or_an_invalid_one(system, gateway):
    auth = _customer(gateway)
    invalid = "00-00000000000000000000000000000000-00f067aa0ba902b7-01"   # all-zero trace id: invalid
    for headers in ({}, {"traceparent": invalid}, {"traceparent": "garbage"}):
        request_id = f"trace-{secrets.token_hex(6)}"
        order = _order(gateway, auth, {**headers, "X-Request-Id": request_id})
        [access] = harness.wait_for(
            lambda: [line for line in gateway.access_log() if line.get("requestId") == request_id],
            timeout=10, message="the gateway's access log line")
        trace_id = access["traceId"]
        assert TRACE_ID_RE.match(trace_id) and trace_id != "0" * 32, access
        found = _path_of(system, gateway, trace_id, order["id"])
        assert all(found[name] for name in SERVICES), {name: len(lines) for name, lines in found.items()}
