"""Tenancy matrix: every store-scoped endpoint x every role, plus outsiders.

An outsider is the owner of *another* store: for them store A does not exist
(404, the same answer as an unknown slug). Anonymous callers are asked to
authenticate (401). Members whose role is too low get 403. The last test
fails when a store-scoped endpoint exists that this matrix does not cover.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from apps.stores.models import Membership, Store
from apps.stores.tests.factories import MembershipFactory, StoreFactory
from apps.users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ROLES = ["owner", "manager", "staff", "outsider", "anonymous"]


def _expect(owner, manager=403, staff=403):
    return {
        "owner": owner,
        "manager": manager,
        "staff": staff,
        "outsider": 404,
        "anonymous": 401,
    }


# (method, route as Django declares it, body factory, expected status per role)
MATRIX = [
    ("GET", "api/v1/stores/<str:store_slug>/", None, _expect(200, 200, 200)),
    (
        "PATCH",
        "api/v1/stores/<str:store_slug>/",
        lambda ctx: {"name": "New name"},
        _expect(200),
    ),
    ("GET", "api/v1/stores/<str:store_slug>/members/", None, _expect(200)),
    (
        "POST",
        "api/v1/stores/<str:store_slug>/members/",
        lambda ctx: {"email": UserFactory().email, "role": "staff"},
        _expect(201),
    ),
    (
        "PATCH",
        "api/v1/stores/<str:store_slug>/members/<uuid:membership_id>/",
        lambda ctx: {"role": "manager"},
        _expect(200),
    ),
    (
        "DELETE",
        "api/v1/stores/<str:store_slug>/members/<uuid:membership_id>/",
        None,
        _expect(204),
    ),
]


@pytest.fixture
def world(member_of):
    store_a = StoreFactory(slug="store-a")
    store_b = StoreFactory(slug="store-b")
    users = {role: member_of(store_a, role) for role in ("owner", "manager", "staff")}
    users["outsider"] = member_of(store_b, "owner")
    target = MembershipFactory(store=store_a, role="staff")
    foreign_target = MembershipFactory(store=store_b, role="staff")
    return {
        "store_a": store_a,
        "store_b": store_b,
        "users": users,
        "target": target,
        "foreign_target": foreign_target,
    }


def _url(route, *, slug, membership_id):
    return "/" + route.replace("<str:store_slug>", slug).replace(
        "<uuid:membership_id>", str(membership_id)
    )


def _call(client, method, url, body):
    return (
        getattr(client, method.lower())(url, body, format="json")
        if body is not None
        else (getattr(client, method.lower())(url))
    )


def _client(role, world, auth_client, api_client):
    return api_client if role == "anonymous" else auth_client(world["users"][role])


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "route", "body", "expected"), MATRIX)
def test_role_matrix(
    world, auth_client, api_client, role, method, route, body, expected
):
    before = _snapshot()
    url = _url(route, slug="store-a", membership_id=world["target"].pk)
    client = _client(role, world, auth_client, api_client)
    response = _call(client, method, url, body(world) if body else None)
    assert response.status_code == expected[role], response.content
    if response.status_code >= 400:
        assert response["Content-Type"] == "application/problem+json"
        assert _snapshot() == before, "a refused request changed data"


@pytest.mark.parametrize(("method", "route", "body", "expected"), MATRIX)
def test_outsiders_get_exactly_the_answer_of_an_unknown_store(
    world, auth_client, method, route, body, expected
):
    client = auth_client(world["users"]["outsider"])
    payload = body(world) if body else None
    hidden = _call(
        client,
        method,
        _url(route, slug="store-a", membership_id=world["target"].pk),
        payload,
    )
    unknown = _call(
        client,
        method,
        _url(route, slug="no-such-store", membership_id=world["target"].pk),
        payload,
    )
    assert hidden.status_code == unknown.status_code == 404
    assert hidden.json() == unknown.json()


@pytest.mark.parametrize(
    ("method", "body"), [("PATCH", {"role": "owner"}), ("DELETE", None)]
)
def test_an_owner_cannot_reach_another_stores_member_through_their_own_store(
    world, auth_client, method, body
):
    """Owner of B, B's URL, A's membership id: the object does not exist there."""
    client = auth_client(world["users"]["outsider"])
    url = _url(
        "api/v1/stores/<str:store_slug>/members/<uuid:membership_id>/",
        slug="store-b",
        membership_id=world["target"].pk,
    )
    response = _call(client, method, url, body)
    assert response.status_code == 404
    world["target"].refresh_from_db()
    assert world["target"].role == "staff"


def test_store_lists_never_show_another_tenants_data(world, auth_client):
    for role in ("owner", "manager", "staff"):
        slugs = [
            s["slug"]
            for s in auth_client(world["users"][role])
            .get("/api/v1/stores/")
            .json()["results"]
        ]
        assert slugs == ["store-a"]
    members = (
        auth_client(world["users"]["owner"])
        .get("/api/v1/stores/store-a/members/")
        .json()
    )
    emails = {m["user"]["email"] for m in members["results"]}
    assert world["users"]["outsider"].email not in emails
    assert world["foreign_target"].user.email not in emails


def _snapshot():
    return (
        sorted(Membership.objects.values_list("id", "store_id", "user_id", "role")),
        sorted(Store.objects.values_list("id", "name", "slug", "timezone")),
    )


def _store_scoped_routes():
    found = set()

    def walk(patterns, prefix):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern) and "<str:store_slug>" in route:
                actions = getattr(pattern.callback, "actions", None)
                methods = (
                    actions.keys()
                    if actions
                    else pattern.callback.view_class.http_method_names
                )
                for method in methods:
                    if method not in ("head", "options", "trace"):
                        found.add((method.upper(), route))

    walk(get_resolver().url_patterns, "")
    return found


def test_the_matrix_covers_every_store_scoped_endpoint():
    covered = {(method, route) for method, route, _, _ in MATRIX}
    existing = _store_scoped_routes()
    missing = existing - covered
    assert not missing, f"add these endpoints to the tenancy matrix: {sorted(missing)}"
    assert existing == covered, (
        f"the matrix lists routes that no longer exist: {covered - existing}"
    )
