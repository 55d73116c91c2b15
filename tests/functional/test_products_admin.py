"""Admin writes: POST, PUT and DELETE /products. What is accepted and stored, every bad input refused with
nothing changed (in PostgreSQL and in what GET answers), body rules, and who may write at all."""
from __future__ import annotations

import json
import time
import uuid
from pathlib import Path

import pytest

import jwt_forge as forge
from http_checks import UUID_RE, assert_problem, media_type
from products_api import PRODUCT_FIELDS, product_body
from users_api import JWT_AUDIENCE, JWT_ISSUER, bearer


def _put(products, token: str, product_id: str, body) -> object:
    return products.request("PUT", f"/products/{product_id}", json=body, headers=bearer(token))


def _menu(products) -> bytes:
    response = products.get("/products")
    assert response.status_code == 200, response.text
    return response.content


@pytest.fixture
def target(make_product) -> dict:
    """A product of the test's own, for PUT and DELETE to aim at (never a seeded one)."""
    return make_product()


@pytest.fixture
def unchanged(products, products_db, target):
    """Call it after a refused write: the table (every column of every row) and GET /products are as they were
    when the test started (after `target` was made)."""
    rows, menu = products_db.snapshot(), _menu(products)

    def check() -> None:
        assert products_db.snapshot() == rows, "a refused write changed the products table"
        assert _menu(products) == menu, "a refused write changed GET /products"
    return check


# ------------------------------------------------------------------------------------------- create

def test_create_returns_201_location_and_the_product(products, products_db, admin_token, make_product):
    body = product_body(description="Smoked cheddar,\nbrioche bun.", priceCents=1490, available=False)
    response = products.post("/products", json=body, headers=bearer(admin_token))
    assert response.status_code == 201, response.text
    assert media_type(response) == "application/json"
    product = response.json()
    assert set(product) == PRODUCT_FIELDS
    assert UUID_RE.match(product["id"])
    assert product == {**body, "id": product["id"]}
    assert response.headers.get("Location", "").endswith(f"/products/{product['id']}"), response.headers
    row = products_db.product(product["id"])
    assert row is not None and row["deleted_at"] is None
    assert (row["name"], row["description"], row["category"], row["price_cents"], row["currency"],
            row["available"]) == (body["name"], body["description"], "burgers", 1490, "EUR", False)
    fetched = products.get(f"/products/{product['id']}")
    assert fetched.status_code == 200 and fetched.json() == product
    assert products.request("DELETE", f"/products/{product['id']}", headers=bearer(admin_token)).status_code == 204


def test_optional_fields_take_their_defaults(products, make_product):
    product = make_product(description=None, currency=None, available=None)
    assert product["description"] == ""
    assert product["currency"] == "EUR"
    assert product["available"] is True


def test_ids_are_chosen_by_the_service(products, make_product):
    chosen = str(uuid.uuid4())
    product = make_product(id=chosen, createdAt="2000-01-01T00:00:00Z", deleted=True)
    assert product["id"] != chosen
    assert set(product) == PRODUCT_FIELDS
    assert products.get(f"/products/{chosen}").status_code == 404


VALID_VALUES = {
    "name-1-char": ("name", "Z", "Z"),
    "name-100-chars": ("name", "N" * 100, "N" * 100),
    "name-trimmed": ("name", "  Spaced Out Burger \t", "Spaced Out Burger"),
    "name-100-after-trim": ("name", "  " + "T" * 100 + "  ", "T" * 100),
    "name-100-emoji": ("name", "\U0001F354" * 100, "\U0001F354" * 100),
    "name-accents-quotes": ("name", "Cr\u00e8me br\u00fbl\u00e9e \"maison\" 100% l'originale",
                            "Cr\u00e8me br\u00fbl\u00e9e \"maison\" 100% l'originale"),
    "name-sql": ("name", "Robert'); DROP TABLE products;--", "Robert'); DROP TABLE products;--"),
    "description-empty": ("description", "", ""),
    "description-500": ("description", "d" * 500, "d" * 500),
    "description-500-emoji": ("description", "\U0001F355" * 500, "\U0001F355" * 500),
    "description-line-breaks": ("description", "Line one.\nLine two.\r\nLine three.",
                                "Line one.\nLine two.\r\nLine three."),
    "category-pizzas": ("category", "pizzas", "pizzas"),
    "category-desserts": ("category", "desserts", "desserts"),
    "price-1": ("priceCents", 1, 1),
    "price-1000000": ("priceCents", 1_000_000, 1_000_000),
    "currency-eur": ("currency", "EUR", "EUR"),
    "available-false": ("available", False, False),
}


@pytest.mark.parametrize("field,value,stored", VALID_VALUES.values(), ids=VALID_VALUES.keys())
def test_valid_value_is_accepted(products, products_db, make_product, field, value, stored):
    product = make_product(**{field: value})
    assert product[field] == stored
    assert products.get(f"/products/{product['id']}").json() == product
    column = {"priceCents": "price_cents"}.get(field, field)
    assert products_db.product(product["id"])[column] == stored


# ------------------------------------------------------------------------------------------ refused

INVALID = {
    "name-missing": ("name", None),
    "name-null": ("name", "null"),
    "name-empty": ("name", ""),
    "name-blank": ("name", "   "),
    "name-101": ("name", "n" * 101),
    "name-101-emoji": ("name", "\U0001F354" * 101),
    "name-newline": ("name", "Double\nBurger"),
    "name-tab": ("name", "Double\tBurger"),
    "name-escape": ("name", "\x1b[31mRed Burger"),
    "name-nul": ("name", "Nul\x00Burger"),
    "name-delete": ("name", "Del\x7fBurger"),
    "name-c1": ("name", "Csi\u009bBurger"),
    "name-number": ("name", 42),
    "name-array": ("name", ["Burger"]),
    "name-object": ("name", {"en": "Burger"}),
    "name-bool": ("name", True),
    "description-501": ("description", "d" * 501),
    "description-escape": ("description", "Hot \x1b[5m sauce"),
    "description-nul": ("description", "Hot\x00sauce"),
    "description-number": ("description", 5),
    "description-array": ("description", ["x"]),
    "description-bool": ("description", False),
    "category-missing": ("category", None),
    "category-null": ("category", "null"),
    "category-empty": ("category", ""),
    "category-unknown": ("category", "salads"),
    "category-capitalised": ("category", "Pizzas"),
    "category-singular": ("category", "pizza"),
    "category-number": ("category", 1),
    "category-array": ("category", ["pizzas"]),
    "price-missing": ("priceCents", None),
    "price-null": ("priceCents", "null"),
    "price-zero": ("priceCents", 0),
    "price-negative": ("priceCents", -1),
    "price-too-high": ("priceCents", 1_000_001),
    "price-huge": ("priceCents", 10 ** 30),
    "price-int64-overflow": ("priceCents", 2 ** 63),
    "price-fraction": ("priceCents", 9.99),
    "price-string": ("priceCents", "100"),
    "price-bool": ("priceCents", True),
    "price-array": ("priceCents", [100]),
    "currency-usd": ("currency", "USD"),
    "currency-lowercase": ("currency", "eur"),
    "currency-empty": ("currency", ""),
    "currency-number": ("currency", 978),
    "currency-bool": ("currency", True),
    "available-string": ("available", "true"),
    "available-number": ("available", 1),
    "available-zero": ("available", 0),
    "available-array": ("available", [True]),
}


def _invalid_body(field: str, value) -> dict:
    body = product_body()
    if value is None:
        del body[field]
    else:
        body[field] = None if value == "null" else value
    return body


@pytest.mark.parametrize("field,value", INVALID.values(), ids=INVALID.keys())
def test_invalid_create_is_400_naming_the_field_and_stores_nothing(products, products_db, admin_token, unchanged,
                                                                   field, value):
    body = _invalid_body(field, value)
    response = products.post("/products", json=body, headers=bearer(admin_token))
    assert_problem(response, 400, "VALIDATION_FAILED", {field})
    unchanged()


@pytest.mark.parametrize("field,value", INVALID.values(), ids=INVALID.keys())
def test_invalid_replace_is_400_naming_the_field_and_changes_nothing(products, products_db, admin_token,
                                                                     make_product, field, value):
    product = make_product()
    rows = products_db.snapshot()
    item = products.get(f"/products/{product['id']}")
    response = _put(products, admin_token, product["id"], _invalid_body(field, value))
    assert_problem(response, 400, "VALIDATION_FAILED", {field})
    assert products_db.snapshot() == rows, "a refused PUT changed the products table"
    again = products.get(f"/products/{product['id']}")
    assert again.status_code == 200 and again.json() == product and again.content == item.content


def test_every_bad_field_is_named_at_once(products, admin_token, unchanged):
    body = {"name": "", "description": 5, "category": "salads", "priceCents": 9.99, "currency": "USD",
            "available": "yes"}
    response = products.post("/products", json=body, headers=bearer(admin_token))
    assert_problem(response, 400, "VALIDATION_FAILED",
                   {"name", "description", "category", "priceCents", "currency", "available"})
    unchanged()


def test_empty_object_names_the_required_fields(products, admin_token, unchanged):
    assert_problem(products.post("/products", json={}, headers=bearer(admin_token)), 400, "VALIDATION_FAILED",
                   {"name", "category", "priceCents"})
    unchanged()


# --------------------------------------------------------------------------------------------- body rules

@pytest.mark.parametrize("method", ["POST", "PUT"])
@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded", "text/json"])
def test_body_not_declared_json_is_415(products, admin_token, target, unchanged, method, content_type):
    path = "/products" if method == "POST" else f"/products/{target['id']}"
    headers = bearer(admin_token)
    if content_type:
        headers["Content-Type"] = content_type
    response = products.request(method, path, data=json.dumps(product_body()).encode(), headers=headers)
    assert_problem(response, 415, "UNSUPPORTED_MEDIA_TYPE")
    unchanged()


@pytest.mark.parametrize("method", ["POST", "PUT"])
def test_body_over_64_kib_is_413(products, admin_token, target, unchanged, method):
    body = product_body(pad="")
    body["pad"] = "p" * (65537 - len(json.dumps(body).encode()))
    raw = json.dumps(body).encode()
    assert len(raw) == 65537
    path = "/products" if method == "POST" else f"/products/{target['id']}"
    response = products.request(method, path, data=raw,
                                headers={**bearer(admin_token), "Content-Type": "application/json"})
    assert_problem(response, 413, "PAYLOAD_TOO_LARGE")
    unchanged()


def test_body_of_exactly_64_kib_is_accepted(products, admin_token, make_product):
    body = product_body(pad="")
    body["pad"] = "p" * (65536 - len(json.dumps(body).encode()))
    raw = json.dumps(body).encode()
    assert len(raw) == 65536
    response = products.post_raw("/products", raw, headers=bearer(admin_token))
    assert response.status_code == 201, response.text
    assert products.request("DELETE", f"/products/{response.json()['id']}",
                            headers=bearer(admin_token)).status_code == 204


@pytest.mark.parametrize("method", ["POST", "PUT"])
@pytest.mark.parametrize("raw", [b"", b"{", b'{"name": "x",}', b"not json", b'{"name": "a"} x',
                                 b'{"priceCents": NaN}'],
                         ids=["empty", "open-brace", "trailing-comma", "not-json", "trailing-garbage", "nan"])
def test_malformed_json_is_400(products, admin_token, target, unchanged, method, raw):
    path = "/products" if method == "POST" else f"/products/{target['id']}"
    response = products.request(method, path, data=raw,
                                headers={**bearer(admin_token), "Content-Type": "application/json"})
    assert_problem(response, 400, "MALFORMED_JSON")
    unchanged()


@pytest.mark.parametrize("method", ["POST", "PUT"])
@pytest.mark.parametrize("raw", [b"[]", json.dumps([product_body()]).encode(), b'"pizza"', b"42", b"null"],
                         ids=["empty-array", "array-of-product", "string", "number", "null"])
def test_json_that_is_not_an_object_is_400(products, admin_token, target, unchanged, method, raw):
    path = "/products" if method == "POST" else f"/products/{target['id']}"
    response = products.request(method, path, data=raw,
                                headers={**bearer(admin_token), "Content-Type": "application/json"})
    assert_problem(response, 400, "VALIDATION_FAILED")
    unchanged()


# ---------------------------------------------------------------------------------------- replace, delete

def test_replace_returns_and_stores_the_new_product(products, products_db, admin_token, make_product):
    product = make_product(category="burgers", priceCents=900)
    created = products_db.product(product["id"])
    body = product_body(name="  Renamed Burger  ", description="New\nrecipe.", category="sides", priceCents=950,
                        available=False)
    response = _put(products, admin_token, product["id"], body)
    assert response.status_code == 200, response.text
    assert response.json() == {**body, "name": "Renamed Burger", "id": product["id"]}
    row = products_db.product(product["id"])
    assert (row["name"], row["category"], row["price_cents"], row["available"]) == \
        ("Renamed Burger", "sides", 950, False)
    assert row["created_at"] == created["created_at"] and row["updated_at"] > created["updated_at"]
    assert products.get(f"/products/{product['id']}").json() == response.json()


def test_replace_without_optional_fields_resets_them(products, admin_token, make_product):
    product = make_product(description="Will be dropped.", available=False)
    response = _put(products, admin_token, product["id"],
                    product_body(description=None, currency=None, available=None))
    assert response.status_code == 200, response.text
    assert response.json()["description"] == "" and response.json()["available"] is True


def test_delete_is_204_then_404_and_gone_from_the_list(products, products_db, admin_token, make_product):
    product = make_product()
    response = products.request("DELETE", f"/products/{product['id']}", headers=bearer(admin_token))
    assert response.status_code == 204, response.text
    assert response.content == b""
    assert_problem(products.get(f"/products/{product['id']}"), 404, "NOT_FOUND")
    assert product["id"] not in {p["id"] for p in products.get("/products").json()["items"]}
    assert products_db.product(product["id"])["deleted_at"] is not None
    again = products.request("DELETE", f"/products/{product['id']}", headers=bearer(admin_token))
    assert_problem(again, 404, "NOT_FOUND")
    assert_problem(_put(products, admin_token, product["id"], product_body()), 404, "NOT_FOUND")


@pytest.mark.parametrize("product_id", [str(uuid.uuid4()), "not-a-uuid", "42"], ids=["unknown", "word", "number"])
def test_replace_or_delete_of_an_unknown_id_is_404(products, admin_token, unchanged, product_id):
    assert_problem(_put(products, admin_token, product_id, product_body()), 404, "NOT_FOUND")
    assert_problem(products.request("DELETE", f"/products/{product_id}", headers=bearer(admin_token)),
                   404, "NOT_FOUND")
    unchanged()


# ----------------------------------------------------------------------------------------------- auth

@pytest.fixture(scope="module")
def jwk(users) -> dict:
    return users.get("/.well-known/jwks.json").json()["keys"][0]


@pytest.fixture(scope="module")
def admin_user(users, admin_token) -> dict:
    return users.get("/profile", headers=bearer(admin_token)).json()


def _admin_claims(admin_user: dict, **overrides) -> dict:
    return forge.claims_for(admin_user, issuer=JWT_ISSUER, audience=JWT_AUDIENCE, **overrides)


def _private_key(users):
    return forge.load_private_key(Path(users.env["JWT_PRIVATE_KEY_FILE"]))


WRITES = {
    "create": lambda products, pid, headers: products.post("/products", json=product_body(), headers=headers),
    "replace": lambda products, pid, headers: products.request("PUT", f"/products/{pid}", json=product_body(),
                                                               headers=headers),
    "delete": lambda products, pid, headers: products.request("DELETE", f"/products/{pid}", headers=headers),
}

BAD_AUTHORIZATION = {
    "no-header": lambda k: None,
    "garbage": lambda k: "Bearer garbage",
    "bearer-empty": lambda k: "Bearer ",
    "basic": lambda k: "Basic YWRtaW46YWRtaW4=",
    "token-without-scheme": lambda k: k["admin_token"],
    "hs256-with-the-public-key": lambda k: "Bearer " + forge.hs256_with_secret(
        _admin_claims(k["admin"]), k["kid"], forge.public_pem(forge.public_key_from_jwk(k["jwk"]))),
    "alg-none": lambda k: "Bearer " + forge.unsigned(_admin_claims(k["admin"]), k["kid"]),
    "alg-number": lambda k: "Bearer " + forge.unsigned(_admin_claims(k["admin"]), k["kid"], alg=1),
    "alg-null": lambda k: "Bearer " + forge.unsigned(_admin_claims(k["admin"]), k["kid"], alg=None),
    "tampered-role": lambda k: "Bearer " + forge.with_payload(k["customer_token"], role="admin"),
    "other-key": lambda k: "Bearer " + forge.sign(_admin_claims(k["admin"]), forge.new_rsa_key(), k["kid"]),
    "expired": lambda k: "Bearer " + forge.sign(
        _admin_claims(k["admin"], iat=int(time.time()) - 1000, exp=int(time.time()) - 100), k["private"], k["kid"]),
    "wrong-audience": lambda k: "Bearer " + forge.sign(_admin_claims(k["admin"], aud="other-app"), k["private"],
                                                       k["kid"]),
    "wrong-issuer": lambda k: "Bearer " + forge.sign(_admin_claims(k["admin"], iss="evil"), k["private"], k["kid"]),
}


@pytest.fixture(scope="module")
def keys(users, jwk, admin_user, admin_token, customer_token) -> dict:
    return {"jwk": jwk, "kid": jwk["kid"], "admin": admin_user, "admin_token": admin_token,
            "customer_token": customer_token, "private": _private_key(users)}


def test_admin_token_we_sign_with_the_real_key_is_accepted(products, users, keys, make_product):
    """Control for the refusals below: each changes one thing in a token like this one."""
    token = forge.sign(_admin_claims(keys["admin"]), keys["private"], keys["kid"])
    response = products.post("/products", json=product_body(), headers=bearer(token))
    assert response.status_code == 201, response.text
    assert products.request("DELETE", f"/products/{response.json()['id']}", headers=bearer(token)).status_code == 204


@pytest.mark.parametrize("write", WRITES.values(), ids=WRITES.keys())
@pytest.mark.parametrize("make", BAD_AUTHORIZATION.values(), ids=BAD_AUTHORIZATION.keys())
def test_write_without_a_valid_token_is_401(products, keys, target, unchanged, write, make):
    authorization = make(keys)
    headers = {} if authorization is None else {"Authorization": authorization}
    response = write(products, target["id"], headers)
    assert_problem(response, 401, "UNAUTHORIZED")
    assert response.headers.get("WWW-Authenticate", "").startswith("Bearer"), response.headers
    unchanged()
    assert products.get(f"/products/{target['id']}").json() == target


@pytest.mark.parametrize("write", WRITES.values(), ids=WRITES.keys())
def test_write_by_a_customer_is_403(products, customer_token, target, unchanged, write):
    response = write(products, target["id"], bearer(customer_token))
    assert_problem(response, 403, "FORBIDDEN")
    unchanged()
    assert products.get(f"/products/{target['id']}").json() == target


def test_auth_is_checked_before_the_fields(products, customer_token, target, unchanged):
    """Anonymous clients and customers learn nothing about what a valid product looks like."""
    assert_problem(products.post("/products", json={}), 401, "UNAUTHORIZED")
    assert_problem(products.post("/products", json={}, headers=bearer(customer_token)), 403, "FORBIDDEN")
    assert_problem(products.request("PUT", f"/products/{target['id']}", json={"priceCents": 0},
                                    headers=bearer(customer_token)), 403, "FORBIDDEN")
    unchanged()


def test_reads_need_no_token(products, customer_token):
    assert products.get("/products").status_code == 200
    assert products.get("/products", headers={"Authorization": "Bearer garbage"}).status_code == 200
