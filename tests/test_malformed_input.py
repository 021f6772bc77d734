"""No endpoint answers 5xx to malformed input; every refusal is problem+json.

Each write endpoint of the API is sent broken JSON, the wrong content type,
JSON of the wrong shape, wrong types, huge values, NUL bytes and unknown
fields, as the owner of a real store.
"""

import json

import pytest

from apps.customers.tests.factories import AddressFactory, CustomerFactory
from apps.products.tests.factories import CategoryFactory, ProductFactory
from apps.stores.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

WRITE_ENDPOINTS = [
    ("POST", "/api/v1/auth/register/"),
    ("POST", "/api/v1/auth/token/"),
    ("POST", "/api/v1/auth/token/refresh/"),
    ("POST", "/api/v1/auth/logout/"),
    ("POST", "/api/v1/auth/password/change/"),
    ("POST", "/api/v1/auth/password/reset/"),
    ("POST", "/api/v1/auth/password/reset/confirm/"),
    ("PATCH", "/api/v1/users/me/"),
    ("POST", "/api/v1/stores/"),
    ("PATCH", "/api/v1/stores/{slug}/"),
    ("POST", "/api/v1/stores/{slug}/members/"),
    ("PATCH", "/api/v1/stores/{slug}/members/{member}/"),
    ("POST", "/api/v1/stores/{slug}/products/"),
    ("POST", "/api/v1/stores/{slug}/products/import/"),
    ("PATCH", "/api/v1/stores/{slug}/products/{product}/"),
    ("POST", "/api/v1/stores/{slug}/products/{product}/stock-adjustments/"),
    ("POST", "/api/v1/stores/{slug}/categories/"),
    ("PATCH", "/api/v1/stores/{slug}/categories/{category}/"),
    ("POST", "/api/v1/stores/{slug}/customers/"),
    ("PATCH", "/api/v1/stores/{slug}/customers/{customer}/"),
    ("POST", "/api/v1/stores/{slug}/customers/{customer}/addresses/"),
    ("PATCH", "/api/v1/stores/{slug}/customers/{customer}/addresses/{address}/"),
    ("POST", "/api/v1/stores/{slug}/customers/{customer}/link-account/"),
    ("POST", "/api/v1/stores/{slug}/customers/me/"),
    ("PATCH", "/api/v1/stores/{slug}/customers/me/"),
    ("POST", "/api/v1/stores/{slug}/customers/me/addresses/"),
    ("PATCH", "/api/v1/stores/{slug}/customers/me/addresses/{my_address}/"),
]

HUGE = "x" * 100_000
BODIES = {
    "broken json": ('{"email": ', "application/json"),
    "json array": ("[1, 2, 3]", "application/json"),
    "json string": ('"hello"', "application/json"),
    "json null": ("null", "application/json"),
    "wrong types": (
        json.dumps(
            {
                "email": 12,
                "password": ["a"],
                "name": {"x": 1},
                "role": 3.5,
                "refresh": False,
                "currency": None,
                "new_password": 7,
                "current_password": {},
                "uid": [],
                "token": 1e308,
                "first_name": [None],
                "low_stock_threshold": "many",
            }
        ),
        "application/json",
    ),
    "huge values": (
        json.dumps(
            {
                "email": HUGE + "@example.com",
                "password": HUGE,
                "name": HUGE,
                "refresh": HUGE,
                "first_name": HUGE,
                "role": HUGE,
                "unpaid_order_timeout_minutes": 10**40,
                "low_stock_threshold": -(10**40),
                "uid": HUGE,
                "token": HUGE,
                "new_password": HUGE,
                "current_password": HUGE,
                "currency": HUGE,
            }
        ),
        "application/json",
    ),
    "nul bytes": (
        json.dumps(
            {
                "email": "a\x00@example.com",
                "password": "p\x00ssword-long-enough",
                "name": "shop\x00",
                "first_name": "\x00",
                "refresh": "\x00",
                "role": "owner\x00",
                "currency": "EUR",
                "uid": "\x00",
                "token": "\x00",
                "new_password": "\x00" * 20,
                "current_password": "\x00",
            }
        ),
        "application/json",
    ),
    "unknown fields only": (
        json.dumps({"surprise": 1, "is_superuser": True}),
        "application/json",
    ),
    "plain text": ("email=a@example.com", "text/plain"),
    "form encoded": (
        "email=a%40example.com&password=x",
        "application/x-www-form-urlencoded",
    ),
    "invalid utf-8": (b'{"email": "\xff\xfe"}', "application/json"),
}


@pytest.fixture
def owner_context(auth_client):
    membership = MembershipFactory(role="owner")
    store = membership.store
    category = CategoryFactory(store=store)
    ids = {
        "slug": store.slug,
        "member": MembershipFactory(store=store, role="staff").pk,
        "product": ProductFactory(store=store, category=category, stock=5).pk,
        "category": category.pk,
    }
    customer = CustomerFactory(store=store)
    ids["customer"] = customer.pk
    ids["address"] = AddressFactory(customer=customer).pk
    own = CustomerFactory(
        store=store, user=membership.user, email=membership.user.email
    )
    ids["my_address"] = AddressFactory(customer=own).pk
    return auth_client(membership.user), ids


@pytest.mark.parametrize("body_name", list(BODIES))
@pytest.mark.parametrize(("method", "path"), WRITE_ENDPOINTS)
def test_malformed_bodies_get_a_4xx_problem(owner_context, method, path, body_name):
    client, ids = owner_context
    url = path.format(**ids)
    body, content_type = BODIES[body_name]
    client.raise_request_exception = False
    response = client.generic(method, url, body, content_type=content_type)
    assert 400 <= response.status_code < 500, (
        response.status_code,
        response.content[:300],
    )
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == response.status_code
    assert problem["code"]


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/stores/?cursor=%00%00",
        "/api/v1/stores/?page_size=-5",
        "/api/v1/stores/?page_size=99999999999999999999999",
        "/api/v1/stores/" + "x" * 5000 + "/",
        "/api/v1/stores/%00/",
        "/api/v1/stores/a%20b/members/",
        "/api/v1/stores/{slug}/members/?cursor=" + "A" * 3000,
        "/api/v1/stores/{slug}/products/?price_min=1e999&price_max=-inf",
        "/api/v1/stores/{slug}/products/?price_min=-1e200000",
        "/api/v1/stores/{slug}/products/?price_max=1e-200000",
        "/api/v1/stores/{slug}/products/?category=not-a-uuid&search=" + "%00" * 50,
        "/api/v1/stores/{slug}/products/?low_stock=maybe&active=perhaps",
        "/api/v1/stores/{slug}/products/{product}/stock-movements/?cursor=%FF",
    ],
)
def test_odd_query_strings_and_paths_are_not_5xx(owner_context, url):
    client, ids = owner_context
    client.raise_request_exception = False
    response = client.get(url.format(**ids))
    assert response.status_code < 500, response.content[:300]
