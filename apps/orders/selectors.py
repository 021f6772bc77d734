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

from django.db import connection
from django.db.models import Count, Prefetch, QuerySet, Sum

from apps.core.db.cursors import read_timestamps_in_c
from apps.core.money import total_output_field
from apps.core.selectors import first_or_404
from apps.customers.models import Customer
from apps.stores.selectors import StoreAccess

from .models import Order, OrderEvent

# What a row of the order list holds, as ``.values()`` names it, and the column
# of the written-out page statement (order_list_page) that reads it.
ORDER_LIST_COLUMNS = {
    "id": "o.id",
    "number": "o.number",
    "status": "o.status",
    "currency": "o.currency",
    "subtotal": "o.subtotal",
    "total": "o.total",
    "item_count": "o.item_count",
    "customer_id": "o.customer_id",
    "customer__email": "c.email",
    "customer__first_name": "c.first_name",
    "customer__last_name": "c.last_name",
    "created_at": "o.created_at",
    "expires_at": "o.expires_at",
}
ORDER_LIST_FIELDS = tuple(ORDER_LIST_COLUMNS)


def order_list(*, access: StoreAccess) -> QuerySet[Order]:
    """The store's orders the caller may see, newest first."""
    queryset = Order.objects.filter(store=access.store)
    if not access.is_member:
        if access.user is None:
            return queryset.none()
        queryset = queryset.filter(customer__user=access.user)
    return queryset.select_related("customer").order_by("-id")


def order_list_page(
    *, access: StoreAccess, position: str | None, backwards: bool, limit: int
) -> list[dict[str, Any]]:
    """``limit`` rows (``ORDER_LIST_FIELDS``) of ``order_list``, next to ``position``.

    Newest first, the orders older than ``position`` (from the newest when it
    is None); ``backwards``, those newer than it, oldest first. For
    ``CursorPagination.paginate_rows``.

    The unfiltered list is the API's most requested page, so on PostgreSQL
    its statement is written out: building and compiling it with the ORM took
    0.5 ms of a 2.6 ms request (0.97 vs 0.43 ms for the page, in-process on
    the benchmark database; docs/performance.md). Other databases read the
    same rows through ``order_list``; apps/orders/tests/test_list_pages.py
    holds the two paths to the same pages.
    """
    after = None if position is None else Order._meta.pk.to_python(position)
    caller = None if access.is_member else access.user
    if connection.vendor != "postgresql" or (caller is None and not access.is_member):
        queryset = order_list(access=access).values(*ORDER_LIST_FIELDS)
        if after is not None:
            queryset = queryset.filter(**{"id__gt" if backwards else "id__lt": after})
        return list(queryset.order_by("id" if backwards else "-id")[:limit])
    quote = connection.ops.quote_name
    where, params = ["o.store_id = %s"], [access.store.pk]
    if caller is not None:
        where.append("c.user_id = %s")
        params.append(caller.pk)
    if after is not None:
        where.append("o.id > %s" if backwards else "o.id < %s")
        params.append(after)
    sql = (
        f"SELECT {', '.join(ORDER_LIST_COLUMNS.values())}"  # noqa: S608 - no input
        f" FROM {quote(Order._meta.db_table)} o"
        f" JOIN {quote(Customer._meta.db_table)} c ON c.id = o.customer_id"
        f" WHERE {' AND '.join(where)}"
        f" ORDER BY o.id {'ASC' if backwards else 'DESC'} LIMIT %s"
    )
    with connection.cursor() as cursor:
        read_timestamps_in_c(cursor)
        cursor.execute(sql, [*params, limit])
        # fetchall(), not the cursor's iterator: one call for the page rather
        # than one per row (0.1 ms of a page of 25, in-process).
        rows = cursor.fetchall()
    return [dict(zip(ORDER_LIST_FIELDS, row, strict=True)) for row in rows]


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
