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
