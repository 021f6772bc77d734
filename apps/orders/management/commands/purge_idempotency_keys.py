"""Delete the Idempotency-Key records past their retention, as the daily task does."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from apps.orders.services import idempotency_keys_purge


class Command(BaseCommand):
    help = (
        "Delete the Idempotency-Key records older than "
        "IDEMPOTENCY_KEY_RETENTION_HOURS (24 at least)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = idempotency_keys_purge()
        hours = max(int(settings.IDEMPOTENCY_KEY_RETENTION_HOURS), 24)
        self.stdout.write(f"{deleted} key(s) older than {hours} hours deleted.")
