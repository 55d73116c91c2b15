"""A day in the life of Comanda, for Locust (Debian's python3-locust): people browse the menu, some sign up, order
and come back for their notifications. Point it at any gateway:

  locust -f bench/locustfile.py --host http://localhost:8080                 # live view on http://localhost:8089
  locust -f bench/locustfile.py --host http://localhost:8080 --headless -u 20 -r 2 -t 30s --only-summary

Proportions (per simulated person, paced by think time, not a closed loop at full speed):
  - Browser (3 of 4 people): opens the menu, a category, a product or two, leaves; 2-6 s between pages.
  - Customer (1 of 4): signs up and logs in once, then browses (weight 6), places an order with an
    Idempotency-Key (2), reads their notifications (3) and their order history (1); 3-10 s between actions.
An order's notification arrives asynchronously; `notification seen` events (request type NOTIFY) record how long
after the order a customer first saw it on GET /api/notifications.

The gateway allows 2 sign-ups and 2 logins a second per client address (burst 10): from one machine keep the spawn
rate (-r) at 2 or less; a 429 is retried after its Retry-After (at most 5 times) and counted as such.
"""
from __future__ import annotations

import random
import time
import uuid

from locust import HttpUser, between, events, task

ADDRESSES = ["Calle Mayor 1, 28013 Madrid", "Gran Via 28, 28013 Madrid", "Passeig de Gracia 43, Barcelona",
             "Calle Larios 5, Malaga"]
_menu: dict[str, list[dict]] = {}   # category -> products, shared by all users, read once


def _load_menu(client) -> dict[str, list[dict]]:
    if not _menu:
        with client.get("/api/products", name="/api/products", catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"menu: {response.status_code}")
                return {}
            for product in response.json()["items"]:
                if product.get("available", True):
                    _menu.setdefault(product["category"], []).append(product)
    return _menu


class Browser(HttpUser):
    """Someone who looks at the menu and leaves."""
    weight = 3
    wait_time = between(2, 6)

    def on_start(self) -> None:
        self.menu = _load_menu(self.client)

    @task(3)
    def menu(self) -> None:
        self.client.get("/api/products", name="/api/products")

    @task(4)
    def category(self) -> None:
        if self.menu:
            category = random.choice(list(self.menu))
            self.client.get(f"/api/products?category={category}", name="/api/products?category=[c]")

    @task(3)
    def product(self) -> None:
        if self.menu:
            product = random.choice(random.choice(list(self.menu.values())))
            self.client.get(f"/api/products/{product['id']}", name="/api/products/[id]")

    @task(1)
    def health(self) -> None:
        self.client.get("/health", name="/health")


class Customer(HttpUser):
    """Someone who signs up, orders and waits for the kitchen's confirmation."""
    weight = 1
    wait_time = between(3, 10)

    def on_start(self) -> None:
        self.menu = _load_menu(self.client)
        self.token = ""
        self.waiting: dict[str, float] = {}   # order id -> when it was placed, until its notification is seen
        email = f"locust-{uuid.uuid4().hex[:12]}@example.com"
        password = "correct-horse-" + uuid.uuid4().hex[:8]
        if not self._limited("/api/register", {"email": email, "password": password, "name": "Locust Tester"}, 201):
            return
        body = self._limited("/api/login", {"email": email, "password": password}, 200)
        if body:
            self.token = body["accessToken"]

    def _limited(self, path: str, body: dict, expected: int) -> dict | None:
        """POST under the gateway's rate limit: a 429 waits for its Retry-After and tries again (5 times)."""
        for _ in range(5):
            with self.client.post(path, json=body, name=path, catch_response=True) as response:
                if response.status_code == 429:
                    response.success()   # the limit doing its job; the retry shows in the counts
                    time.sleep(min(5.0, float(response.headers.get("Retry-After", "1"))))
                    continue
                if response.status_code != expected:
                    response.failure(f"{response.status_code}: {response.text[:200]}")
                    return None
                return response.json()
        return None

    def _auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    @task(6)
    def browse(self) -> None:
        if self.menu:
            category = random.choice(list(self.menu))
            self.client.get(f"/api/products?category={category}", name="/api/products?category=[c]")

    @task(2)
    def order(self) -> None:
        if not self.token or not self.menu:
            return
        products = [p for items in self.menu.values() for p in items]
        lines = random.sample(products, k=min(len(products), random.randint(1, 3)))
        body = {"items": [{"productId": p["id"], "quantity": random.randint(1, 3)} for p in lines],
                "deliveryAddress": random.choice(ADDRESSES)}
        headers = {**self._auth(), "Idempotency-Key": str(uuid.uuid4())}
        with self.client.post("/api/orders", json=body, headers=headers, name="/api/orders",
                              catch_response=True) as response:
            if response.status_code == 201:
                self.waiting[response.json()["id"]] = time.monotonic()
            else:
                response.failure(f"{response.status_code}: {response.text[:200]}")

    @task(3)
    def notifications(self) -> None:
        if not self.token:
            return
        response = self.client.get("/api/notifications", headers=self._auth(), name="/api/notifications")
        if response.status_code != 200 or not self.waiting:
            return
        seen = {item["orderId"] for item in response.json()["items"]}
        for order_id in [o for o in self.waiting if o in seen]:
            waited_ms = (time.monotonic() - self.waiting.pop(order_id)) * 1000
            events.request.fire(request_type="NOTIFY", name="notification seen", response_time=waited_ms,
                                response_length=0, exception=None, context={})

    @task(1)
    def history(self) -> None:
        if self.token:
            self.client.get("/api/orders", headers=self._auth(), name="/api/orders (history)")
