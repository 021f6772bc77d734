"""JWT authentication: the user read as SQL is the user the ORM reads, and
every answer simplejwt gives for a token's user is kept."""

import pytest
from rest_framework_simplejwt.tokens import AccessToken

from apps.users.authentication import JWTAuthentication
from apps.users.models import User
from apps.users.selectors import user_get_by_id

from .factories import UserFactory

ME = "/api/v1/users/me/"


def _fields(user):
    return {f.attname: getattr(user, f.attname) for f in User._meta.concrete_fields}


@pytest.mark.django_db
def test_the_user_comes_back_as_the_orm_loads_it():
    user = UserFactory(first_name="Ada", is_staff=True)
    found = user_get_by_id(user_id=str(user.pk))
    loaded = User.objects.get(pk=user.pk)
    assert _fields(found) == _fields(loaded)
    assert all(
        type(getattr(found, name)) is type(value)
        for name, value in _fields(loaded).items()
    )


@pytest.mark.django_db
@pytest.mark.parametrize("user_id", ["not-a-uuid", "", None, 42])
def test_an_id_that_is_no_uuid_finds_nobody(user_id):
    assert user_get_by_id(user_id=user_id) is None


@pytest.mark.django_db
def test_an_unknown_id_finds_nobody():
    assert user_get_by_id(user_id="01a2085b-7b49-76c0-a57b-6597974ecfe9") is None


@pytest.mark.django_db
def test_a_signed_in_request_reads_its_user_with_one_statement(
    api_client, user, django_assert_num_queries
):
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(user)}")
    with django_assert_num_queries(1):
        response = api_client.get(ME)
    assert response.status_code == 200
    assert response.json()["email"] == user.email


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "code"),
    [("delete", "user_not_found"), ("deactivate", "user_inactive")],
)
def test_a_token_whose_user_is_gone_or_inactive_is_refused(api_client, change, code):
    user: User = UserFactory()
    token = AccessToken.for_user(user)
    if change == "delete":
        user.delete()
    else:
        User.objects.filter(pk=user.pk).update(is_active=False)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    response = api_client.get(ME)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == code


@pytest.mark.django_db
def test_a_token_without_a_user_claim_is_refused(api_client, user):
    token = AccessToken.for_user(user)
    del token["user_id"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    response = api_client.get(ME)
    assert response.status_code == 401
    assert response.json()["code"] == "token_not_valid"


@pytest.mark.django_db
def test_a_changed_password_revokes_the_token_when_revocation_is_on(
    api_client, monkeypatch
):
    from rest_framework_simplejwt.settings import api_settings

    monkeypatch.setattr(api_settings, "CHECK_REVOKE_TOKEN", True)
    user: User = UserFactory()
    token = AccessToken.for_user(user)
    assert JWTAuthentication().get_user(token) == user
    user.set_password("another-long-password-1")
    user.save()
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    response = api_client.get(ME)
    assert response.status_code == 401
    assert response.json()["code"] == "password_changed"
