"""Members of a store: list, add, change role, remove (owner only)."""

import pytest

from apps.core.testing import assert_request_queries
from apps.stores.models import Membership
from apps.users.tests.factories import UserFactory

from .factories import MembershipFactory

pytestmark = pytest.mark.django_db


def _members(store):
    return f"/api/v1/stores/{store.slug}/members/"


def test_owner_adds_a_registered_user_by_email_in_any_casing(
    auth_client, member_of, store
):
    owner = member_of(store, "owner")
    newcomer = UserFactory(email="new@example.com")
    response = auth_client(owner).post(
        _members(store), {"email": "NEW@example.com", "role": "manager"}
    )
    assert response.status_code == 201
    assert response.json()["user"]["email"] == "new@example.com"
    assert Membership.objects.get(store=store, user=newcomer).role == "manager"


def test_adding_an_unknown_email_is_a_field_error(auth_client, member_of, store):
    owner = member_of(store, "owner")
    response = auth_client(owner).post(
        _members(store), {"email": "ghost@example.com", "role": "staff"}
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "email"


def test_adding_an_existing_member_is_a_conflict(auth_client, member_of, store):
    owner = member_of(store, "owner")
    staff = member_of(store, "staff")
    response = auth_client(owner).post(
        _members(store), {"email": staff.email, "role": "owner"}
    )
    assert response.status_code == 409
    assert response.json()["code"] == "already_member"
    assert Membership.objects.get(store=store, user=staff).role == "staff"


def test_an_unknown_role_is_refused(auth_client, member_of, store):
    owner = member_of(store, "owner")
    response = auth_client(owner).post(
        _members(store), {"email": UserFactory().email, "role": "emperor"}
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "role"


def test_owner_changes_a_role_and_removes_a_member(auth_client, member_of, store):
    owner = member_of(store, "owner")
    staff_membership = MembershipFactory(store=store, role="staff")
    client = auth_client(owner)
    url = f"{_members(store)}{staff_membership.pk}/"

    response = client.patch(url, {"role": "manager"})
    assert response.status_code == 200
    assert response.json()["role"] == "manager"

    assert client.delete(url).status_code == 204
    assert not Membership.objects.filter(pk=staff_membership.pk).exists()
    assert client.delete(url).status_code == 404


def test_the_last_owner_can_neither_leave_nor_be_demoted(auth_client, member_of, store):
    owner = member_of(store, "owner")
    membership = Membership.objects.get(store=store, user=owner)
    client = auth_client(owner)
    url = f"{_members(store)}{membership.pk}/"

    demote = client.patch(url, {"role": "manager"})
    assert demote.status_code == 409
    assert demote.json()["code"] == "last_owner"
    leave = client.delete(url)
    assert leave.status_code == 409
    membership.refresh_from_db()
    assert membership.role == "owner"


def test_an_owner_may_step_down_when_another_owner_remains(
    auth_client, member_of, store
):
    owner = member_of(store, "owner")
    member_of(store, "owner")
    membership = Membership.objects.get(store=store, user=owner)
    response = auth_client(owner).patch(
        f"{_members(store)}{membership.pk}/", {"role": "staff"}
    )
    assert response.status_code == 200
    membership.refresh_from_db()
    assert membership.role == "staff"


def test_members_list_query_count_is_pinned(auth_client, member_of, store):
    owner = member_of(store, "owner")
    client = auth_client(owner)
    # user behind the token with store + caller's role, page of members with users
    assert_request_queries(client, _members(store), expected=2)
    for _ in range(20):
        MembershipFactory(store=store)
    response = assert_request_queries(
        client, f"{_members(store)}?page_size=50", expected=2
    )
    assert len(response.json()["results"]) == 21


def test_a_non_uuid_member_id_is_a_404(auth_client, member_of, store):
    owner = member_of(store, "owner")
    response = auth_client(owner).delete(f"{_members(store)}12345/")
    assert response.status_code == 404
