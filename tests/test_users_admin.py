"""The users admin across apps: a store owner sees the people of their stores only."""

import pytest

from apps.stores.tests.factories import MembershipFactory
from apps.users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_user_admin_shows_non_superusers_only_the_people_of_their_stores(client):
    from django.contrib.auth.models import Permission

    owner = MembershipFactory(role="owner", user=UserFactory(is_staff=True)).user
    owner.user_permissions.add(Permission.objects.get(codename="view_user"))
    colleague = MembershipFactory(
        store=owner.memberships.get().store, role="staff"
    ).user
    stranger = MembershipFactory(role="owner").user
    client.force_login(owner)
    page = client.get("/admin/users/user/").content.decode()
    assert colleague.email in page
    assert stranger.email not in page
    found = client.get(
        "/admin/autocomplete/",
        {
            "app_label": "stores",
            "model_name": "membership",
            "field_name": "user",
            "term": stranger.email[:6],
        },
    )
    assert stranger.email not in found.content.decode()
