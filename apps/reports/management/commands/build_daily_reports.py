"""Build (or rebuild) one store's daily sales reports over a range of dates."""

from datetime import date, timedelta
from typing import IO, Any, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from rich.console import Console
from rich.progress import Progress

from apps.reports.days import last_ended_day
from apps.reports.services import daily_sales_report_build
from apps.stores.models import Store


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"{text!r} is not a date as YYYY-MM-DD.") from exc


class Command(BaseCommand):
    help = (
        "Backfill a store's daily sales reports from --from to --to (store-local "
        "dates, both included). Each day is upserted; no email is sent."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--store", required=True, help="The store's slug.")
        parser.add_argument(
            "--from", dest="date_from", required=True, help="First day, YYYY-MM-DD."
        )
        parser.add_argument(
            "--to",
            dest="date_to",
            help="Last day, YYYY-MM-DD (default: the store's last ended day).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        store = Store.objects.filter(slug=options["store"]).first()
        if store is None:
            raise CommandError(f"No store has the slug {options['store']!r}.")
        now = timezone.now()
        last = last_ended_day(now=now, timezone=store.timezone)
        date_from = _date(options["date_from"])
        date_to = _date(options["date_to"]) if options["date_to"] else last
        if date_from > date_to:
            raise CommandError("--from must not come after --to.")
        if date_to > last:
            raise CommandError(
                f"{date_to:%Y-%m-%d} has not ended in {store.timezone}; the last "
                f"day that has is {last:%Y-%m-%d}."
            )
        days = [
            date_from + timedelta(days=n) for n in range((date_to - date_from).days + 1)
        ]
        # The bar goes to stderr: stdout keeps the one summary line.
        console = Console(file=cast(IO[str], self.stderr))
        with Progress(console=console) as progress:
            bar = progress.add_task(f"{store.slug}", total=len(days))
            for day in days:
                daily_sales_report_build(store=store, day=day, now=now)
                progress.advance(bar)
        self.stdout.write(
            f"Built {len(days)} daily report(s) of {store.slug}, "
            f"{date_from:%Y-%m-%d} to {date_to:%Y-%m-%d}."
        )
