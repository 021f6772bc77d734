"""Reads on stores and memberships.

Invariants:
- A caller sees only the stores they are a member of; any other store, or
  a membership of another store, does not exist for them (404).
- A store's role for the caller is resolved in the same query as the store.
- A store's webhook secrets are read for its owners and for verifying payment
  webhooks only. After a rotation the previous secret counts for
  ``WEBHOOK_SECRET_GRACE``, then never again.
"""

import re
import time
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import F, FilteredRelation, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from apps.core.models import model_from_columns
from apps.core.selectors import first_or_404
from apps.users.models import User
from apps.users.selectors import user_get_by_id

from .models import Membership, Store

SLUG_PATTERN = re.compile(r"[-a-zA-Z0-9_]{1,60}")


@dataclass(frozen=True)
class StoreAccess:
    """A store, the caller, and the caller's role in it (None: not a member).

    Selectors and services that answer differently per caller take this one
    value rather than a user here and a role or a flag there.
    """

    store: Store
    role: str | None
    user: User | None = None

    @property
    def is_member(self) -> bool:
        return self.role is not None


def store_resolve(*, slug: str, user: User | AnonymousUser | None) -> StoreAccess:
    """Return the store with this slug and the caller's role, or raise 404."""
    if not SLUG_PATTERN.fullmatch(slug):
        raise Http404  # not a slug at all: no store can have it
    caller = user if isinstance(user, User) and user.is_authenticated else None
    store = next(iter(Store.objects.raw(*_store_with_role_sql(slug, caller))), None)
    if store is None:
        raise Http404
    return StoreAccess(
        store=store, role=getattr(store, "caller_role", None), user=caller
    )


@dataclass(frozen=True)
class CallerInStore:
    """What ``caller_in_store`` found: the token's user, and the store with their role.

    ``user`` is None when no user has the id; ``access`` when no store has
    the slug (the request's answer is then 404, as ``store_resolve`` gives).
    """

    user: User | None
    access: StoreAccess | None


def caller_in_store(*, user_id: object, slug: str) -> CallerInStore:
    """The user with this id and the store with this slug, with the user's role.

    One statement for what a signed-in request to a store's URL reads first:
    its user (``user_get_by_id``) and its store with the caller's role
    (``store_resolve``), which took two round trips. The user is returned as
    read, active or not: authentication decides what to make of it, and the
    store is for that user only.
    """
    try:
        pk = User._meta.pk.to_python(user_id)
    except ValidationError:
        return CallerInStore(user=None, access=None)
    if not SLUG_PATTERN.fullmatch(slug):
        return CallerInStore(user=user_get_by_id(user_id=pk), access=None)
    users, stores, membership = User._meta, Store._meta, Membership._meta
    quote = connection.ops.quote_name
    user_columns = [f"u.{quote(field.column)}" for field in users.concrete_fields]
    store_columns = [f"s.{quote(field.column)}" for field in stores.concrete_fields]
    sql = (
        f"SELECT {', '.join(user_columns + store_columns)},"  # noqa: S608 -- model names
        f" (SELECT m.role FROM {quote(membership.db_table)} m"
        f" WHERE m.store_id = s.id AND m.user_id = u.id) AS caller_role"
        f" FROM {quote(users.db_table)} u"
        f" LEFT JOIN {quote(stores.db_table)} s ON s.slug = %s"
        f" WHERE u.{quote(users.pk.column)} = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [slug, users.pk.get_db_prep_value(pk, connection)])
        row = cursor.fetchone()
    if row is None:
        return CallerInStore(user=None, access=None)
    split = len(user_columns)
    user = model_from_columns(User, row[:split])
    if row[split] is None:  # the store's id: no store has this slug
        return CallerInStore(user=user, access=None)
    store = model_from_columns(Store, row[split:-1])
    return CallerInStore(
        user=user, access=StoreAccess(store=store, role=row[-1], user=user)
    )


# The store ids store_id_by_slug has read, per process: slug -> (id, until).
_store_ids: dict[str, tuple[UUID, float]] = {}
_STORE_IDS_KEPT = 10_000  # a bound: past it, the table starts again empty


def store_id_by_slug(*, slug: str) -> UUID | None:
    """The id of the store with this slug, or None: one indexed lookup.

    For ``SharedPageMiddleware``, which needs only the id to name a shared
    page: loading the whole row as ``store_resolve`` does costs about 0.2 ms
    more per request (docs/performance.md). A slug never changes while its
    store exists, so a found id is remembered for ``STORE_ID_MEMORY_SECONDS``
    (ADR 0067): a storefront cache hit then reads nothing from the database,
    neither this statement nor the connection's health check (together about
    a quarter of a hit). A slug with no store is read every time, so unknown
    slugs cannot fill the table.
    """
    known = store_id_remembered(slug=slug)
    if known is not None:
        return known
    if not SLUG_PATTERN.fullmatch(slug):
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id FROM {Store._meta.db_table} WHERE slug = %s",  # noqa: S608 -- model name
            [slug],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    store_id: UUID = Store._meta.pk.to_python(row[0])
    if settings.STORE_ID_MEMORY_SECONDS > 0:
        if len(_store_ids) >= _STORE_IDS_KEPT:
            _store_ids.clear()
        until = time.monotonic() + settings.STORE_ID_MEMORY_SECONDS
        _store_ids[slug] = (store_id, until)
    return store_id


def store_id_remembered(*, slug: str) -> UUID | None:
    """The id ``store_id_by_slug`` remembers for ``slug``, if still current.

    Reads nothing: None when it would have to ask the database.
    """
    known = _store_ids.get(slug)
    if known is None or known[1] <= time.monotonic():
        return None
    return known[0]


def store_ids_forget() -> None:
    """Forget the remembered store ids (tests that reuse a slug)."""
    _store_ids.clear()


def _store_with_role_sql(slug: str, caller: User | None) -> tuple[str, list[Any]]:
    """The store by slug, with the caller's role in it (NULL: not a member).

    Every store-scoped request starts with this statement, so it is written
    out rather than built: the ORM's ``Subquery`` annotation of the same
    statement took 1.6 ms per call to compile and run, this 0.5 ms
    (docs/performance.md). ``raw()`` still applies each column's converters.
    """
    store, membership = Store._meta, Membership._meta
    if caller is None:
        role, params = "NULL", [slug]
    else:
        user_id = User._meta.pk.get_db_prep_value(caller.pk, connection)
        role = (
            f"(SELECT m.role FROM {membership.db_table} m"  # noqa: S608 -- model names
            f" WHERE m.store_id = s.id AND m.user_id = %s)"
        )
        params = [user_id, slug]
    # The columns are named, not "s.*": a statement prepared on a connection
    # keeps the columns it had, and PostgreSQL refuses to run it again once a
    # migration has added one (ADR 0069).
    quote = connection.ops.quote_name
    columns = ", ".join(f"s.{quote(field.column)}" for field in store.concrete_fields)
    query = (
        f"SELECT {columns}, {role} AS caller_role"  # noqa: S608 -- model names
        f" FROM {store.db_table} s WHERE s.slug = %s"
    )
    return query, params


def store_list_for_user(*, user: User) -> QuerySet[Store]:
    """The stores the user is a member of, each annotated with ``role``."""
    return (
        Store.objects.annotate(
            own=FilteredRelation("memberships", condition=Q(memberships__user=user))
        )
        .filter(own__isnull=False)
        .annotate(role=F("own__role"))
    )


def store_ids_of_member(
    *, user: User, roles: Collection[str] | None = None
) -> QuerySet[Membership, UUID]:
    """Ids of the stores where the user is a member (with one of ``roles``).

    A subquery, so ``filter(store__in=...)`` stays one query.
    """
    memberships = Membership.objects.filter(user=user)
    if roles is not None:
        memberships = memberships.filter(role__in=roles)
    return memberships.values_list("store_id", flat=True)


def member_has_role(
    *, user: User, roles: Collection[str], store: Store | UUID | None = None
) -> bool:
    """Whether the user has one of ``roles`` in the store (in any store if None)."""
    memberships = Membership.objects.filter(user=user, role__in=roles)
    if store is not None:
        memberships = memberships.filter(store=store)
    return memberships.exists()


def membership_list(*, store: Store) -> QuerySet[Membership]:
    """The memberships of one store, with their users."""
    return Membership.objects.filter(store=store).select_related("user")


def member_emails(*, store_id: UUID, roles: Collection[str]) -> list[str]:
    """Addresses of the store's active members with one of ``roles`` (for alerts)."""
    return list(
        Membership.objects.filter(
            store_id=store_id, role__in=roles, user__is_active=True
        )
        .order_by("user__email")
        .values_list("user__email", flat=True)
    )


def membership_get(*, store: Store, membership_id: UUID) -> Membership:
    """One membership of this store, or 404 (never one of another store)."""
    return first_or_404(membership_list(store=store).filter(pk=membership_id))


@dataclass(frozen=True)
class WebhookSecrets:
    """The secrets that verify a store's payment webhooks at a given moment."""

    current: str
    # The secret before the last rotation while its grace period lasts, else None.
    previous: str | None
    previous_valid_until: datetime | None


def store_webhook_secrets(
    *, store: Store, now: datetime | None = None
) -> WebhookSecrets:
    """The store's webhook secret, and the previous one while its grace lasts."""
    rotated_at = store.webhook_secret_rotated_at
    if store.previous_webhook_secret and rotated_at is not None:
        valid_until = rotated_at + settings.WEBHOOK_SECRET_GRACE
        if (now or timezone.now()) < valid_until:
            return WebhookSecrets(
                current=store.webhook_secret,
                previous=store.previous_webhook_secret,
                previous_valid_until=valid_until,
            )
    return WebhookSecrets(
        current=store.webhook_secret, previous=None, previous_valid_until=None
    )
