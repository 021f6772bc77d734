"""Inputs take JSON as it is typed, as the schema says (ADR 0021).

A number where the schema says string, a string where it says integer or
boolean, a JSON number where it says decimal string: each is a 400 that names
the field, never a silent conversion. Query filters refuse what they cannot
read instead of ignoring it.
"""

import json

import pytest

from apps.core.problems import PROBLEM_CONTENT_TYPE
from apps.products.tests.factories import ProductFactory
from apps.stores.tests.factories import MembershipFactory
from apps.users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(auth_client):
    membership = MembershipFactory(role="owner")
    return membership.store, auth_client(membership.user)


def _field_errors(response, status=400):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM_CONTENT_TYPE
    body = response.json()
    assert body["code"] == "validation_error"
    return {(e["field"], e["code"]) for e in body["errors"]}


def test_a_number_for_a_text_field_is_a_400_problem(auth_client):
    client = auth_client(UserFactory())
    response = client.patch("/api/v1/users/me/", {"first_name": 12}, format="json")
    assert _field_errors(response) == {("first_name", "invalid")}
    assert response.json()["detail"] == (
        "first_name: Expected a string, not an integer."
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": 12}, "name"),
        ({"low_stock_threshold": "12"}, "low_stock_threshold"),
        ({"unpaid_order_timeout_minutes": 30.0}, "unpaid_order_timeout_minutes"),
        ({"timezone": " UTC"}, "timezone"),
    ],
)
def test_store_settings_refuse_other_json_types(owner, body, field):
    store, client = owner
    response = client.patch(
        f"/api/v1/stores/{store.slug}/",
        json.dumps(body),
        content_type="application/json",
    )
    assert _field_errors(response) == {(field, "invalid")}


def _product(**changes):
    return {"sku": "MUG-1", "name": "Mug", "price": "4.50", **changes}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"price": 4.5}, "price"),
        ({"price": 4}, "price"),
        ({"price": ""}, "price"),
        ({"price": "-"}, "price"),
        ({"price": "."}, "price"),
        ({"price": "4.5e0"}, "price"),
        ({"sku": 12}, "sku"),
        ({"sku": "MUG-1\n"}, "sku"),
        ({"is_active": "yes"}, "is_active"),
        ({"is_active": 1}, "is_active"),
        ({"initial_stock": "3"}, "initial_stock"),
        ({"category_id": 12}, "category_id"),
    ],
)
def test_a_product_refuses_other_json_types(owner, changes, field):
    store, client = owner
    response = client.post(
        f"/api/v1/stores/{store.slug}/products/", _product(**changes), format="json"
    )
    assert _field_errors(response) == {(field, "invalid")}


def test_a_price_of_plain_digits_is_taken(owner):
    store, client = owner
    response = client.post(
        f"/api/v1/stores/{store.slug}/products/", _product(), format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["price"] == "4.50"


@pytest.mark.parametrize(
    "query",
    [
        "active=null",
        "active=",
        "active=1",
        "low_stock=yes",
        "category=",
        "category=12",
        "price_min=1e3",
        "price_max=",
        "price_max=-1",
    ],
)
def test_product_filters_refuse_what_they_cannot_read(owner, query):
    store, client = owner
    ProductFactory(store=store)
    response = client.get(f"/api/v1/stores/{store.slug}/products/?{query}")
    field = query.partition("=")[0]
    assert field in {f for f, _ in _field_errors(response)}


SEARCH_LIMITS = {  # what the schema states: at most 100 characters, no NUL
    "search=" + "a" * 101: False,
    "search=" + "%20" * 100 + "a": False,  # counted as sent, before trimming
    "search=mu%00g": False,
    "search=" + "a" * 100: True,
    "search=": True,
}


@pytest.mark.parametrize("path", ["products", "customers"])
@pytest.mark.parametrize(("query", "taken"), SEARCH_LIMITS.items())
def test_search_filters_take_exactly_what_the_schema_says(owner, path, query, taken):
    store, client = owner
    response = client.get(f"/api/v1/stores/{store.slug}/{path}/?{query}")
    if taken:
        assert response.status_code == 200, response.content
    else:
        assert "search" in {f for f, _ in _field_errors(response)}


@pytest.mark.parametrize("query", ["active=true", "active=false", "price_min=0.5"])
def test_product_filters_take_what_the_schema_says(owner, query):
    store, client = owner
    response = client.get(f"/api/v1/stores/{store.slug}/products/?{query}")
    assert response.status_code == 200, response.content


@pytest.mark.parametrize("query", ["tier=", "tier=diamond", "has_orders=maybe"])
def test_customer_filters_refuse_what_they_cannot_read(owner, query):
    store, client = owner
    response = client.get(f"/api/v1/stores/{store.slug}/customers/?{query}")
    field = query.partition("=")[0]
    assert field in {f for f, _ in _field_errors(response)}


def test_a_password_with_spaces_logs_in_as_it_was_registered(api_client):
    password = "  correct horse battery staple  "
    registered = api_client.post(
        "/api/v1/auth/register/",
        {"email": "ada@example.com", "password": password},
        format="json",
    )
    assert registered.status_code == 201, registered.content
    login = api_client.post(
        "/api/v1/auth/token/",
        {"email": "ada@example.com", "password": password},
        format="json",
    )
    assert login.status_code == 200, login.content
    trimmed = api_client.post(
        "/api/v1/auth/token/",
        {"email": "ada@example.com", "password": password.strip()},
        format="json",
    )
    assert trimmed.status_code == 401


def test_a_number_for_a_login_email_is_a_400(api_client):
    response = api_client.post(
        "/api/v1/auth/token/", {"email": 12, "password": "x"}, format="json"
    )
    assert _field_errors(response) == {("email", "invalid")}
