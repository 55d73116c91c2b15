"""The seed flow through the gateway, as the web UI drives it: register, log in, browse the catalog (X-Cache MISS
then HIT), order, and the order's notification in GET /api/notifications and in notifications-service's log."""
from __future__ import annotations

import uuid

import harness
from orders_api import MARGHERITA_ID
from products_api import product_body
from users_api import ADMIN_EMAIL, ADMIN_PASSWORD, registration


def login(gateway, email: str, password: str) -> dict[str, str]:
    response = gateway.post("/api/login", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["tokenType"] == "Bearer" and body["expiresIn"] > 0
    return {"Authorization": f"Bearer {body['accessToken']}"}


def test_register_login_browse_order_and_get_notified(system, gateway, notifications_db):
    # Sign up and log in.
    user = registration()
    response = gateway.post("/api/register", json=user)
    assert response.status_code == 201, response.text
    assert response.json()["email"] == user["email"]
    auth = login(gateway, user["email"], user["password"])
    profile = gateway.get("/api/profile", headers=auth)
    assert profile.status_code == 200 and profile.json()["role"] == "customer"

    # Browse: an admin's change to the menu invalidates the cache, so the next read is a MISS, then a HIT.
    admin = login(gateway, ADMIN_EMAIL, ADMIN_PASSWORD)
    created = gateway.post("/api/products", json=product_body(category="desserts", priceCents=450), headers=admin)
    assert created.status_code == 201, created.text
    dessert = created.json()
    try:
        first = gateway.get("/api/products?category=desserts")
        second = gateway.get("/api/products?category=desserts")
        assert (first.status_code, second.status_code) == (200, 200)
        assert (first.headers["X-Cache"], second.headers["X-Cache"]) == ("MISS", "HIT")
        assert first.content == second.content
        assert dessert["id"] in [item["id"] for item in first.json()["items"]]
        assert gateway.get("/api/products?category=desserts",
                           headers={"If-None-Match": second.headers["ETag"]}).status_code == 304

        # Order two lines, one of them the new dessert; prices come from the catalog.
        request_id = f"e2e-flow-{uuid.uuid4().hex[:12]}"
        body = {"items": [{"productId": MARGHERITA_ID, "quantity": 2}, {"productId": dessert["id"], "quantity": 1}],
                "deliveryAddress": "Calle Mayor 1, 28013 Madrid", "notes": "end-to-end"}
        placed = gateway.post("/api/orders", json=body, headers={**auth, "X-Request-Id": request_id})
        assert placed.status_code == 201, placed.text
        order = placed.json()
        assert order["userId"] == profile.json()["id"] and order["status"] == "CREATED"
        margherita = gateway.get(f"/api/products/{MARGHERITA_ID}").json()
        assert order["totalCents"] == 2 * margherita["priceCents"] + 450
    finally:
        assert gateway.request("DELETE", f"/api/products/{dessert['id']}", headers=admin).status_code in (204, 404)

    listed = gateway.get("/api/orders", headers=auth)
    assert [item["id"] for item in listed.json()["items"]] == [order["id"]]
    assert gateway.get(f"/api/orders/{order['id']}", headers=auth).json()["totalCents"] == order["totalCents"]

    # The notification: in the customer's list, once, and as the 📩 line in the service's log.
    def notified():
        items = gateway.get("/api/notifications", headers=auth).json()["items"]
        return [item for item in items if item["orderId"] == order["id"]]
    [item] = harness.wait_for(notified, timeout=30, interval=0.2, message="the order's notification")
    assert item["message"].startswith(f"📩 Pedido confirmado para el usuario {user['name']}"), item
    assert order["id"] in item["message"]
    lines = harness.wait_for(lambda: [line for line in system.logs("notifications")
                                      if "📩 Pedido confirmado para el usuario" in line.get("msg", "")
                                      and line.get("orderId") == order["id"]], timeout=10, message="the 📩 line")
    assert len(lines) == 1 and lines[0]["requestId"] == request_id, lines  # correlated from the gateway on
    assert len(notifications_db.for_order(order["id"])) == 1


def test_another_customer_sees_none_of_it(gateway):
    user = registration()
    assert gateway.post("/api/register", json=user).status_code == 201
    auth = login(gateway, user["email"], user["password"])
    assert gateway.get("/api/orders", headers=auth).json()["items"] == []
    assert gateway.get("/api/notifications", headers=auth).json()["items"] == []
