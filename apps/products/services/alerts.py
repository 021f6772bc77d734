"""Daily inventory emails to a store's team, recorded in the outbox.

Invariants:
- Nothing here changes stock. A drifted ledger is reported to the store's
  owners, never "fixed": the difference is a fact someone must explain, and a
  correction is a stock adjustment made by a person, with its note.
- One email per store, kind and day, whatever the number of runs: the outbox
  deduplication key carries the store and the day (UTC for the drift check,
  the store's own calendar day for the digest), so a rerun, a second worker or
  an operator's command records nothing new.
- Each store's message is recorded in its own transaction: a failure for one
  store does not undo the others'.
"""

from datetime import date, datetime
from uuid import UUID
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from apps.core.outbox import outbox_enqueue
from apps.stores.models import Store

from ..emails import LOW_STOCK_DIGEST, STOCK_DRIFT
from ..selectors import products_low_on_stock, stock_reconciliation


def _record(*, kind: str, key: str, store_id: UUID, day: date) -> None:
    with transaction.atomic():
        outbox_enqueue(
            kind=kind,
            dedup_key=f"{key}:{store_id}:{day.isoformat()}",
            payload={"store_id": str(store_id), "date": day.isoformat()},
        )


def stock_drift_alerts_send(*, now: datetime | None = None) -> list[UUID]:
    """Alert the owners of each store whose ledger drifted; return those stores."""
    day = (now or timezone.now()).date()
    store_ids = sorted(
        set(stock_reconciliation().values_list("store_id", flat=True).distinct())
    )
    for store_id in store_ids:
        _record(kind=STOCK_DRIFT, key="stock-drift", store_id=store_id, day=day)
    return store_ids


def low_stock_digests_send(*, now: datetime | None = None) -> list[UUID]:
    """Email each store with products low on stock its digest; return those stores."""
    moment = now or timezone.now()
    stores = Store.objects.filter(
        pk__in=products_low_on_stock().values("store_id")
    ).order_by("pk")
    sent = []
    for store in stores.only("pk", "timezone"):
        day = moment.astimezone(ZoneInfo(store.timezone)).date()
        _record(
            kind=LOW_STOCK_DIGEST, key="low-stock-digest", store_id=store.pk, day=day
        )
        sent.append(store.pk)
    return sent
