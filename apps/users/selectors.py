"""Reads on user accounts. Emails are matched case-insensitively."""

from django.http import HttpRequest
from rest_framework.exceptions import NotAuthenticated
from rest_framework.request import Request

from .models import User


def user_get_by_email(*, email: str) -> User | None:
    """Return the user with this email in any casing, or None."""
    return User.objects.filter(email__iexact=email.strip()).first()


def user_from_request(request: Request | HttpRequest) -> User:
    """Return the authenticated user of an API or admin request (401 if none)."""
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated:
        raise NotAuthenticated()
    return user
