"""Authentication flows end to end, through the HTTP API."""

import io
import re

import pytest
from django.core import mail
from django.core.management import call_command

from apps.core.models import OutboxMessage
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


def test_password_reset_answers_202_even_when_the_broker_is_down(
    api_client, user, broker_down, django_capture_on_commit_callbacks, caplog
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(RESET, {"email": user.email})
    assert response.status_code == 202
    assert mail.outbox == []
    assert "could not enqueue an outbox delivery" in caplog.text
    # It failed for the reason under test: nothing listens where the broker was.
    assert "Connection refused" in caplog.text or "Error 111" in caplog.text
    # The email is not lost: it waits in the outbox for the relay.
    message = OutboxMessage.objects.get(kind="users.password_reset")
    assert (message.status, message.attempts) == ("pending", 0)
    assert message.payload == {"user_id": str(user.pk)}


def test_a_reset_email_held_up_by_a_broker_outage_is_sent_once_by_the_relay(
    api_client, user, broker_down, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert api_client.post(RESET, {"email": user.email}).status_code == 202
    assert mail.outbox == []

    call_command("relay_outbox", stdout=io.StringIO())
    assert len(mail.outbox) == 1
    uid, token = _reset_values(mail.outbox[0])
    call_command("relay_outbox", stdout=io.StringIO())
    assert len(mail.outbox) == 1

    response = api_client.post(
        RESET_CONFIRM, {"uid": uid, "token": token, "new_password": NEW_PASSWORD}
    )
    assert response.status_code == 204


def test_repeated_reset_requests_send_one_email_per_interval(
    api_client, user, settings, django_capture_on_commit_callbacks
):
    settings.PASSWORD_RESET_EMAIL_INTERVAL = 10**9  # both requests in one window
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            assert api_client.post(RESET, {"email": user.email}).status_code == 202
    assert len(mail.outbox) == 1
    assert OutboxMessage.objects.count() == 1


def test_a_reset_request_for_an_unknown_email_records_nothing(api_client):
    assert api_client.post(RESET, {"email": "nobody@example.com"}).status_code == 202
    assert not OutboxMessage.objects.exists()


def test_the_reset_token_is_neither_stored_nor_sent_through_the_broker(
    api_client, user, django_capture_on_commit_callbacks, monkeypatch
):
    from apps.core.tasks import deliver_outbox_message

    published = []
    real_apply_async = deliver_outbox_message.apply_async

    def spy(*args, **kwargs):
        published.append(repr((args, kwargs)))
        return real_apply_async(*args, **kwargs)

    monkeypatch.setattr(deliver_outbox_message, "apply_async", spy)
    with django_capture_on_commit_callbacks(execute=True):
        api_client.post(RESET, {"email": user.email})
    _, token = _reset_values(mail.outbox[0])
    message = OutboxMessage.objects.get()
    assert token not in repr(message.payload)
    assert published
    assert token not in "".join(published)


def test_logout_with_a_broken_token_is_a_401_that_says_how_to_authenticate(
    api_client,
):
    response = api_client.post(LOGOUT, {"refresh": "not-a-token"})
    assert response.status_code == 401
    assert response.json()["code"] == "token_not_valid"
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_user_from_request_refuses_an_anonymous_request_without_drf():
    from django.contrib.auth.models import AnonymousUser
    from django.test import RequestFactory

    from apps.core.exceptions import NotAuthenticatedError
    from apps.users.selectors import user_from_request

    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    with pytest.raises(NotAuthenticatedError):
        user_from_request(request)
