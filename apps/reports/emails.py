"""The daily summary email to a store's owners and managers, through the outbox.

``daily_sales_report_build`` records it in the same transaction as the report
(``daily_summary_enqueue``), under one key per store and date, so a day built
again sends nothing more. The handler reads the report as it is at sending
time and writes to the owners and managers the store has then.
"""

import logging
from typing import Any

from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from apps.core.models import OutboxMessage
from apps.core.money import format_amount
from apps.core.outbox import outbox_enqueue, outbox_message_id
from apps.stores.models import Membership
from apps.stores.selectors import membership_list

from .models import DailySalesReport

logger = logging.getLogger(__name__)

DAILY_SUMMARY = "reports.daily_summary"
RECIPIENT_ROLES = (Membership.Role.OWNER, Membership.Role.MANAGER)


def daily_summary_key(report: DailySalesReport) -> str:
    return f"daily-report:{report.store_id}:{report.date:%Y-%m-%d}"


def daily_summary_enqueue(*, report: DailySalesReport) -> None:
    """Record the summary email in the outbox, inside the caller's transaction."""
    outbox_enqueue(
        kind=DAILY_SUMMARY,
        dedup_key=daily_summary_key(report),
        payload={"report_id": str(report.pk)},
    )


def _context(report: DailySalesReport) -> dict[str, Any]:
    def money(amount: Any) -> str:
        return format_amount(amount, report.currency)

    return {
        "report": report,
        "store": report.store,
        "gross_sales": money(report.gross_sales),
        "refunds": money(report.refunds),
        "net_sales": money(report.net_sales),
        "average_order_value": money(report.average_order_value),
        "top_products": [
            {**row, "revenue": f"{row['revenue']} {report.currency}"}
            for row in report.top_products
        ],
    }


def daily_summary_email(
    *, report: DailySalesReport, to: list[str], message_id: str
) -> EmailMultiAlternatives:
    """The summary of ``report`` addressed to ``to``, with text and HTML parts."""
    context = _context(report)
    email = EmailMultiAlternatives(
        subject=f"{report.store.name}: sales of {report.date:%A %d %B %Y}",
        body=render_to_string("reports/email/daily_summary.txt", context),
        to=to,
        headers={"Message-ID": message_id},
    )
    email.attach_alternative(
        render_to_string("reports/email/daily_summary.html", context), "text/html"
    )
    return email


def daily_summary_deliver(message: OutboxMessage) -> None:
    """Outbox handler of the daily summary (SMTP errors propagate: retried)."""
    report = (
        DailySalesReport.objects.select_related("store")
        .filter(pk=message.payload["report_id"])
        .first()
    )
    if report is None:
        logger.info("daily summary skipped: no report", extra=dict(message.payload))
        return
    recipients = sorted(
        membership_list(store=report.store)
        .filter(role__in=RECIPIENT_ROLES, user__is_active=True)
        .values_list("user__email", flat=True)
    )
    if not recipients:
        logger.info(
            "daily summary skipped: nobody to tell", extra=dict(message.payload)
        )
        return
    daily_summary_email(
        report=report, to=recipients, message_id=outbox_message_id(message.dedup_key)
    ).send()
    logger.info(
        "daily summary sent",
        extra={"report_id": str(report.pk), "recipients": len(recipients)},
    )
