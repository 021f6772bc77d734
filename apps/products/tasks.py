"""Daily inventory checks on the workers: thin wrappers around the services.

Both record their emails in the outbox with a key per store and day, so a rerun
sends nothing twice; neither changes stock. They read every store's catalog,
so they run on the ``reports`` queue, away from user-facing mail. Operators run
the same with ``manage.py reconcile_stock --alert`` and
``manage.py low_stock_digest``.
"""

import logging

from celery import shared_task

from apps.core.tasks import RETRY_ON_TRANSIENT_ERRORS

logger = logging.getLogger(__name__)


@shared_task(
    name="products.reconcile_stock",
    time_limit=900,
    soft_time_limit=840,
    **RETRY_ON_TRANSIENT_ERRORS,
)
def reconcile_stock() -> None:
    """Compare each ledger with its stock; alert the owners of drifted stores."""
    from .services import stock_drift_alerts_send

    stores = stock_drift_alerts_send()
    log = logger.error if stores else logger.info
    log("stock reconciliation run", extra={"stores_with_drift": len(stores)})


@shared_task(
    name="products.send_low_stock_digests",
    time_limit=900,
    soft_time_limit=840,
    **RETRY_ON_TRANSIENT_ERRORS,
)
def send_low_stock_digests() -> None:
    """Email each store's team the products at or below their threshold (daily)."""
    from .services import low_stock_digests_send

    stores = low_stock_digests_send()
    logger.info("low-stock digests recorded", extra={"stores": len(stores)})
