"""Delete the delivered outbox messages past their retention, as the daily task does."""

from typing import Any

from django.core.management.base import BaseCommand

from apps.core.outbox import outbox_purge, outbox_retention_days


class Command(BaseCommand):
    help = (
        "Delete the outbox messages delivered more than OUTBOX_RETENTION_DAYS "
        "ago (7 at least); pending and dead messages are kept."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = outbox_purge()
        days = outbox_retention_days()
        self.stdout.write(
            f"{deleted} delivered message(s) older than {days} days deleted."
        )
