"""Check that every product's stock ledger sums to its stock on hand."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.products.selectors import stock_reconciliation
from apps.products.services import stock_drift_alerts_send


class Command(BaseCommand):
    help = (
        "List products whose stock movements do not sum to their stock (exit 1 if "
        "any); --alert also emails the owners of each such store, as the daily "
        "task does. Stock is never changed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--alert",
            action="store_true",
            help="Email the owners of each drifted store (once per store and day).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        drifted = (
            stock_reconciliation()
            .select_related("store")
            .order_by("store__slug", "sku")
        )
        count = 0
        for product in drifted:
            count += 1
            self.stdout.write(
                f"{product.store.slug} {product.sku}: stock {product.stock_quantity}, "
                f"ledger {getattr(product, 'ledger_total')}"  # noqa: B009 - an annotation
            )
        if count and options["alert"]:
            stores = stock_drift_alerts_send()
            self.stdout.write(f"Owners of {len(stores)} store(s) alerted.")
        if count:
            raise CommandError(f"{count} product(s) drifted from their stock ledger.")
        self.stdout.write("Every product's ledger sums to its stock.")
