"""Issue 16, live updates through the gateway: GET /api/notifications/stream passes each event at once (no
buffering, no gzip), with the gateway's headers, and refuses a missing token with the service's 401."""
from __future__ import annotations

import time

from orders_api import MARGHERITA_ID
from sse_client import SseStream
from users_api import ADMIN_EMAIL, ADMIN_PASSWORD, registration


def _token(gateway, email: str, password: str) -> str:
    response = gateway.post("/api/login", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    return response.json()["accessToken"]


def test_a_stream_without_a_token_is_refused_at_once(system, gateway):
    response = gateway.get("/api/notifications/stream", timeout=10)
    assert response.status_code == 401
    assert response.headers["Content-Type"].startswith("application/problem+json")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_the_stream_delivers_each_move_through_the_gateway_unbuffered(system, gateway):
    user = registration()
    assert gateway.post("/api/register", json=user).status_code == 201
    token = _token(gateway, user["email"], user["password"])
    staff = {"Authorization": f"Bearer {_token(gateway, ADMIN_EMAIL, ADMIN_PASSWORD)}"}
    stream = SseStream(f"{gateway.url}/api/notifications/stream",
                       {"Authorization": f"Bearer {token}", "Accept-Encoding": "gzip"})
    try:
        # The first frame is a few bytes: a buffering proxy would hold it back.
        stream.ready(timeout=5)
        headers = stream.response.headers
        assert headers["Content-Type"].startswith("text/event-stream")
        assert "Content-Encoding" not in headers, "an event stream must not be compressed"
        assert headers.get("X-Request-Id") and headers.get("X-Content-Type-Options") == "nosniff"
        created = gateway.post("/api/orders", json={"items": [{"productId": MARGHERITA_ID, "quantity": 1}],
                                                    "deliveryAddress": "Calle Mayor 1"},
                               headers={"Authorization": f"Bearer {token}"})
        assert created.status_code == 201, created.text
        order = created.json()
        stream.wait_until(lambda s: any(e.json()["orderId"] == order["id"] for e in s.of("notification")),
                          timeout=15, message="the confirmation on the stream")
        moved_at = time.monotonic()
        moved = gateway.request("PATCH", f"/api/orders/{order['id']}", json={"status": "ACCEPTED"},
                                headers={**staff, "If-Match": str(order["version"])})
        assert moved.status_code == 200, moved.text
        def accepted_events(s):
            return [e for e in s.of("status") if (e.json()["orderId"], e.json()["state"]) == (order["id"], "ACCEPTED")]

        accepted = stream.wait_until(accepted_events, timeout=10, message="ACCEPTED on the stream")[0]
        assert accepted.received - moved_at < 3, "the event came through at once"
        assert stream.error is None and not stream.ended
    finally:
        stream.close()
