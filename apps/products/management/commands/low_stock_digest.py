"""Email each store's team its low-stock digest, as the daily task does."""

from typing import Any

from django.core.management.base import BaseCommand

from apps.products.services import low_stock_digests_send


class Command(BaseCommand):
    help = (
        "Email each store's owners, managers and staff the active products at or "
        "below their low-stock threshold (once per store and local day)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        stores = low_stock_digests_send()
        self.stdout.write(f"Low-stock digest recorded for {len(stores)} store(s).")
