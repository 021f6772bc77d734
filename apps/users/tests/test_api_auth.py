"""Authentication flows end to end, through the HTTP API."""

import re

import pytest
from django.core import mail

from apps.users.models import User

from .factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

REGISTER = "/api/v1/auth/register/"
TOKEN = "/api/v1/auth/token/"
REFRESH = "/api/v1/auth/token/refresh/"
LOGOUT = "/api/v1/auth/logout/"
PASSWORD_CHANGE = "/api/v1/auth/password/change/"
RESET = "/api/v1/auth/password/reset/"
RESET_CONFIRM = "/api/v1/auth/password/reset/confirm/"
ME = "/api/v1/users/me/"
NEW_PASSWORD = "a-brand-new-passphrase-7"


def _login(client, email, password=PASSWORD):
    response = client.post(TOKEN, {"email": email, "password": password})
    assert response.status_code == 200, response.json()
    return response.json()


def _bearer(client, access):
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client


# --- Registration -------------------------------------------------------------


def test_register_creates_a_user_with_a_lower_cased_email(api_client):
    response = api_client.post(
        REGISTER,
        {"email": "New.Person@Example.COM", "password": PASSWORD, "first_name": "Ann"},
    )
    assert response.status_code == 201
    body = response.json()
    assert body["email"] == "new.person@example.com"
    assert body["first_name"] == "Ann"
    assert "password" not in body
    assert User.objects.get(pk=body["id"]).check_password(PASSWORD)


def test_register_refuses_an_email_taken_in_another_casing(api_client):
    UserFactory(email="taken@example.com")
    response = api_client.post(
        REGISTER, {"email": "TAKEN@example.com", "password": PASSWORD}
    )
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "field": "email",
            "code": "unique",
            "message": "A user with this email address already exists.",
        }
    ]
    assert User.objects.filter(email__iexact="taken@example.com").count() == 1


def test_register_refuses_a_weak_password_with_field_errors(api_client):
    response = api_client.post(
        REGISTER, {"email": "a@example.com", "password": "12345"}
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "validation_error"
    assert {e["field"] for e in body["errors"]} == {"password"}
    assert {"password_too_short", "password_entirely_numeric"} <= {
        e["code"] for e in body["errors"]
    }
    assert not User.objects.filter(email="a@example.com").exists()


def test_register_rejects_unknown_fields(api_client):
    response = api_client.post(
        REGISTER, {"email": "a@example.com", "password": PASSWORD, "is_staff": True}
    )
    assert response.status_code == 400
    assert response.json()["errors"][0] == {
        "field": "is_staff",
        "code": "unknown_field",
        "message": "Unknown field.",
    }
    assert not User.objects.filter(email="a@example.com").exists()


# --- Tokens -------------------------------------------------------------------


def test_token_obtain_accepts_any_casing_of_the_email(api_client, user):
    tokens = _login(api_client, user.email.upper())
    assert set(tokens) == {"access", "refresh"}
    me = _bearer(api_client, tokens["access"]).get(ME)
    assert me.status_code == 200
    assert me.json()["email"] == user.email


def test_token_obtain_with_a_wrong_password_is_401(api_client, user):
    response = api_client.post(
        TOKEN, {"email": user.email, "password": "wrong-password"}
    )
    assert response.status_code == 401
    assert response.json()["code"] == "no_active_account"


def test_refresh_rotates_and_a_reused_refresh_token_is_rejected(api_client, user):
    first = _login(api_client, user.email)
    response = api_client.post(REFRESH, {"refresh": first["refresh"]})
    assert response.status_code == 200
    second = response.json()
    assert second["refresh"] != first["refresh"]
    assert _bearer(api_client, second["access"]).get(ME).status_code == 200

    api_client.credentials()
    reused = api_client.post(REFRESH, {"refresh": first["refresh"]})
    assert reused.status_code == 401
    assert reused.json()["code"] == "token_not_valid"
    # The rotated-in refresh token still works.
    assert api_client.post(REFRESH, {"refresh": second["refresh"]}).status_code == 200


def test_refresh_of_a_deleted_user_is_401_not_500(api_client, user):
    tokens = _login(api_client, user.email)
    user.delete()
    response = api_client.post(REFRESH, {"refresh": tokens["refresh"]})
    assert response.status_code == 401


def test_inactive_users_tokens_stop_working(api_client, user):
    tokens = _login(api_client, user.email)
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert _bearer(api_client, tokens["access"]).get(ME).status_code == 401
    api_client.credentials()
    assert api_client.post(REFRESH, {"refresh": tokens["refresh"]}).status_code == 401


def test_garbage_tokens_are_401_problems(api_client):
    response = _bearer(api_client, "not-a-jwt").get(ME)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "token_not_valid"
    api_client.credentials()
    assert api_client.post(REFRESH, {"refresh": "garbage"}).status_code == 401


def test_logout_blacklists_the_refresh_token(api_client, user):
    tokens = _login(api_client, user.email)
    assert api_client.post(LOGOUT, {"refresh": tokens["refresh"]}).status_code == 204
    response = api_client.post(REFRESH, {"refresh": tokens["refresh"]})
    assert response.status_code == 401
    # Logging out twice with the same token is refused the same way.
    assert api_client.post(LOGOUT, {"refresh": tokens["refresh"]}).status_code == 401


def test_logout_with_an_access_token_instead_of_a_refresh_token_is_refused(
    api_client, user
):
    tokens = _login(api_client, user.email)
    response = api_client.post(LOGOUT, {"refresh": tokens["access"]})
    assert response.status_code == 401


# --- Password change ------------------------------------------------------------


def test_password_change_revokes_every_session_and_returns_a_new_pair(api_client, user):
    session_a = _login(api_client, user.email)
    session_b = _login(api_client, user.email)
    _bearer(api_client, session_a["access"])
    response = api_client.post(
        PASSWORD_CHANGE, {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    )
    assert response.status_code == 200
    fresh = response.json()

    api_client.credentials()
    for old in (session_a, session_b):
        assert api_client.post(REFRESH, {"refresh": old["refresh"]}).status_code == 401
        assert _bearer(api_client, old["access"]).get(ME).status_code == 401
    assert _bearer(api_client, fresh["access"]).get(ME).status_code == 200
    api_client.credentials()
    assert api_client.post(REFRESH, {"refresh": fresh["refresh"]}).status_code == 200
    assert (
        api_client.post(TOKEN, {"email": user.email, "password": PASSWORD}).status_code
        == 401
    )
    _login(api_client, user.email, NEW_PASSWORD)


def test_password_change_needs_the_current_password(api_client, user):
    _bearer(api_client, _login(api_client, user.email)["access"])
    response = api_client.post(
        PASSWORD_CHANGE, {"current_password": "not-it", "new_password": NEW_PASSWORD}
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "current_password"
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_password_change_validates_the_new_password(api_client, user):
    _bearer(api_client, _login(api_client, user.email)["access"])
    response = api_client.post(
        PASSWORD_CHANGE, {"current_password": PASSWORD, "new_password": "short"}
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "new_password"


def test_password_change_requires_authentication(api_client):
    response = api_client.post(
        PASSWORD_CHANGE, {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    )
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


# --- Password reset -------------------------------------------------------------


def _reset_values(message):
    match = re.search(r"uid=(\S+) token=(\S+)", message.body)
    assert match, message.body
    return match.group(1), match.group(2)


def test_password_reset_flow_with_the_emailed_token(
    api_client, user, django_capture_on_commit_callbacks
):
    old_session = _login(api_client, user.email)
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(RESET, {"email": user.email.upper()})
    assert response.status_code == 202
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [user.email]
    uid, token = _reset_values(mail.outbox[0])

    response = api_client.post(
        RESET_CONFIRM, {"uid": uid, "token": token, "new_password": NEW_PASSWORD}
    )
    assert response.status_code == 204
    _login(api_client, user.email, NEW_PASSWORD)
    assert (
        api_client.post(REFRESH, {"refresh": old_session["refresh"]}).status_code == 401
    )

    # The token is single-use: the password it was made for has changed.
    again = api_client.post(
        RESET_CONFIRM,
        {"uid": uid, "token": token, "new_password": "yet-another-pass-99"},
    )
    assert again.status_code == 400
    assert again.json()["code"] == "invalid_reset_token"


def test_password_reset_for_an_unknown_email_answers_the_same_and_sends_nothing(
    api_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(RESET, {"email": "nobody@example.com"})
    assert response.status_code == 202
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("uid", "token"),
    [("garbage", "garbage"), ("", "x"), ("Zm9v", "abc-def"), ("!!!", "abc")],
)
def test_password_reset_confirm_with_bad_values_is_a_400(api_client, uid, token):
    response = api_client.post(
        RESET_CONFIRM, {"uid": uid, "token": token, "new_password": NEW_PASSWORD}
    )
    assert response.status_code == 400


# --- Profile --------------------------------------------------------------------


def test_me_can_be_read_and_updated(api_client, user):
    _bearer(api_client, _login(api_client, user.email)["access"])
    response = api_client.patch(ME, {"first_name": "Grace", "last_name": "Hopper"})
    assert response.status_code == 200
    assert response.json()["first_name"] == "Grace"
    user.refresh_from_db()
    assert (user.first_name, user.last_name) == ("Grace", "Hopper")


def test_me_cannot_change_email_or_staff_flags(api_client, user):
    _bearer(api_client, _login(api_client, user.email)["access"])
    response = api_client.patch(ME, {"email": "other@example.com", "is_staff": True})
    assert response.status_code == 400
    user.refresh_from_db()
    assert user.email != "other@example.com"
    assert not user.is_staff


def test_me_requires_authentication(api_client):
    response = api_client.get(ME)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


@pytest.fixture
def broker_down(settings):
    """Point Celery at a port where no broker listens, with eager mode off."""
    from config.celery import app

    saved = {
        key: app.conf[key]
        for key in ("broker_url", "task_always_eager", "task_publish_retry")
    }
    app.conf.update(
        broker_url="redis://127.0.0.1:1/0",
        task_always_eager=False,
        task_publish_retry=False,
    )
    app.pool.force_close_all()
    yield
    app.conf.update(saved)
    app.pool.force_close_all()


def test_password_reset_answers_202_even_when_the_broker_is_down(
    api_client, user, broker_down, django_capture_on_commit_callbacks, caplog
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(RESET, {"email": user.email})
    assert response.status_code == 202
    assert mail.outbox == []
    assert "could not enqueue the password reset email" in caplog.text


def test_the_user_admin_shows_non_superusers_only_the_people_of_their_stores(client):
    from django.contrib.auth.models import Permission

    from apps.stores.tests.factories import MembershipFactory

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
