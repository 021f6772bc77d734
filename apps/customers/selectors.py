"""Reads on customers and their addresses.

Invariants:
- Every read starts from the store: a customer of another store does not
  exist (404). Store members see all the store's customers; anybody else sees
  at most the customer linked to their own account.
- An address is reached only through its customer, so it has its customer's
  visibility: another customer's address is a 404 too.
- Statistics (``order_count``, ``total_spent``, ``last_order_at``, ``tier``)
  are annotations of the same query, never a query per customer. They are
  computed over the reverse relation ``orders``, which the orders app adds to
  ``Customer``: this app never imports orders (ADR 0011). Until that relation
  exists, every customer has no orders and is ``bronze``.
"""

from collections.abc import Mapping
from decimal import Decimal
from typing import Any, cast
from uuid import UUID

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import FieldDoesNotExist
from django.db.models import (
    Case,
    CharField,
    Count,
    DateTimeField,
    Exists,
    F,
    ForeignObjectRel,
    IntegerField,
    Max,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.db.models.lookups import GreaterThanOrEqual

from apps.core.money import total_output_field
from apps.core.selectors import first_or_404
from apps.stores.models import Membership, Store
from apps.users.models import User

from .models import Address, Customer, Tier

# --- Statistics ------------------------------------------------------------------

ORDERS_RELATION = "orders"
# Orders whose money the store has received and kept: they count as spent.
# (Pending orders are not paid yet; cancelled and refunded ones gave it back.)
PAYING_ORDER_STATUSES = ("paid", "shipped", "delivered")
ORDER_TOTAL_FIELD = "total"
ORDER_STATUS_FIELD = "status"
ORDER_PLACED_AT_FIELD = "created_at"


# The least total spent (store currency) to reach each tier above bronze.
# Override with the CUSTOMER_TIER_THRESHOLDS setting.
DEFAULT_TIER_THRESHOLDS: Mapping[str, Decimal | int | str] = {
    Tier.SILVER: Decimal("100"),
    Tier.GOLD: Decimal("500"),
    Tier.PLATINUM: Decimal("2000"),
}


def tier_thresholds() -> list[tuple[str, Decimal]]:
    """The tiers above bronze with their thresholds, highest first."""
    configured = getattr(settings, "CUSTOMER_TIER_THRESHOLDS", DEFAULT_TIER_THRESHOLDS)
    known = set(Tier.values) - {Tier.BRONZE}
    unknown = set(configured) - known
    if unknown:
        raise ValueError(f"CUSTOMER_TIER_THRESHOLDS has unknown tiers: {unknown}")
    thresholds = [(tier, Decimal(str(amount))) for tier, amount in configured.items()]
    return sorted(thresholds, key=lambda item: item[1], reverse=True)


def tier_expression(total_spent: Any = None) -> Case:
    """A SQL expression naming the tier a total spent reaches (default: annotation)."""
    amount = F("total_spent") if total_spent is None else total_spent
    return Case(
        *[
            When(
                GreaterThanOrEqual(
                    amount, Value(threshold, output_field=total_output_field())
                ),
                then=Value(tier),
            )
            for tier, threshold in tier_thresholds()
        ],
        default=Value(Tier.BRONZE),
        output_field=CharField(),
    )


def _orders_relation() -> ForeignObjectRel | None:
    """The reverse relation from Customer to its orders, once an app adds it."""
    try:
        field = Customer._meta.get_field(ORDERS_RELATION)
    except FieldDoesNotExist:
        return None
    return field if isinstance(field, ForeignObjectRel) else None


def customer_statistics() -> dict[str, Any]:
    """Annotations with each customer's order statistics, by name.

    Each statistic is a correlated subquery over the customer's orders rather
    than a JOIN with GROUP BY: a page of 25 customers aggregates the orders of
    those 25 only, and one statistic can never multiply the rows of another.
    """
    relation = _orders_relation()
    if relation is None:
        return {
            "order_count": Value(0, output_field=IntegerField()),
            "total_spent": Value(Decimal("0"), output_field=total_output_field()),
            "last_order_at": Value(None, output_field=DateTimeField()),
        }
    model = cast("type[Model]", relation.related_model)
    customer_field = relation.field.name
    orders = (
        model._default_manager.filter(**{customer_field: OuterRef("pk")})
        .order_by()
        .values(customer_field)
    )
    paying = orders.filter(**{f"{ORDER_STATUS_FIELD}__in": PAYING_ORDER_STATUSES})
    count = orders.annotate(value=Count("pk")).values("value")
    spent = paying.annotate(value=Sum(ORDER_TOTAL_FIELD)).values("value")
    last = orders.annotate(value=Max(ORDER_PLACED_AT_FIELD)).values("value")
    return {
        "order_count": Coalesce(Subquery(count, output_field=IntegerField()), Value(0)),
        "total_spent": Coalesce(
            Subquery(spent, output_field=total_output_field()),
            Value(Decimal("0"), output_field=total_output_field()),
        ),
        "last_order_at": Subquery(last, output_field=DateTimeField()),
    }


def customer_annotate(queryset: QuerySet[Customer]) -> QuerySet[Customer]:
    """Add ``order_count``, ``total_spent``, ``last_order_at`` and ``tier``."""
    return queryset.annotate(**customer_statistics()).annotate(tier=tier_expression())


# --- Customers -------------------------------------------------------------------


def customer_list(*, store: Store, actor: User | AnonymousUser) -> QuerySet[Customer]:
    """The store's customers the actor may see, with their statistics."""
    if not actor.is_authenticated:
        return Customer.objects.none()
    is_member = Exists(Membership.objects.filter(store=store, user=actor))
    queryset = Customer.objects.filter(store=store).filter(is_member | Q(user=actor))
    return customer_annotate(queryset.select_related("store"))


def customer_get(
    *, store: Store, actor: User | AnonymousUser, customer_id: UUID
) -> Customer:
    """One customer of the store that the actor may see, or 404."""
    return first_or_404(customer_list(store=store, actor=actor).filter(pk=customer_id))


def customer_get_own(*, store: Store, user: User) -> Customer:
    """The customer of this store linked to the user's account, or 404."""
    queryset = customer_annotate(
        Customer.objects.filter(store=store, user=user).select_related("store")
    )
    return first_or_404(queryset)


# --- Addresses -------------------------------------------------------------------


def address_list(*, customer: Customer) -> QuerySet[Address]:
    """A customer's addresses, newest first (at most ``ADDRESS_LIMIT``)."""
    return Address.objects.filter(customer=customer)


def address_get(*, customer: Customer, address_id: UUID) -> Address:
    """One address of this customer, or 404 (never another customer's)."""
    return first_or_404(address_list(customer=customer).filter(pk=address_id))
