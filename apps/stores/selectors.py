"""Reads on stores and memberships.

Invariants:
- A caller sees only the stores they are a member of; any other store, or
  a membership of another store, does not exist for them (404).
- A store's role for the caller is resolved in the same query as the store.
"""

import re
from dataclasses import dataclass
from uuid import UUID

from django.contrib.auth.models import AnonymousUser
from django.db.models import F, FilteredRelation, OuterRef, Q, QuerySet, Subquery
from rest_framework.exceptions import NotFound

from apps.core.selectors import first_or_404
from apps.users.models import User

from .models import Membership, Store

SLUG_PATTERN = re.compile(r"[-a-zA-Z0-9_]{1,60}")


@dataclass(frozen=True)
class StoreAccess:
    """A store together with the caller's role in it (None: not a member)."""

    store: Store
    role: str | None


def store_resolve(*, slug: str, user: User | AnonymousUser | None) -> StoreAccess:
    """Return the store with this slug and the caller's role, or raise 404."""
    if not SLUG_PATTERN.fullmatch(slug):
        raise NotFound()  # not a slug at all: no store can have it
    queryset = Store.objects.filter(slug=slug)
    if user is not None and user.is_authenticated:
        role = Membership.objects.filter(store=OuterRef("pk"), user=user).values("role")
        queryset = queryset.annotate(caller_role=Subquery(role[:1]))
    store = queryset.first()
    if store is None:
        raise NotFound()
    return StoreAccess(store=store, role=getattr(store, "caller_role", None))


def store_list_for_user(*, user: User) -> QuerySet[Store]:
    """The stores the user is a member of, each annotated with ``role``."""
    return (
        Store.objects.annotate(
            own=FilteredRelation("memberships", condition=Q(memberships__user=user))
        )
        .filter(own__isnull=False)
        .annotate(role=F("own__role"))
    )


def membership_list(*, store: Store) -> QuerySet[Membership]:
    """The memberships of one store, with their users."""
    return Membership.objects.filter(store=store).select_related("user")


def membership_get(*, store: Store, membership_id: UUID) -> Membership:
    """One membership of this store, or 404 (never one of another store)."""
    return first_or_404(membership_list(store=store).filter(pk=membership_id))
