"""GET /products and GET /products/{id}: the seeded menu, the representation, the category filter, and 404s."""
from __future__ import annotations

import uuid

import pytest

from http_checks import UUID_RE, assert_problem, media_type
from products_api import CATEGORIES, MARGHERITA_ID, PRODUCT_FIELDS, SEEDED_COUNT, UNAVAILABLE_ID

SEEDED_PREFIX = "0b6c5d2e-1a4f-4c51-9d3e-7f1a2b3c4d"


def _assert_product(product: dict) -> None:
    assert set(product) == PRODUCT_FIELDS, sorted(product)
    assert isinstance(product["id"], str) and UUID_RE.match(product["id"]), product
    assert isinstance(product["name"], str) and product["name"].strip() == product["name"] != "", product
    assert isinstance(product["description"], str), product
    assert product["category"] in CATEGORIES, product
    assert isinstance(product["priceCents"], int) and not isinstance(product["priceCents"], bool), product
    assert 1 <= product["priceCents"] <= 1_000_000, product
    assert product["currency"] == "EUR", product
    assert isinstance(product["available"], bool), product


def _list(products, path: str = "/products") -> dict:
    response = products.get(path)
    assert response.status_code == 200, response.text
    assert media_type(response) == "application/json"
    body = response.json()
    assert set(body) == {"items", "count"}, sorted(body)
    assert isinstance(body["count"], int) and body["count"] == len(body["items"]), body["count"]
    return body


# -------------------------------------------------------------------------------------------- list

def test_list_has_the_seeded_menu_across_every_category(products):
    items = _list(products)["items"]
    for product in items:
        _assert_product(product)
    seeded = [p for p in items if p["id"].startswith(SEEDED_PREFIX)]
    assert len(seeded) == SEEDED_COUNT >= 12, [p["name"] for p in seeded]
    assert {p["category"] for p in seeded} == set(CATEGORIES)
    unavailable = [p for p in seeded if not p["available"]]
    assert 1 <= len(unavailable) < len(seeded) // 2, [p["name"] for p in unavailable]
    assert UNAVAILABLE_ID in {p["id"] for p in unavailable}
    assert len({p["id"] for p in items}) == len(items), "an id appears twice"
    for product in seeded:
        assert product["description"], f"seeded {product['name']!r} has no description"


def test_seeded_margherita_is_listed_as_stored(products, products_db):
    margherita = next(p for p in _list(products)["items"] if p["id"] == MARGHERITA_ID)
    row = products_db.product(MARGHERITA_ID)
    assert margherita == {"id": MARGHERITA_ID, "name": row["name"], "description": row["description"],
                          "category": "pizzas", "priceCents": row["price_cents"], "currency": "EUR",
                          "available": row["available"]}


@pytest.mark.parametrize("category", CATEGORIES)
def test_category_filter_returns_exactly_that_category(products, category):
    everything = _list(products)["items"]
    filtered = _list(products, f"/products?category={category}")
    assert filtered["items"], f"no {category} at all"
    assert all(p["category"] == category for p in filtered["items"]), filtered
    assert [p["id"] for p in filtered["items"]] == [p["id"] for p in everything if p["category"] == category]


def test_filters_partition_the_whole_list(products):
    everything = {p["id"] for p in _list(products)["items"]}
    counts = [_list(products, f"/products?category={c}")["count"] for c in CATEGORIES]
    assert sum(counts) == len(everything)


@pytest.mark.parametrize("category", ["salads", "Pizzas", "PIZZAS", "pizza", "pizzas ", "' OR '1'='1", "x" * 300,
                                      "burgers,pizzas"],
                         ids=["salads", "capitalised", "upper", "singular", "trailing-space", "sql", "long",
                              "two"])
def test_unknown_category_is_400_naming_the_allowed_values(products, category):
    response = products.get("/products", params={"category": category})
    body = assert_problem(response, 400, "VALIDATION_FAILED", {"category"})
    assert body["errors"][0]["field"] == "category"
    message = body["errors"][0]["message"]
    for allowed in CATEGORIES:
        assert allowed in message, f"{allowed!r} not named in {message!r}"


def test_unknown_query_parameters_are_ignored(products):
    assert _list(products, "/products?sort=price&page=2")["count"] == _list(products)["count"]


# -------------------------------------------------------------------------------------------- item

def test_get_one_product(products):
    response = products.get(f"/products/{MARGHERITA_ID}")
    assert response.status_code == 200, response.text
    assert media_type(response) == "application/json"
    product = response.json()
    _assert_product(product)
    assert product["id"] == MARGHERITA_ID
    assert product["name"] == "Pizza Margherita"
    assert product["category"] == "pizzas"
    assert product["available"] is True


def test_item_equals_its_list_entry(products):
    listed = {p["id"]: p for p in _list(products)["items"]}
    for product_id in (MARGHERITA_ID, UNAVAILABLE_ID):
        response = products.get(f"/products/{product_id}")
        assert response.status_code == 200, response.text
        assert response.json() == listed[product_id]
    assert listed[UNAVAILABLE_ID]["available"] is False


def test_unavailable_product_is_still_readable(products):
    response = products.get(f"/products/{UNAVAILABLE_ID}")
    assert response.status_code == 200, response.text
    assert response.json()["available"] is False


NOT_FOUND_IDS = {
    "unknown-uuid": str(uuid.uuid4()),
    "nil-uuid": "00000000-0000-0000-0000-000000000000",
    "number": "42",
    "word": "margherita",
    "uuid-without-dashes": MARGHERITA_ID.replace("-", ""),
    "uuid-too-long": MARGHERITA_ID + "0",
    "uuid-with-braces": "%7B" + MARGHERITA_ID + "%7D",
    "sql": "1%27%20OR%20%271%27=%271",
    "long": "a" * 1000,
}


@pytest.mark.parametrize("product_id", NOT_FOUND_IDS.values(), ids=NOT_FOUND_IDS.keys())
def test_unknown_or_malformed_id_is_404(products, product_id):
    assert_problem(products.get(f"/products/{product_id}"), 404, "NOT_FOUND")


def test_id_next_to_the_seeded_ones_is_404(products):
    assert_problem(products.get(f"/products/{SEEDED_PREFIX}99"), 404, "NOT_FOUND")


# ------------------------------------------------------------------------------------------- routing

@pytest.mark.parametrize("method,path,allowed", [
    ("PATCH", "/products", {"GET", "POST"}), ("DELETE", "/products", {"GET", "POST"}),
    ("POST", f"/products/{MARGHERITA_ID}", {"GET", "PUT", "DELETE"}),
    ("PATCH", f"/products/{MARGHERITA_ID}", {"GET", "PUT", "DELETE"}),
])
def test_wrong_method_is_405_with_allow(products, method, path, allowed):
    response = products.request(method, path, json={})
    assert_problem(response, 405, "METHOD_NOT_ALLOWED")
    allow = {m.strip().upper() for m in response.headers.get("Allow", "").split(",") if m.strip()}
    assert allowed <= allow, f"Allow: {response.headers.get('Allow')!r}"
    assert method not in allow


@pytest.mark.parametrize("path", ["/product", f"/products/{MARGHERITA_ID}/extra", "/products/a/b"])
def test_unknown_route_is_404(products, path):
    assert_problem(products.get(path), 404, "NOT_FOUND")


def test_ready_reports_postgres_and_redis_up(products):
    response = products.get("/ready")
    assert response.status_code == 200, response.text
    assert response.json() == {"status": "ok", "checks": {"postgres": "up", "redis": "up"}}
