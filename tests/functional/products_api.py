"""products-service specifics shared by its tests: configuration and the seeded menu."""
from __future__ import annotations

import harness
from harness import Service

CATEGORIES = ("burgers", "pizzas", "sides", "drinks", "desserts")
# Seeded by services/products/migrations/002_seed_menu.sql (fixed ids).
MARGHERITA_ID = "0b6c5d2e-1a4f-4c51-9d3e-7f1a2b3c4d05"
UNAVAILABLE_ID = "0b6c5d2e-1a4f-4c51-9d3e-7f1a2b3c4d04"  # Truffle Mushroom Burger


def products_env(users: Service) -> dict[str, str]:
    return {
        "DATABASE_URL": harness.database_url("products"),
        "REDIS_URL": f"redis://127.0.0.1:{harness.REDIS_PORT}/0",
        "JWKS_URL": f"{users.url}/.well-known/jwks.json",
        "JWT_ISSUER": "users-service",
        "JWT_AUDIENCE": "food-ordering",
        "CACHE_TTL_SECONDS": "60",
    }


SEEDED_COUNT = 17  # rows in 002_seed_menu.sql
PRODUCT_FIELDS = {"id", "name", "description", "category", "priceCents", "currency", "available"}


def product_body(**overrides) -> dict:
    """A valid POST/PUT /products body with a unique name; keyword arguments replace fields (None removes)."""
    body = {"name": harness.unique_name("Test Burger"), "description": "Made by a functional test.",
            "category": "burgers", "priceCents": 1234, "currency": "EUR", "available": True}
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


def create_product(service: Service, token: str, **overrides) -> dict:
    """POST /products as `token` (asserting 201); returns the created product."""
    response = service.post("/products", json=product_body(**overrides), headers=_bearer(token))
    assert response.status_code == 201, f"create product: {response.status_code} {response.text}"
    return response.json()


def delete_product(service: Service, token: str, product_id: str) -> int:
    return service.request("DELETE", f"/products/{product_id}", headers=_bearer(token)).status_code


def list_ids(service: Service, path: str = "/products") -> list[str]:
    response = service.get(path)
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


def cache_metric(service: Service, result: str) -> float:
    """products_cache_requests_total{result=...} from /metrics."""
    return _metric(service, "products_cache_requests_total", result=result)


def db_queries(service: Service, query: str) -> float:
    """How many database queries of one kind (`list`, `find`, ...) the service made, from /metrics."""
    return _metric(service, "products_db_query_duration_seconds_count", query=query)


def _metric(service: Service, name: str, **labels: str) -> float:
    from http_checks import metric_sum, parse_prometheus
    response = service.get("/metrics")
    assert response.status_code == 200, response.text
    return metric_sum(parse_prometheus(response.text), name, **labels)


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
