"""Periodic account work on the workers: thin wrappers around the services.

Deleting expired token records is idempotent: a second run finds nothing left.
Operators run the same with ``manage.py flushexpiredtokens`` (simplejwt).
"""

import logging

from celery import shared_task

from apps.core.tasks import RETRY_ON_TRANSIENT_ERRORS

logger = logging.getLogger(__name__)


@shared_task(
    name="users.flush_expired_tokens",
    time_limit=600,
    soft_time_limit=540,
    **RETRY_ON_TRANSIENT_ERRORS,
)
def flush_expired_tokens() -> None:
    """Delete the outstanding and blacklisted records of expired tokens (daily)."""
    from .services import tokens_flush_expired

    deleted = tokens_flush_expired()
    logger.info("expired token records deleted", extra={"deleted": deleted})
