"""Writes on user accounts.

Invariants:
- An email address is unique whatever its casing, and is stored lower-cased.
- Changing or resetting a password blacklists every outstanding refresh token
  of the user; access tokens carry a hash of the password, so they stop
  working at the same moment.
- A password reset request says nothing about whether the address exists.
"""

import logging

from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError
from rest_framework_simplejwt.token_blacklist.models import (
    BlacklistedToken,
    OutstandingToken,
)
from rest_framework_simplejwt.tokens import RefreshToken

from apps.core.exceptions import ValidationFailed

from .models import User
from .selectors import user_get_by_email

logger = logging.getLogger(__name__)


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
    return ValidationFailed(
        "A user with this email address already exists.",
        errors=[
            {
                "field": "email",
                "code": "unique",
                "message": "A user with this email address already exists.",
            }
        ],
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
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:  # a concurrent registration won the race
        raise _email_taken() from exc
    return user


def user_update(
    *, user: User, first_name: str | None = None, last_name: str | None = None
) -> User:
    """Update the profile fields a user may change themselves."""
    changed = []
    if first_name is not None:
        user.first_name = first_name
        changed.append("first_name")
    if last_name is not None:
        user.last_name = last_name
        changed.append("last_name")
    if changed:
        user.save(update_fields=changed)
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


def user_logout(*, refresh: str) -> None:
    """Blacklist one refresh token, ending that session."""
    try:
        RefreshToken(refresh).blacklist()  # type: ignore[arg-type]
    except TokenError as exc:
        raise InvalidToken(exc.args[0]) from exc


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


def password_reset_request(*, email: str) -> None:
    """Email a reset link to the address if it belongs to an active user."""
    from .tasks import send_password_reset_email

    user = user_get_by_email(email=email)
    if user is None or not user.is_active or not user.has_usable_password():
        return
    user_id = str(user.pk)

    def enqueue() -> None:
        # The answer must not depend on whether the address exists, so a broker
        # outage is logged, not raised. (The outbox will make this durable.)
        try:
            send_password_reset_email.delay(user_id=user_id)
        except Exception:
            logger.exception("could not enqueue the password reset email")

    transaction.on_commit(enqueue)


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
