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


# --- The webhook secret ---------------------------------------------------------


def _rotate(client, *stores):
    return client.post(
        CHANGELIST,
        {
            "action": "rotate_webhook_secret",
            "_selected_action": [str(store.pk) for store in stores],
        },
        follow=True,
    )


def test_the_webhook_secret_is_on_no_admin_page(client, staff_user):
    store = MembershipFactory(user=staff_user, role="owner").store
    admin = UserFactory(is_staff=True, is_superuser=True)
    for user in (staff_user, admin):
        client.force_login(user)
        for url in (CHANGELIST, f"{CHANGELIST}{store.pk}/change/"):
            page = client.get(url).content.decode()
            assert store.webhook_secret not in page
            assert 'name="webhook_secret"' not in page


def test_an_owner_rotates_the_webhook_secret_and_sees_the_new_one_once(
    client, staff_user
):
    store = MembershipFactory(user=staff_user, role="owner").store
    old = store.webhook_secret
    client.force_login(staff_user)

    response = _rotate(client, store)

    store.refresh_from_db()
    assert store.webhook_secret != old
    assert store.previous_webhook_secret == old
    shown = [str(m) for m in response.context["messages"]]
    assert len(shown) == 1
    assert store.webhook_secret in shown[0]
    assert "previous secret verifies until" in shown[0]
    assert store.webhook_secret not in client.get(CHANGELIST).content.decode()


def test_a_superuser_rotates_any_stores_webhook_secret(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    stores = [StoreFactory(), StoreFactory()]
    old = {store.pk: store.webhook_secret for store in stores}
    response = _rotate(client, *stores)
    content = response.content.decode()
    for store in stores:
        store.refresh_from_db()
        assert store.webhook_secret != old[store.pk]
        assert store.webhook_secret in content


def test_a_manager_is_not_offered_the_rotation_and_cannot_post_it(client, staff_user):
    store = MembershipFactory(user=staff_user, role="manager").store
    old = store.webhook_secret
    client.force_login(staff_user)
    assert "rotate_webhook_secret" not in client.get(CHANGELIST).content.decode()
    _rotate(client, store)
    store.refresh_from_db()
    assert store.webhook_secret == old


def test_an_owner_rotates_only_the_stores_they_own(client, staff_user):
    owned = MembershipFactory(user=staff_user, role="owner").store
    managed = MembershipFactory(user=staff_user, role="manager").store
    before = {store.pk: store.webhook_secret for store in (owned, managed)}
    client.force_login(staff_user)

    response = _rotate(client, owned, managed)

    owned.refresh_from_db()
    managed.refresh_from_db()
    assert owned.webhook_secret != before[owned.pk]
    assert managed.webhook_secret == before[managed.pk]
    shown = " ".join(str(m) for m in response.context["messages"])
    assert f"{managed.name}: only its owners rotate" in shown
