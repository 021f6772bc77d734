"""Writes on stores and memberships.

Invariants:
- Whoever creates a store becomes its first owner, in the same transaction.
- A store always keeps at least one owner: demoting or removing the last one
  is refused (409 ``last_owner``). Membership changes of a store lock its row,
  so two owners removing each other at once cannot both succeed.
- A store's slug and currency are fixed once created: URLs and amounts
  already issued keep their meaning.
- Rotating the webhook secret locks the store's row, and the secret it replaces
  becomes the previous one, which verifies for ``WEBHOOK_SECRET_GRACE``. One
  previous secret is kept: a second rotation within the grace period ends the
  first secret at once. The new secret is never logged.
- A settings change takes the caller's ``If-Match`` and compares it under the
  store's row lock, before changing anything (``apps.core.preconditions``).
"""

import logging
import secrets
from typing import TypedDict, Unpack

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from apps.core.exceptions import ConflictError, ValidationFailed
from apps.core.preconditions import IfMatch, if_match_check
from apps.core.services import model_update, unique_violation_as
from apps.users.models import User
from apps.users.selectors import user_get_by_email

from .models import Membership, Store, generate_webhook_secret

logger = logging.getLogger(__name__)


def _slug_taken(slug: str) -> ValidationFailed:
    return ValidationFailed.on_field(
        "slug", f"The slug {slug!r} is already used by another store.", "unique"
    )


def _unique_slug(name: str) -> str:
    base = slugify(name)[:50].strip("-") or "store"
    slug = base
    while Store.objects.filter(slug=slug).exists():
        slug = f"{base}-{secrets.token_hex(3)}"
    return slug


@transaction.atomic
def store_create(
    *,
    actor: User,
    name: str,
    currency: str,
    timezone: str = "UTC",
    slug: str | None = None,
    unpaid_order_timeout_minutes: int | None = None,
    low_stock_threshold: int | None = None,
) -> Store:
    """Create a store and make the actor its owner."""
    if slug and Store.objects.filter(slug=slug).exists():
        raise _slug_taken(slug)
    store = Store(
        name=name, slug=slug or _unique_slug(name), currency=currency, timezone=timezone
    )
    if unpaid_order_timeout_minutes is not None:
        store.unpaid_order_timeout_minutes = unpaid_order_timeout_minutes
    if low_stock_threshold is not None:
        store.low_stock_threshold = low_stock_threshold
    with unique_violation_as(lambda: _slug_taken(store.slug)):  # a concurrent create
        store.save()
    Membership.objects.create(store=store, user=actor, role=Membership.Role.OWNER)
    return store


class StoreChanges(TypedDict, total=False):
    """What ``store_update`` may change: never the slug or the currency."""

    name: str
    timezone: str
    unpaid_order_timeout_minutes: int
    low_stock_threshold: int


@transaction.atomic
def store_update(
    *, store: Store, if_match: IfMatch | None = None, **changes: Unpack[StoreChanges]
) -> Store:
    """Change a store's settings (never its slug or currency)."""
    store = Store.objects.select_for_update().get(pk=store.pk)
    if_match_check(if_match, store)
    model_update(instance=store, fields=StoreChanges.__annotations__, data=changes)
    return store


def _lock_store(store: Store) -> Store:
    return Store.objects.select_for_update().get(pk=store.pk)


@transaction.atomic
def store_webhook_secret_rotate(*, store: Store, actor: User) -> Store:
    """Give the store a new webhook secret; the replaced one becomes the previous."""
    store = _lock_store(store)
    model_update(
        instance=store,
        fields=(
            "webhook_secret",
            "previous_webhook_secret",
            "webhook_secret_rotated_at",
        ),
        data={
            "webhook_secret": generate_webhook_secret(),
            "previous_webhook_secret": store.webhook_secret,
            "webhook_secret_rotated_at": timezone.now(),
        },
    )
    logger.info(
        "webhook secret rotated", extra={"store": store.slug, "actor_id": str(actor.pk)}
    )
    return store


def membership_roles_check(*, roles: list[str]) -> None:
    """Refuse a set of member roles that leaves the store without an owner."""
    if Membership.Role.OWNER not in roles:
        raise ConflictError(
            "A store must keep at least one owner; make another member owner first.",
            code="last_owner",
        )


def _remaining_roles(*, store: Store, without: Membership) -> list[str]:
    return list(
        Membership.objects.filter(store=store)
        .exclude(pk=without.pk)
        .values_list("role", flat=True)
    )


@transaction.atomic
def membership_add(*, store: Store, email: str, role: str) -> Membership:
    """Add a registered user to the store with a role."""
    store = _lock_store(store)
    user = user_get_by_email(email=email)
    if user is None:
        raise ValidationFailed.on_field(
            "email",
            "No registered user has this email address; ask them to sign up first.",
            "not_found",
        )
    if Membership.objects.filter(store=store, user=user).exists():
        raise ConflictError(
            f"{user.email} is already a member of this store; "
            "change their role instead.",
            code="already_member",
        )
    return Membership.objects.create(store=store, user=user, role=role)


@transaction.atomic
def membership_change_role(*, membership: Membership, role: str) -> Membership:
    """Give a member another role, keeping at least one owner."""
    _lock_store(membership.store)
    membership = Membership.objects.select_related("user", "store").get(
        pk=membership.pk
    )
    if membership.role == Membership.Role.OWNER and role != Membership.Role.OWNER:
        roles = _remaining_roles(store=membership.store, without=membership)
        membership_roles_check(roles=[*roles, role])
    model_update(instance=membership, fields=("role",), data={"role": role})
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership) -> None:
    """Remove a member from the store, keeping at least one owner."""
    _lock_store(membership.store)
    membership = Membership.objects.get(pk=membership.pk)
    if membership.role == Membership.Role.OWNER:
        membership_roles_check(
            roles=_remaining_roles(store=membership.store, without=membership)
        )
    membership.delete()
