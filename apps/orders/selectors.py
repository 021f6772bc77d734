"""Reads on orders.

Invariants:
- Members of the store (owner, manager, staff) see all its orders; any other
  signed-in caller sees only the orders of their own customer profile in this
  store. Another customer's order, or another store's, does not exist (404).
- Lists load the customer with the order (one query per page); a detail loads
  its lines and its timeline in one query each, whatever their number.
"""

from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.db.models import Count, Prefetch, QuerySet, Sum

from apps.core.money import total_output_field
from apps.core.selectors import first_or_404
from apps.stores.selectors import StoreAccess

from .models import Order, OrderEvent


def order_list(*, access: StoreAccess) -> QuerySet[Order]:
    """The store's orders the caller may see, newest first."""
    queryset = Order.objects.filter(store=access.store)
    if not access.is_member:
        if access.user is None:
            return queryset.none()
        queryset = queryset.filter(customer__user=access.user)
    return queryset.select_related("customer").order_by("-id")


def order_get(*, access: StoreAccess, order_id: UUID) -> Order:
    """One order the caller may see, with its lines and timeline, or 404."""
    events = OrderEvent.objects.select_related("actor").order_by("id")
    return first_or_404(
        order_list(access=access)
        .filter(pk=order_id)
        .prefetch_related("items", Prefetch("events", queryset=events))
    )


def order_summary(queryset: QuerySet[Order]) -> list[dict[str, Any]]:
    """Orders and their sum per status, for a filtered set of one store's orders."""
    rows = (
        queryset.order_by()
        .values("status")
        .annotate(
            count=Count("pk"), total=Sum("total", output_field=total_output_field())
        )
    )
    found = {row["status"]: row for row in rows}
    return [
        {
            "status": status,
            "count": found.get(status, {}).get("count", 0),
            "total": found.get(status, {}).get("total") or Decimal(0),
        }
        for status in Order.Status.values
    ]


def orders_expired(*, now: datetime) -> QuerySet[Order]:
    """Pending orders past their payment deadline (the partial index serves it)."""
    return Order.objects.filter(status=Order.Status.PENDING, expires_at__lte=now)
