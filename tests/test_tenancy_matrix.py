"""Tenancy matrix: every store-scoped endpoint x every role, plus outsiders.

Store A has an owner, a manager, a staff member and a shopper (a customer with
an account, not a member). The outsider owns store B. Each app lists its
endpoints and the statuses each role must get in ``<app>/tests/tenancy.py``.
Refused requests must change nothing; an object of store B is never reachable
through store A (nor the other way round); and the last test fails when a
store-scoped endpoint exists that no app listed.
"""

import re
from importlib import import_module
from types import SimpleNamespace
from uuid import uuid4

import pytest
from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver

from apps.core.testing import ROLES
from apps.customers.tests.factories import CustomerFactory
from apps.stores.tests.factories import MembershipFactory, StoreFactory
from apps.users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TENANCY_MODULES = [
    import_module(f"apps.{app}.tests.tenancy")
    for app in ("stores", "products", "customers", "orders", "reports")
]
MATRIX = [entry for module in TENANCY_MODULES for entry in module.ENDPOINTS]
DOMAIN_APPS = ("users", "stores", "customers", "products", "orders", "reports")


def _ids(entry):
    return f"{entry[0]} {entry[1]}"


@pytest.fixture
def world():
    store_a = StoreFactory(slug="store-a")
    store_b = StoreFactory(slug="store-b")
    users = {
        role: MembershipFactory(store=store_a, role=role).user
        for role in ("owner", "manager", "staff")
    }
    users["outsider"] = MembershipFactory(store=store_b, role="owner").user
    users["shopper"] = UserFactory()
    CustomerFactory(store=store_a, user=users["shopper"], email=users["shopper"].email)
    world = SimpleNamespace(
        store_a=store_a,
        store_b=store_b,
        users=users,
        params={},
        foreign={},
        make_user=UserFactory,
        make_sku=lambda: f"T-{uuid4().hex[:12]}",
    )
    for module in TENANCY_MODULES:
        module.build(world)
    return world


def _url(route, slug, params):
    url = "/" + route.replace("<str:store_slug>", slug)
    for name, value in params.items():
        url = re.sub(rf"<[a-z]+:{name}>", str(value), url)
    assert "<" not in url, f"no value for a parameter of {route}"
    return url


def _call(client, method, url, body):
    if isinstance(body, dict) and "csv_text" in body:  # the CSV import
        return client.generic(method, url, body["csv_text"], content_type="text/csv")
    call = getattr(client, method.lower())
    return call(url, body, format="json") if body is not None else call(url)


def _client(role, world, auth_client, api_client):
    return api_client if role == "anonymous" else auth_client(world.users[role])


def _snapshot():
    """Every row of the domain tables, to prove a refused request wrote nothing."""
    return {
        model._meta.label: sorted(map(str, model.objects.values_list()))
        for label in DOMAIN_APPS
        for model in apps.get_app_config(label).get_models()
    }


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("method", "route", "body", "expected"), MATRIX, ids=map(_ids, MATRIX)
)
def test_role_matrix(
    world, auth_client, api_client, role, method, route, body, expected
):
    payload = body(world) if body else None
    before = _snapshot()
    client = _client(role, world, auth_client, api_client)
    response = _call(client, method, _url(route, "store-a", world.params), payload)
    assert response.status_code == expected[role], response.content
    if response.status_code >= 400:
        assert response["Content-Type"] == "application/problem+json"
        assert _snapshot() == before, "a refused request changed data"


HIDDEN = [entry for entry in MATRIX if entry[3]["outsider"] == 404]


@pytest.mark.parametrize(
    ("method", "route", "body", "expected"), HIDDEN, ids=map(_ids, HIDDEN)
)
def test_outsiders_get_exactly_the_answer_of_an_unknown_store(
    world, auth_client, method, route, body, expected
):
    client = auth_client(world.users["outsider"])
    payload = body(world) if body else None
    hidden = _call(client, method, _url(route, "store-a", world.params), payload)
    unknown = _call(client, method, _url(route, "no-such-store", world.params), payload)
    assert hidden.status_code == unknown.status_code == 404
    assert hidden.json() == unknown.json()


WITH_OBJECTS = [
    entry for entry in MATRIX if re.search(r"<(?!str:store_slug)", entry[1])
]


@pytest.mark.parametrize(
    ("method", "route", "body", "expected"), WITH_OBJECTS, ids=map(_ids, WITH_OBJECTS)
)
def test_an_object_of_another_store_is_not_found_through_this_store(
    world, auth_client, method, route, body, expected
):
    """Owner of B, B's URL, A's object ids: those objects do not exist in B."""
    payload = body(world) if body else None
    before = _snapshot()
    client = auth_client(world.users["outsider"])
    response = _call(client, method, _url(route, "store-b", world.params), payload)
    assert response.status_code == 404
    assert _snapshot() == before
    # And B's own object is reachable through B (the 404 is about the store).
    own = _call(client, method, _url(route, "store-b", world.foreign), payload)
    assert own.status_code != 404 or expected["owner"] == 404


def test_store_lists_never_show_another_tenants_data(world, auth_client):
    for role in ("owner", "manager", "staff"):
        response = auth_client(world.users[role]).get("/api/v1/stores/")
        assert [s["slug"] for s in response.json()["results"]] == ["store-a"]
    shopper_stores = auth_client(world.users["shopper"]).get("/api/v1/stores/").json()
    assert shopper_stores["results"] == []


def _store_scoped_routes():
    found = set()

    def walk(patterns, prefix):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern) and "<str:store_slug>" in route:
                actions = getattr(pattern.callback, "actions", None)
                view = getattr(pattern.callback, "view_class", None)
                methods = actions or [
                    m for m in view.http_method_names if hasattr(view, m)
                ]
                for method in methods:
                    if method not in ("head", "options", "trace"):
                        found.add((method.upper(), route))

    walk(get_resolver().url_patterns, "")
    return found


def test_the_matrix_covers_every_store_scoped_endpoint():
    covered = {(method, route) for method, route, _, _ in MATRIX}
    existing = _store_scoped_routes()
    assert not existing - covered, f"add to a tenancy.py: {sorted(existing - covered)}"
    assert not covered - existing, f"routes that no longer exist: {covered - existing}"
