"""Scheduled report building: a thin wrapper around ``apps.reports.services``.

Beat runs it hourly, since each store's day ends at its own local midnight.
A run that meets a transient error (database or broker unreachable) is retried
with backoff like every periodic task; a store whose build failed otherwise has
no report for its day, so the next hourly run builds it. Building is an upsert
and the email is keyed per store and date, so a repeated run adds nothing.
"""

import logging

from celery import shared_task

from apps.core.tasks import RETRY_ON_TRANSIENT_ERRORS

logger = logging.getLogger(__name__)


@shared_task(
    name="reports.build_daily_reports",
    time_limit=900,
    soft_time_limit=840,
    **RETRY_ON_TRANSIENT_ERRORS,
)
def build_daily_reports() -> None:
    """Build and email yesterday's report of every store whose local day ended."""
    from .services import daily_reports_build_due

    reports = daily_reports_build_due()
    logger.info("daily reports built", extra={"reports": len(reports)})
