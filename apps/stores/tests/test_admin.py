"""The stores admin: tenancy for non-superusers and the owner rule."""

import pytest
from django.contrib.auth.models import Permission

from apps.core.testing import assert_request_queries
from apps.stores.models import Membership
from apps.users.tests.factories import UserFactory

from .factories import MembershipFactory, StoreFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/stores/store/"


@pytest.fixture
def staff_user():
    user = UserFactory(is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="stores",
            codename__in=[
                "view_store",
                "change_store",
                "view_membership",
                "change_membership",
                "add_membership",
                "delete_membership",
            ],
        )
    )
    return user


def test_a_non_superuser_sees_only_the_stores_they_belong_to(client, staff_user):
    mine = MembershipFactory(user=staff_user, role="manager").store
    theirs = StoreFactory(name="Hidden Store")
    client.force_login(staff_user)

    response = client.get(CHANGELIST)
    assert response.status_code == 200
    assert mine.name in response.content.decode()
    assert "Hidden Store" not in response.content.decode()

    other = client.get(f"{CHANGELIST}{theirs.pk}/change/")
    assert other.status_code == 302  # Django's "does not exist" redirect to the index
    assert client.get(f"{CHANGELIST}{mine.pk}/change/").status_code == 200


def test_a_superuser_sees_every_store(client):
    admin = UserFactory(is_staff=True, is_superuser=True)
    StoreFactory(name="Alpha")
    StoreFactory(name="Beta")
    client.force_login(admin)
    content = client.get(CHANGELIST).content.decode()
    assert "Alpha" in content
    assert "Beta" in content


def test_the_inline_refuses_to_remove_the_last_owner(client):
    admin = UserFactory(is_staff=True, is_superuser=True)
    store = StoreFactory()
    owner = MembershipFactory(store=store, role="owner")
    client.force_login(admin)
    prefix = "memberships"
    data = {
        "name": store.name,
        "timezone": store.timezone,
        "unpaid_order_timeout_minutes": store.unpaid_order_timeout_minutes,
        "low_stock_threshold": store.low_stock_threshold,
        "webhook_secret": store.webhook_secret,
        f"{prefix}-TOTAL_FORMS": "1",
        f"{prefix}-INITIAL_FORMS": "1",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
        f"{prefix}-0-id": str(owner.pk),
        f"{prefix}-0-store": str(store.pk),
        f"{prefix}-0-user": str(owner.user.pk),
        f"{prefix}-0-role": "staff",
    }
    response = client.post(f"{CHANGELIST}{store.pk}/change/", data)
    assert response.status_code == 200  # the form is shown again with the error
    assert "at least one owner" in response.content.decode()
    owner.refresh_from_db()
    assert owner.role == "owner"

    data[f"{prefix}-0-role"] = "owner"
    data["name"] = "Renamed in admin"
    response = client.post(f"{CHANGELIST}{store.pk}/change/", data)
    assert response.status_code == 302
    store.refresh_from_db()
    assert store.name == "Renamed in admin"
    assert Membership.objects.get(pk=owner.pk).role == "owner"


def test_the_changelist_query_count_does_not_grow(client):
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    StoreFactory()
    first = _count(client)
    for _ in range(20):
        StoreFactory()
    assert _count(client) == first
    assert_request_queries(client, CHANGELIST, expected=first)


def _count(client):
    from apps.core.testing import count_queries

    queries, response = count_queries(lambda: client.get(CHANGELIST))
    assert response.status_code == 200
    return queries


def test_only_owners_may_change_their_store_in_the_admin(client, staff_user):
    managed = MembershipFactory(user=staff_user, role="manager").store
    owned = MembershipFactory(user=staff_user, role="owner").store
    client.force_login(staff_user)
    manager_page = client.get(f"{CHANGELIST}{managed.pk}/change/").content.decode()
    owner_page = client.get(f"{CHANGELIST}{owned.pk}/change/").content.decode()
    assert 'name="_save"' not in manager_page  # read-only view
    assert 'name="_save"' in owner_page
    response = client.post(f"{CHANGELIST}{managed.pk}/change/", {"name": "Taken over"})
    assert response.status_code == 403
    managed.refresh_from_db()
    assert managed.name != "Taken over"


def test_demo_owner_reaches_the_demo_store_in_the_admin(client):
    from django.core.management import call_command

    from apps.stores.demo import DEMO_PASSWORD, DEMO_STORE_SLUG
    from apps.stores.models import Store

    call_command("seed_demo")
    store = Store.objects.get(slug=DEMO_STORE_SLUG)
    assert client.login(email="owner@orderly.test", password=DEMO_PASSWORD)
    response = client.get(f"{CHANGELIST}{store.pk}/change/")
    assert response.status_code == 200
    assert 'name="_save"' in response.content.decode()
