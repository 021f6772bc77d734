"""Check that every product's stock ledger sums to its stock on hand."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from apps.products.selectors import stock_reconciliation


class Command(BaseCommand):
    help = (
        "List products whose stock movements do not sum to their stock (exit 1 if any)."
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
        if count:
            raise CommandError(f"{count} product(s) drifted from their stock ledger.")
        self.stdout.write("Every product's ledger sums to its stock.")
