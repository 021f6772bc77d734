"""A signed-in request to a store's URL reads its user and its store together.

``caller_in_store`` must answer what ``user_get_by_id`` and ``store_resolve``
answer apart, value for value and type for type, on every database; and a
request must be answered as before: the same role, the same 404 for a store
the caller may not see, the same refusals of a token.
"""

import pytest
from django.contrib.auth.hashers import make_password
from rest_framework_simplejwt.tokens import AccessToken

from apps.stores.models import Membership
from apps.stores.selectors import caller_in_store, store_resolve
from apps.users.models import User
from apps.users.selectors import user_get_by_id
from apps.users.tests.factories import UserFactory

from .factories import MembershipFactory, StoreFactory


def _fields(instance) -> dict:
    return {
        f.attname: getattr(instance, f.attname)
        for f in type(instance)._meta.concrete_fields
    }


def _same_row(found, loaded) -> None:
    assert _fields(found) == _fields(loaded)  # values, column by column
    assert all(
        type(getattr(found, name)) is type(value)
        for name, value in _fields(loaded).items()
    )
    assert not found._state.adding  # loaded, as the ORM loads it


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Membership.Role.OWNER, Membership.Role.STAFF, None])
def test_the_user_and_the_store_are_those_read_apart(role):
    store = StoreFactory(name="Zoë's")
    user = UserFactory(first_name="Ada")
    if role is not None:
        MembershipFactory(store=store, user=user, role=role)
    MembershipFactory(store=store)  # someone else's role in the same store
    MembershipFactory(user=user)  # the caller's role in another store

    found = caller_in_store(user_id=str(user.pk), slug=store.slug)

    _same_row(found.user, user_get_by_id(user_id=user.pk))
    apart = store_resolve(slug=store.slug, user=user)
    assert found.access is not None
    _same_row(found.access.store, apart.store)
    assert found.access.role == apart.role == role
    assert found.access.user == user


@pytest.mark.django_db
@pytest.mark.parametrize("slug", ["missing", "NOT A SLUG", "x' OR '1'='1", ""])
def test_a_slug_with_no_store_finds_the_user_and_no_store(slug):
    StoreFactory(slug="real")
    user = UserFactory()
    found = caller_in_store(user_id=user.pk, slug=slug)
    assert found.user == user
    assert found.access is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    "user_id", ["01a2085b-7b49-76c0-a57b-6597974ecfe9", "not-a-uuid", "", None, 42]
)
def test_an_id_with_no_user_finds_nothing(user_id):
    store = StoreFactory()
    found = caller_in_store(user_id=user_id, slug=store.slug)
    assert found.user is None
    assert found.access is None


@pytest.mark.django_db
def test_an_inactive_user_is_read_as_is():
    user = UserFactory(is_active=False)
    found = caller_in_store(user_id=user.pk, slug=StoreFactory().slug)
    assert found.user == user
    assert found.user.is_active is False


# --- Through the API ----------------------------------------------------------------


def _signed_in(api_client, user: User) -> None:
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(user)}")


@pytest.mark.django_db
def test_a_member_reads_the_store_in_the_statement_that_reads_them(
    api_client, django_assert_num_queries
):
    membership = MembershipFactory(role=Membership.Role.OWNER)
    _signed_in(api_client, membership.user)
    with django_assert_num_queries(1) as context:
        response = api_client.get(f"/api/v1/stores/{membership.store.slug}/")
    assert response.status_code == 200, response.content
    assert response.json()["role"] == "owner"
    (statement,) = [query["sql"] for query in context.captured_queries]
    assert "users_user" in statement
    assert "stores_store" in statement


@pytest.mark.django_db
def test_another_stores_member_is_answered_404_as_before(api_client):
    mine, theirs = StoreFactory(), StoreFactory()
    user = MembershipFactory(store=mine, role=Membership.Role.OWNER).user
    _signed_in(api_client, user)
    for path in ("", "customers/", "members/"):
        response = api_client.get(f"/api/v1/stores/{theirs.slug}/{path}")
        assert response.status_code == 404, (path, response.content)
        assert response["Content-Type"] == "application/problem+json"
    # There they are a shopper: their own orders only (none), not the store's.
    response = api_client.get(f"/api/v1/stores/{theirs.slug}/orders/")
    assert response.status_code == 200
    assert response.json()["results"] == []
    assert api_client.get(f"/api/v1/stores/{mine.slug}/customers/").status_code == 200


@pytest.mark.django_db
def test_a_missing_store_is_404_for_a_signed_in_caller(api_client, user):
    _signed_in(api_client, user)
    response = api_client.get("/api/v1/stores/no-such-store/orders/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "code"),
    [
        ("delete", "user_not_found"),
        ("deactivate", "user_inactive"),
        ("password", "password_changed"),
    ],
)
def test_a_token_refused_elsewhere_is_refused_on_a_stores_url(api_client, change, code):
    membership = MembershipFactory(role=Membership.Role.OWNER)
    user: User = membership.user
    _signed_in(api_client, user)
    if change == "delete":
        Membership.objects.filter(user=user).delete()
        user.delete()
    elif change == "deactivate":
        User.objects.filter(pk=user.pk).update(is_active=False)
    else:
        User.objects.filter(pk=user.pk).update(password=make_password("new-one-4!"))
    response = api_client.get(f"/api/v1/stores/{membership.store.slug}/orders/")
    assert response.status_code == 401, response.content
    assert response.json()["code"] == code


@pytest.mark.django_db
def test_a_role_is_never_another_users(api_client):
    """The role read with the user is the token's user's, not any member's."""
    store = StoreFactory()
    MembershipFactory(store=store, role=Membership.Role.OWNER)  # the owner
    shopper = UserFactory()
    _signed_in(api_client, shopper)
    # A shopper sees the store's storefront but not its members (404: no role).
    assert api_client.get(f"/api/v1/stores/{store.slug}/members/").status_code == 404
