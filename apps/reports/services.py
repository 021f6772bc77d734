"""Building daily sales reports, one store and one store-local day at a time.

Invariants:
- A report is built from the orders by aggregate queries
  (``apps.reports.selectors.sales_figures``): the number of queries is the
  same for ten orders or a hundred thousand.
- Building is an upsert on (store, date): building a day again leaves one row,
  with the figures the orders give now.
- Only a day that has ended in the store's time zone is built (``DayNotEnded``
  otherwise): a stored report is never a partial day. The scheduled run also
  waits ``SETTLE`` past local midnight, so that a payment committing across
  midnight is in the report of the day it carries.
- The summary email to the store's owners and managers is recorded in the
  outbox in the same transaction as the report, under the key
  ``daily-report:<store id>:<date>``: one email per store and date, however
  often the day is built.
"""

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from apps.core.exceptions import ConflictError
from apps.stores.models import Store

from .days import day_window, last_ended_day
from .emails import daily_summary_enqueue
from .models import DailySalesReport
from .selectors import sales_figures

logger = logging.getLogger(__name__)

# How long after a store's local midnight the scheduled run builds its day.
SETTLE = timedelta(minutes=5)


class DayNotEnded(ConflictError):
    default_code = "day_not_ended"


@transaction.atomic
def daily_sales_report_build(
    *, store: Store, day: date, now: datetime | None = None, notify: bool = False
) -> DailySalesReport:
    """Build (or rebuild) the store's report of ``day``; email it when ``notify``."""
    window = day_window(day=day, timezone=store.timezone)
    now = now or timezone.now()
    if window.end > now:
        raise DayNotEnded(
            f"{day:%Y-%m-%d} has not ended in {store.timezone} yet; its report "
            f"can be built from {window.end:%Y-%m-%d %H:%M} UTC."
        )
    figures = sales_figures(store=store, start=window.start, end=window.end)
    report, _ = DailySalesReport.objects.update_or_create(
        store=store,
        date=day,
        defaults={
            "currency": figures.currency,
            "orders_placed": figures.orders_placed,
            "orders_paid": figures.orders_paid,
            "gross_sales": figures.gross_sales,
            "refunds": figures.refunds,
            "net_sales": figures.net_sales,
            "average_order_value": figures.average_order_value,
            "items_sold": figures.items_sold,
            "new_customers": figures.new_customers,
            "top_products": figures.top_products,
        },
    )
    if notify:
        daily_summary_enqueue(report=report)
    return report


@dataclass(frozen=True)
class DueDay:
    store: Store
    day: date


def daily_reports_due(*, now: datetime) -> list[DueDay]:
    """Each store's last ended local day, where it has no report yet.

    A store created after that day ended has nothing to report for it.
    """
    settled = now - SETTLE
    stores = list(Store.objects.order_by("pk"))
    days = {
        store.pk: last_ended_day(now=settled, timezone=store.timezone)
        for store in stores
    }
    built = set(
        DailySalesReport.objects.filter(date__in=set(days.values())).values_list(
            "store_id", "date"
        )
    )
    return [
        DueDay(store=store, day=days[store.pk])
        for store in stores
        if (store.pk, days[store.pk]) not in built
        and store.created_at
        < day_window(day=days[store.pk], timezone=store.timezone).end
    ]


def daily_reports_build_due(*, now: datetime | None = None) -> list[DailySalesReport]:
    """Build and email the report of every store whose local day has ended.

    One store failing does not hold up the others: it is logged, and its day
    is still due at the next run.
    """
    now = now or timezone.now()
    reports = []
    for due in daily_reports_due(now=now):
        try:
            reports.append(
                daily_sales_report_build(
                    store=due.store, day=due.day, now=now, notify=True
                )
            )
        except Exception:
            logger.exception(
                "daily report failed",
                extra={"store_id": str(due.store.pk), "date": due.day.isoformat()},
            )
    return reports
