"""Outbox delivery and purge on the workers, and the retry policy tasks share.

Neither delivery task retries through Celery: a failed attempt is recorded on
the outbox row, with its backoff, and the relay makes the next one. The daily
purge deletes by age, so a second run finds nothing left (``manage.py
purge_outbox`` does the same on demand).

Other tasks retry on transient errors only (``RETRY_ON_TRANSIENT_ERRORS``): the
database or the broker could not be reached, a lock wait or a statement timed
out, a deadlock was broken. A bug or a broken business rule is not retried: it
fails once, loudly, and the next scheduled run finds the same work again.
"""

import logging
from dataclasses import asdict
from typing import Any

import kombu.exceptions
from celery import shared_task
from django.db import InterfaceError, OperationalError

logger = logging.getLogger(__name__)

# django.db.OperationalError covers a lost or refused connection, lock_timeout,
# statement_timeout and a detected deadlock; InterfaceError a connection closed
# under the task; kombu's OperationalError a broker that cannot be reached.
TRANSIENT_ERRORS = (OperationalError, InterfaceError, kombu.exceptions.OperationalError)
RETRY_ON_TRANSIENT_ERRORS: dict[str, Any] = {
    "autoretry_for": TRANSIENT_ERRORS,
    "retry_backoff": 5,  # 5 s, 10 s, 20 s ... with full jitter
    "retry_backoff_max": 300,
    "retry_jitter": True,
    "max_retries": 5,
}


@shared_task(name="core.deliver_outbox_message", time_limit=60, soft_time_limit=45)
def deliver_outbox_message(*, message_id: str) -> None:
    """Deliver one outbox message, enqueued right after the commit that made it."""
    from .outbox import outbox_deliver

    outcome = outbox_deliver(message_id=message_id)
    logger.info(
        "outbox message handled",
        extra={"outbox_message_id": message_id, "outcome": outcome or "skipped"},
    )


@shared_task(name="core.relay_outbox", time_limit=300, soft_time_limit=270)
def relay_outbox() -> None:
    """Deliver a batch of due pending outbox messages (run by beat)."""
    from django.conf import settings

    from .outbox import outbox_relay

    report = outbox_relay(limit=settings.OUTBOX_RELAY_BATCH_SIZE)
    logger.info("outbox relay run", extra=asdict(report))


@shared_task(
    name="core.purge_outbox",
    time_limit=600,
    soft_time_limit=540,
    **RETRY_ON_TRANSIENT_ERRORS,
)
def purge_outbox() -> None:
    """Delete the outbox messages delivered before their retention (daily)."""
    from .outbox import outbox_purge

    deleted = outbox_purge()
    logger.info("outbox messages purged", extra={"deleted": deleted})
