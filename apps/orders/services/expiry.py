"""Unpaid orders past their deadline are expired by the system.

Invariants:
- One order per transaction. Each one is claimed with ``SELECT ... FOR UPDATE
  SKIP LOCKED``: two runs at once (overlapping beat ticks, several workers)
  never wait on each other and never expire the same order twice; an order
  that a payment or a cancellation holds at that moment is left for the next
  run. Expiry gives stock back, which locks product rows; holding one order
  at a time keeps those locks in the same order as placement's, so no run
  deadlocks with a buyer.
- The order is expired through ``order_expire``, which re-checks under the row
  lock that it is still pending and past ``expires_at``: an order paid a moment
  before is never touched. Stock returns through the products ledger, and the
  timeline gets an ``expired`` event.
- On SQLite (the embedded default) there are no row locks and no SKIP LOCKED:
  the claim is a plain read, and the re-check under ``order_expire`` still
  holds with the one writer SQLite allows at a time.
"""

import logging
from dataclasses import dataclass, field
from uuid import UUID

from django.db import transaction
from django.utils import timezone

from apps.core.exceptions import ApplicationError

from ..models import Order
from ..selectors import orders_expired
from .lifecycle import order_expire

logger = logging.getLogger(__name__)


@dataclass
class ExpiryReport:
    """What one run did: the orders it expired and those it had to leave."""

    expired: int = 0
    refused: list[UUID] = field(default_factory=list)


def orders_expire_due(*, limit: int | None = None) -> ExpiryReport:
    """Expire pending orders past their deadline, the oldest first (all if no limit)."""
    report = ExpiryReport()
    while limit is None or report.expired + len(report.refused) < limit:
        with transaction.atomic():
            order = (
                orders_expired(now=timezone.now())
                .select_for_update(skip_locked=True)
                .exclude(pk__in=report.refused)
                .order_by("expires_at", "pk")
                .only("pk")
                .first()
            )
            if order is None:
                break
            if _expire(order):
                report.expired += 1
            else:
                report.refused.append(order.pk)
    return report


def _expire(order: Order) -> bool:
    try:
        # A savepoint: a refused expiry leaves nothing behind.
        with transaction.atomic():
            order_expire(order=order)
    except ApplicationError as exc:
        # Not expected under the claim's lock; logged, and the run goes on.
        logger.warning(
            "order not expired",
            extra={"order_id": str(order.pk), "code": exc.code},
        )
        return False
    return True
