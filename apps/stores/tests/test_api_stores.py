"""Stores through the API: create, list, read, update."""

import pytest

from apps.core.testing import assert_request_queries
from apps.stores.models import Membership, Store

from .factories import MembershipFactory, StoreFactory

pytestmark = pytest.mark.django_db

STORES = "/api/v1/stores/"


def test_creating_a_store_makes_the_caller_its_owner(auth_client, user):
    response = auth_client(user).post(
        STORES, {"name": "Café Épicé", "currency": "JPY", "timezone": "Asia/Tokyo"}
    )
    assert response.status_code == 201
    body = response.json()
    assert body["slug"] == "cafe-epice"
    assert body["role"] == "owner"
    assert body["currency"] == "JPY"
    membership = Membership.objects.get(store_id=body["id"])
    assert (membership.user, membership.role) == (user, "owner")


def test_a_taken_slug_is_a_field_error(auth_client, user, store):
    response = auth_client(user).post(
        STORES, {"name": "Other", "slug": store.slug, "currency": "EUR"}
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "slug"


def test_a_name_whose_slug_is_taken_gets_a_unique_slug(auth_client, user):
    StoreFactory(slug="bakery")
    response = auth_client(user).post(STORES, {"name": "Bakery", "currency": "EUR"})
    assert response.status_code == 201
    assert response.json()["slug"].startswith("bakery-")


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": "X", "currency": "XXX"}, "currency"),
        ({"name": "X", "currency": "EUR", "timezone": "Mars/Olympus"}, "timezone"),
        ({"name": "", "currency": "EUR"}, "name"),
        ({"name": "X" * 121, "currency": "EUR"}, "name"),
        ({"name": "X", "currency": "EUR", "slug": "not a slug!"}, "slug"),
        (
            {"name": "X", "currency": "EUR", "unpaid_order_timeout_minutes": 10**30},
            None,
        ),
        (
            {"name": "X", "currency": "EUR", "low_stock_threshold": -1},
            "low_stock_threshold",
        ),
        ({"name": ["X"], "currency": "EUR"}, "name"),
        ({"name": "X", "currency": "EUR", "owner": "someone"}, "owner"),
    ],
)
def test_invalid_store_input_is_a_400_naming_the_field(
    auth_client, user, payload, field
):
    response = auth_client(user).post(STORES, payload, format="json")
    assert response.status_code == 400
    fields = {e["field"] for e in response.json()["errors"]}
    if field:
        assert field in fields
    assert not Store.objects.exists()


def test_list_shows_only_the_callers_stores_with_their_role(auth_client, user):
    mine = MembershipFactory(user=user, role="manager").store
    StoreFactory()  # someone else's
    response = auth_client(user).get(STORES)
    assert response.status_code == 200
    results = response.json()["results"]
    assert [(s["id"], s["role"]) for s in results] == [(str(mine.pk), "manager")]


def test_list_pages_through_every_store_once_newest_first(auth_client, user):
    stores = [MembershipFactory(user=user).store for _ in range(7)]
    client = auth_client(user)
    seen, url = [], f"{STORES}?page_size=3"
    while url:
        body = client.get(url).json()
        seen += [s["id"] for s in body["results"]]
        url = body["next"]
    assert seen == [str(s.pk) for s in reversed(stores)]


def test_list_query_count_does_not_grow_with_the_page(auth_client, user):
    client = auth_client(user)
    MembershipFactory(user=user)
    # 1: the user behind the token; 2: the page of stores with their role.
    assert_request_queries(client, STORES, expected=2)
    for _ in range(30):
        MembershipFactory(user=user)
    response = assert_request_queries(client, f"{STORES}?page_size=30", expected=2)
    assert len(response.json()["results"]) == 30


def test_page_size_is_capped_at_100(auth_client, user):
    for _ in range(3):
        MembershipFactory(user=user)
    response = auth_client(user).get(f"{STORES}?page_size=100000")
    assert response.status_code == 200
    assert len(response.json()["results"]) == 3


def test_an_invalid_cursor_is_a_400(auth_client, user):
    response = auth_client(user).get(f"{STORES}?cursor=not-a-cursor")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_cursor"


def test_members_read_the_store_and_only_the_owner_changes_it(
    auth_client, member_of, store
):
    owner, manager = member_of(store, "owner"), member_of(store, "manager")
    url = f"{STORES}{store.slug}/"

    assert auth_client(manager).get(url).json()["role"] == "manager"
    denied = auth_client(manager).patch(url, {"name": "Hijacked"})
    assert denied.status_code == 403

    response = auth_client(owner).patch(
        url,
        {"name": "Renamed", "timezone": "America/New_York", "low_stock_threshold": 2},
    )
    assert response.status_code == 200
    store.refresh_from_db()
    assert (store.name, store.timezone, store.low_stock_threshold) == (
        "Renamed",
        "America/New_York",
        2,
    )


@pytest.mark.parametrize("field", ["slug", "currency", "id", "webhook_secret"])
def test_slug_currency_and_secrets_cannot_be_changed_through_the_api(
    auth_client, member_of, store, field
):
    owner = member_of(store, "owner")
    before = Store.objects.values().get(pk=store.pk)
    response = auth_client(owner).patch(f"{STORES}{store.slug}/", {field: "USD"})
    assert response.status_code == 400
    assert Store.objects.values().get(pk=store.pk) == before


def test_webhook_secret_is_never_rendered(auth_client, member_of, store):
    owner = member_of(store, "owner")
    body = auth_client(owner).get(f"{STORES}{store.slug}/").content.decode()
    assert store.webhook_secret not in body
