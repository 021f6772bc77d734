"""Reads on user accounts. Emails are matched case-insensitively."""

from django.http import HttpRequest

from apps.core.exceptions import NotAuthenticatedError

from .models import User


def user_get_by_email(*, email: str) -> User | None:
    """Return the user with this email in any casing, or None."""
    return User.objects.filter(email__iexact=email.strip()).first()


def user_get_active(*, user_id: str) -> User | None:
    """Return the active user with this id, or None (deactivated or deleted)."""
    return User.objects.filter(pk=user_id, is_active=True).first()


def user_from_request(request: HttpRequest) -> User:
    """Return the authenticated user of an API or admin request (401 if none)."""
    user = getattr(request, "user", None)
    if not isinstance(user, User) or not user.is_authenticated:
        raise NotAuthenticatedError("Authentication credentials were not provided.")
    return user
