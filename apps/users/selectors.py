"""Reads on user accounts. Emails are matched case-insensitively."""

from django.core.exceptions import ValidationError
from django.db import connection
from django.http import HttpRequest

from apps.core.exceptions import NotAuthenticatedError

from .models import User


def user_get_by_email(*, email: str) -> User | None:
    """Return the user with this email in any casing, or None."""
    return User.objects.filter(email__iexact=email.strip()).first()


def user_get_active(*, user_id: str) -> User | None:
    """Return the active user with this id, or None (deactivated or deleted)."""
    return User.objects.filter(pk=user_id, is_active=True).first()


def user_get_by_id(*, user_id: object) -> User | None:
    """The user with this id, active or not, or None: one statement written as SQL.

    Every signed-in request reads its user by the token's id; the ORM's
    ``get()`` builds the statement each time, about twice the cost of running
    it (docs/performance.md). ``raw()`` still applies each column's converters.
    """
    try:
        pk = User._meta.pk.to_python(user_id)
    except ValidationError:
        return None
    meta, quote = User._meta, connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in meta.concrete_fields)
    sql = (
        f"SELECT {columns} FROM {quote(meta.db_table)}"  # noqa: S608 -- names from the model
        f" WHERE {quote(meta.pk.column)} = %s"
    )
    found = User.objects.raw(sql, [meta.pk.get_db_prep_value(pk, connection)])
    return next(iter(found), None)


def user_from_request(request: HttpRequest) -> User:
    """Return the authenticated user of an API or admin request (401 if none)."""
    user = getattr(request, "user", None)
    if not isinstance(user, User) or not user.is_authenticated:
        raise NotAuthenticatedError("Authentication credentials were not provided.")
    return user
