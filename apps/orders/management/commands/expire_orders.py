"""Expire the unpaid orders past their payment deadline, as the periodic task does."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from apps.orders.services import orders_expire_due


class Command(BaseCommand):
    help = (
        "Cancel every pending order past its payment deadline and return its stock "
        "(safe to run while the workers do the same)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--limit",
            type=int,
            default=None,
            help="Expire at most this many orders (default: all that are due).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        report = orders_expire_due(limit=options["limit"])
        self.stdout.write(f"{report.expired} order(s) expired.")
        for order_id in report.refused:
            self.stderr.write(f"Order {order_id} could not be expired (see the log).")
