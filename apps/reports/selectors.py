"""Reads for reports: a window's sales figures, and the stored reports.

Invariants:
- Figures come from aggregate queries only: a fixed number of queries (four)
  however many orders the window holds; no order is loaded into Python.
- An order is *placed* when it is created, *paid* at its ``paid_at`` and
  *refunded* at its ``refunded_at``; these timestamps are written with the
  order's ``paid`` and ``refunded`` timeline events, at the same instant. An
  order counts towards each figure on the day its own event happened: paid
  on Monday and refunded on Tuesday is a sale on Monday and a refund on Tuesday.
- Sales are orders paid in the window. A pending order has no payment and a
  cancelled one never had any (only pending orders are cancelled), so neither
  is a sale; both count as placed.
- Refunds are whole orders (refunding gives back the order's total).
- Only owners and managers read reports (``IsStoreManager`` in the views);
  every read here is scoped to one store.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, cast

from django.conf import settings
from django.db.models import Count, Exists, Max, Model, OuterRef, Q, QuerySet, Sum

from apps.core.money import quantize, total_output_field
from apps.core.selectors import first_or_404
from apps.orders.models import Order, OrderItem
from apps.stores.models import Store

from .days import day_window, local_date
from .models import DailySalesReport

ZERO = Decimal(0)


@dataclass(frozen=True, kw_only=True)
class SalesFigures:
    """The figures of one window of one store, in the store's currency."""

    currency: str
    orders_placed: int = 0
    orders_paid: int = 0
    gross_sales: Decimal = ZERO
    refunds: Decimal = ZERO
    items_sold: int = 0
    new_customers: int = 0
    top_products: list[dict[str, Any]] = field(default_factory=list)

    @property
    def net_sales(self) -> Decimal:
        return self.gross_sales - self.refunds

    @property
    def average_order_value(self) -> Decimal:
        if not self.orders_paid:
            return ZERO
        return quantize(self.gross_sales / self.orders_paid, self.currency)


def _between(name: str, start: datetime, end: datetime) -> Q:
    return Q(**{f"{name}__gte": start, f"{name}__lt": end})


def sales_figures(*, store: Store, start: datetime, end: datetime) -> SalesFigures:
    """Aggregate the store's orders placed, paid and refunded in [start, end)."""
    placed = _between("created_at", start, end)
    paid = _between("paid_at", start, end)
    refunded = _between("refunded_at", start, end)
    money = total_output_field()
    totals = (
        Order.objects.filter(store=store)
        .filter(placed | paid | refunded)
        .aggregate(
            orders_placed=Count("pk", filter=placed),
            orders_paid=Count("pk", filter=paid),
            gross_sales=Sum("total", filter=paid, output_field=money),
            refunds=Sum("total", filter=refunded, output_field=money),
        )
    )
    # The day's buyers first (one row each), then one index probe per buyer for
    # an earlier payment: probing per paid order instead would cost as many
    # probes as the day has orders.
    buyers = Order.objects.filter(paid, store=store).values("customer_id")
    paid_before = Order.objects.filter(
        store=store, customer=OuterRef("pk"), paid_at__lt=start
    )
    # Customer rows, reached through the order's relation (reports read the
    # customers app through orders only).
    customer_model = cast(type[Model], Order._meta.get_field("customer").related_model)
    new_customers = (
        customer_model._default_manager.filter(pk__in=buyers)
        .exclude(Exists(paid_before))
        .count()
    )
    sold = OrderItem.objects.filter(
        order__store=store, order__paid_at__gte=start, order__paid_at__lt=end
    )
    items_sold = sold.aggregate(units=Sum("quantity"))["units"] or 0
    top = (
        sold.values("sku")
        .annotate(
            name=Max("name"),
            quantity=Sum("quantity"),
            revenue=Sum("line_total", output_field=money),
        )
        .order_by("-revenue", "-quantity", "sku")[: settings.REPORTS_TOP_PRODUCTS]
    )
    currency = store.currency
    return SalesFigures(
        currency=currency,
        orders_placed=totals["orders_placed"],
        orders_paid=totals["orders_paid"],
        gross_sales=totals["gross_sales"] or ZERO,
        refunds=totals["refunds"] or ZERO,
        items_sold=items_sold,
        new_customers=new_customers,
        top_products=[
            {
                "sku": row["sku"],
                "name": row["name"],
                "quantity": row["quantity"],
                "revenue": str(quantize(row["revenue"], currency)),
            }
            for row in top
        ],
    )


@dataclass(frozen=True, kw_only=True)
class SalesSoFar(SalesFigures):
    """The figures of a store's current local day, from its midnight to ``as_of``."""

    date: date
    as_of: datetime


def sales_today(*, store: Store, now: datetime) -> SalesSoFar:
    """The store's figures of its local today, up to ``now`` (nothing is stored)."""
    day = local_date(at=now, timezone=store.timezone)
    start = day_window(day=day, timezone=store.timezone).start
    figures = sales_figures(store=store, start=start, end=now)
    return SalesSoFar(**vars(figures), date=day, as_of=now)


def daily_report_list(
    *, store: Store, date_from: date | None = None, date_to: date | None = None
) -> QuerySet[DailySalesReport]:
    """The store's daily reports, newest first, within the dates given."""
    queryset = DailySalesReport.objects.filter(store=store)
    if date_from is not None:
        queryset = queryset.filter(date__gte=date_from)
    if date_to is not None:
        queryset = queryset.filter(date__lte=date_to)
    return queryset.order_by("-date")


def daily_report_get(*, store: Store, day: date) -> DailySalesReport:
    """The store's report of ``day``, or 404."""
    return first_or_404(DailySalesReport.objects.filter(store=store, date=day))
