"""Deliver the outbox messages that are due now, as the periodic relay does."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from apps.core.models import OutboxMessage
from apps.core.outbox import DeliveryReport, outbox_relay, outbox_retry


class Command(BaseCommand):
    help = (
        "Deliver every due pending outbox message now and print a summary; "
        "--retry-dead also retries the dead ones."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--limit",
            type=int,
            default=None,
            help="Handle at most this many due messages (default: all of them).",
        )
        parser.add_argument(
            "--retry-dead",
            action="store_true",
            help="Then make one more attempt at every dead message.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        report = outbox_relay(limit=options["limit"])
        self.stdout.write(f"Due messages: {_summary(report)}")
        if options["retry_dead"]:
            dead = OutboxMessage.objects.filter(status=OutboxMessage.Status.DEAD)
            report = outbox_retry(
                message_ids=list(dead.order_by("id").values_list("pk", flat=True))
            )
            self.stdout.write(f"Dead messages retried: {_summary(report)}")


def _summary(report: DeliveryReport) -> str:
    return (
        f"{report.delivered} delivered, {report.failed} failed (will be retried), "
        f"{report.dead} dead"
    )
