"""Periodic order work on the workers: thin wrappers around the services.

Both tasks are idempotent: expiry claims each order under ``SKIP LOCKED`` and
re-checks it under the row lock, and the purge deletes by age. Beat runs them
(``CELERY_BEAT_SCHEDULE``); ``manage.py expire_orders`` and
``manage.py purge_idempotency_keys`` do the same on demand.
"""

import logging

from celery import shared_task

from apps.core.tasks import RETRY_ON_TRANSIENT_ERRORS

logger = logging.getLogger(__name__)


@shared_task(
    name="orders.expire_unpaid_orders",
    time_limit=60,
    soft_time_limit=50,
    **RETRY_ON_TRANSIENT_ERRORS,
)
def expire_unpaid_orders() -> None:
    """Cancel a batch of pending orders past their payment deadline (every minute)."""
    from django.conf import settings

    from .services import orders_expire_due

    report = orders_expire_due(limit=settings.ORDER_EXPIRY_BATCH_SIZE)
    logger.info(
        "unpaid orders expired",
        extra={"expired": report.expired, "refused": len(report.refused)},
    )


@shared_task(
    name="orders.purge_idempotency_keys",
    time_limit=600,
    soft_time_limit=540,
    **RETRY_ON_TRANSIENT_ERRORS,
)
def purge_idempotency_keys() -> None:
    """Delete the Idempotency-Key records past their retention (daily)."""
    from .services import idempotency_keys_purge

    deleted = idempotency_keys_purge()
    logger.info("idempotency keys purged", extra={"deleted": deleted})
