"""Writes on user accounts.

Invariants:
- An email address is unique whatever its casing, and is stored lower-cased.
- Changing or resetting a password blacklists every outstanding refresh token
  of the user; access tokens carry a hash of the password, so they stop
  working at the same moment.
- A password reset request says nothing about whether the address exists.
  Its email is recorded in the outbox with the request, so a broker outage
  delays it instead of losing it; the token is made only when it is sent.
- Refresh token records (outstanding, and blacklisted with them) are deleted
  once the token has expired, when a record no longer decides anything.
"""

import time
from typing import TypedDict, Unpack

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.token_blacklist.models import (
    BlacklistedToken,
    OutstandingToken,
)
from rest_framework_simplejwt.tokens import RefreshToken

from apps.core.exceptions import NotAuthenticatedError, ValidationFailed
from apps.core.outbox import outbox_enqueue
from apps.core.services import model_update, unique_violation_as

from .emails import PASSWORD_RESET_EMAIL
from .models import User
from .selectors import user_get_by_email


def _validate_new_password(*, password: str, user: User, field: str) -> None:
    try:
        validate_password(password, user=user)
    except DjangoValidationError as exc:
        raise ValidationFailed(
            " ".join(exc.messages),
            errors=[
                {"field": field, "code": error.code or "invalid", "message": message}
                for error in exc.error_list
                for message in error.messages
            ],
        ) from exc


def _email_taken() -> ValidationFailed:
    return ValidationFailed.on_field(
        "email", "A user with this email address already exists.", "unique"
    )


def user_create(
    *, email: str, password: str, first_name: str = "", last_name: str = ""
) -> User:
    """Register a new user with a validated password."""
    email = User.objects.normalize_email(email).lower()
    user = User(email=email, first_name=first_name, last_name=last_name)
    _validate_new_password(password=password, user=user, field="password")
    if user_get_by_email(email=email) is not None:
        raise _email_taken()
    user.set_password(password)
    with unique_violation_as(_email_taken):  # a concurrent registration won the race
        user.save()
    return user


class UserChanges(TypedDict, total=False):
    """The profile fields a user may change themselves."""

    first_name: str
    last_name: str


def user_update(*, user: User, **changes: Unpack[UserChanges]) -> User:
    """Update the profile fields a user may change themselves."""
    model_update(instance=user, fields=UserChanges.__annotations__, data=changes)
    return user


def user_tokens_issue(*, user: User) -> dict[str, str]:
    """Issue a new refresh/access token pair for the user."""
    refresh = RefreshToken.for_user(user)
    return {"refresh": str(refresh), "access": str(refresh.access_token)}


def user_tokens_revoke_all(*, user: User) -> int:
    """Blacklist every outstanding refresh token of the user; return how many."""
    outstanding = OutstandingToken.objects.filter(
        user=user, blacklistedtoken__isnull=True
    )
    created = BlacklistedToken.objects.bulk_create(
        [BlacklistedToken(token=token) for token in outstanding],
        ignore_conflicts=True,
    )
    return len(created)


def tokens_flush_expired() -> int:
    """Delete the records of expired refresh tokens; return how many went.

    simplejwt's ``flushexpiredtokens`` command, callable from a task: an expired
    token is refused on its own, so its outstanding (and blacklisted) record
    decides nothing any more.
    """
    deleted, _ = OutstandingToken.objects.filter(
        expires_at__lte=timezone.now()
    ).delete()
    return deleted


def user_logout(*, refresh: str) -> None:
    """Blacklist one refresh token, ending that session."""
    try:
        RefreshToken(refresh).blacklist()  # type: ignore[arg-type]
    except TokenError as exc:
        raise NotAuthenticatedError(str(exc.args[0]), code="token_not_valid") from exc


@transaction.atomic
def user_password_change(
    *, user: User, current_password: str, new_password: str
) -> dict[str, str]:
    """Change the password, revoke every session and return a fresh token pair."""
    if not user.check_password(current_password):
        raise ValidationFailed(
            "The current password is not correct.",
            errors=[
                {
                    "field": "current_password",
                    "code": "invalid",
                    "message": "The current password is not correct.",
                }
            ],
        )
    _validate_new_password(password=new_password, user=user, field="new_password")
    user.set_password(new_password)
    user.save(update_fields=["password"])
    user_tokens_revoke_all(user=user)
    return user_tokens_issue(user=user)


@transaction.atomic
def password_reset_request(*, email: str) -> None:
    """Record a reset email for the address if it belongs to an active user.

    The outbox delivers it after commit, or later if the broker is down; within
    one ``PASSWORD_RESET_EMAIL_INTERVAL`` window an account gets one email.
    """
    user = user_get_by_email(email=email)
    if user is None or not user.is_active or not user.has_usable_password():
        return
    window = int(time.time()) // settings.PASSWORD_RESET_EMAIL_INTERVAL
    outbox_enqueue(
        kind=PASSWORD_RESET_EMAIL,
        dedup_key=f"password-reset:{user.pk}:{window}",
        payload={"user_id": str(user.pk)},
    )


def _invalid_reset_link() -> ValidationFailed:
    return ValidationFailed(
        "The password reset link is invalid or has expired; request a new one.",
        code="invalid_reset_token",
    )


@transaction.atomic
def password_reset_confirm(*, uid: str, token: str, new_password: str) -> User:
    """Set a new password from an emailed reset token and revoke every session."""
    try:
        user_id = force_str(urlsafe_base64_decode(uid))
        user = User.objects.select_for_update().get(pk=user_id, is_active=True)
    except (ValueError, TypeError, OverflowError, DjangoValidationError):
        raise _invalid_reset_link() from None
    except User.DoesNotExist:
        raise _invalid_reset_link() from None
    if not default_token_generator.check_token(user, token):
        raise _invalid_reset_link()
    _validate_new_password(password=new_password, user=user, field="new_password")
    user.set_password(new_password)
    user.save(update_fields=["password"])
    user_tokens_revoke_all(user=user)
    return user
