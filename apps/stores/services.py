"""Writes on stores and memberships.

Invariants:
- Whoever creates a store becomes its first owner, in the same transaction.
- A store always keeps at least one owner: demoting or removing the last one
  is refused (409 ``last_owner``). Membership changes of a store lock its row,
  so two owners removing each other at once cannot both succeed.
- A store's slug and currency are fixed once created: URLs and amounts
  already issued keep their meaning.
"""

import secrets

from django.db import IntegrityError, transaction
from django.utils.text import slugify

from apps.core.exceptions import ConflictError, ValidationFailed
from apps.users.models import User
from apps.users.selectors import user_get_by_email

from .models import Membership, Store


def _slug_taken(slug: str) -> ValidationFailed:
    message = f"The slug {slug!r} is already used by another store."
    return ValidationFailed(
        message, errors=[{"field": "slug", "code": "unique", "message": message}]
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
    try:
        with transaction.atomic():
            store.save()
    except IntegrityError as exc:  # a concurrent create took the slug
        raise _slug_taken(store.slug) from exc
    Membership.objects.create(store=store, user=actor, role=Membership.Role.OWNER)
    return store


STORE_UPDATABLE_FIELDS = (
    "name",
    "timezone",
    "unpaid_order_timeout_minutes",
    "low_stock_threshold",
)


@transaction.atomic
def store_update(*, store: Store, actor: User, **changes: object) -> Store:
    """Change a store's settings (never its slug or currency)."""
    store = Store.objects.select_for_update().get(pk=store.pk)
    fields = [name for name in STORE_UPDATABLE_FIELDS if name in changes]
    for name in fields:
        setattr(store, name, changes[name])
    if fields:
        store.save(update_fields=[*fields, "updated_at"])
    return store


def _lock_store(store: Store) -> Store:
    return Store.objects.select_for_update().get(pk=store.pk)


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
def membership_add(*, store: Store, actor: User, email: str, role: str) -> Membership:
    """Add a registered user to the store with a role."""
    store = _lock_store(store)
    user = user_get_by_email(email=email)
    if user is None:
        message = (
            "No registered user has this email address; ask them to sign up first."
        )
        raise ValidationFailed(
            message,
            errors=[{"field": "email", "code": "not_found", "message": message}],
        )
    if Membership.objects.filter(store=store, user=user).exists():
        raise ConflictError(
            f"{user.email} is already a member of this store; "
            "change their role instead.",
            code="already_member",
        )
    return Membership.objects.create(store=store, user=user, role=role)


@transaction.atomic
def membership_change_role(
    *, membership: Membership, actor: User, role: str
) -> Membership:
    """Give a member another role, keeping at least one owner."""
    _lock_store(membership.store)
    membership = Membership.objects.select_related("user", "store").get(
        pk=membership.pk
    )
    if membership.role == Membership.Role.OWNER and role != Membership.Role.OWNER:
        roles = _remaining_roles(store=membership.store, without=membership)
        membership_roles_check(roles=[*roles, role])
    membership.role = role
    membership.save(update_fields=["role", "updated_at"])
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership, actor: User) -> None:
    """Remove a member from the store, keeping at least one owner."""
    _lock_store(membership.store)
    membership = Membership.objects.get(pk=membership.pk)
    if membership.role == Membership.Role.OWNER:
        membership_roles_check(
            roles=_remaining_roles(store=membership.store, without=membership)
        )
    membership.delete()
