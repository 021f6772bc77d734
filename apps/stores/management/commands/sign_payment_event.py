"""Sign a payment event for a store, as its payment provider would.

For trying the payment webhook by hand: prints the three Standard Webhooks
headers and a curl command that sends the event, signed with the store's
current webhook secret. Nothing is stored or sent.
"""

import json
import shlex
from argparse import RawDescriptionHelpFormatter
from pathlib import Path
from typing import Any

from django.core.management.base import (
    BaseCommand,
    CommandError,
    CommandParser,
    DjangoHelpFormatter,
)
from django.http import Http404

from apps.stores.selectors import store_resolve
from apps.stores.webhooks import webhook_sign

EPILOG = """\
The body is signed exactly as given, byte for byte. The payment webhook reads
events of this shape:

  {"type": "payment.succeeded", "id": "<provider event id>",
   "data": {"order_number": "1001", "amount": "12.50", "currency": "EUR"}}

`id` is the provider's event id (each event is processed once), `amount` a
decimal string in the order's currency. The signature is valid for five minutes
from now: run the printed curl command before then, or sign again.

Example:
  manage.py sign_payment_event --store demo-coffee \\
    --body '{"type": "payment.succeeded", "id": "evt_1", "data": {...}}'
"""


class _HelpFormatter(DjangoHelpFormatter, RawDescriptionHelpFormatter):
    """Django's option order, with the epilog's layout kept."""


class Command(BaseCommand):
    help = (
        "Sign a JSON payment event with a store's webhook secret, and print the\n"
        "webhook-id, webhook-timestamp and webhook-signature headers and a curl\n"
        "command that sends the event to the store's payment webhook."
    )

    def create_parser(
        self, prog_name: str, subcommand: str, **kwargs: Any
    ) -> CommandParser:
        kwargs.setdefault("formatter_class", _HelpFormatter)
        kwargs.setdefault("epilog", EPILOG)
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--store",
            required=True,
            metavar="SLUG",
            help="The store whose current webhook secret signs the event.",
        )
        source = parser.add_mutually_exclusive_group(required=True)
        source.add_argument("--body", help="The event, as JSON text.")
        source.add_argument("--file", type=Path, help="A file holding the event JSON.")
        parser.add_argument(
            "--base-url",
            default="http://127.0.0.1:8000",
            help="Where the server answers (default: %(default)s).",
        )
        parser.add_argument(
            "--id",
            dest="msg_id",
            help="The webhook-id to sign (default: a new msg_<uuid>).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        slug: str = options["store"]
        try:
            store = store_resolve(slug=slug, user=None).store
        except Http404:
            raise CommandError(f"No store has the slug {slug!r}.") from None

        path: Path | None = options["file"]
        if path is not None:
            try:
                body = path.read_bytes()
            except OSError as exc:
                raise CommandError(f"Cannot read {path}: {exc.strerror}.") from exc
            data = f"@{path.resolve()}"
        else:
            body = options["body"].encode("utf-8", "surrogateescape")  # argv as given
            data = options["body"]
        try:
            json.loads(body.decode("utf-8"))
        except ValueError as exc:  # UnicodeDecodeError is one too
            raise CommandError(f"The body is not UTF-8 JSON: {exc}.") from exc
        if options["msg_id"] and "." in options["msg_id"]:
            raise CommandError("A webhook id must not contain '.'.")

        headers = webhook_sign(
            secret=store.webhook_secret, body=body, msg_id=options["msg_id"]
        )
        # The payment webhook's path, served by the orders app.
        url = (
            f"{options['base_url'].rstrip('/')}/api/v1/stores/{slug}/payments/webhook/"
        )
        for name, value in headers.items():
            self.stdout.write(f"{name}: {value}")
        self.stdout.write("")
        lines = [
            f"curl -sS -X POST {shlex.quote(url)}",
            f"-H {shlex.quote('Content-Type: application/json')}",
            *(
                f"-H {shlex.quote(f'{name}: {value}')}"
                for name, value in headers.items()
            ),
            f"--data-binary {shlex.quote(data)}",
        ]
        self.stdout.write(" \\\n  ".join(lines))
        self.stderr.write("The signature expires in five minutes: send it before then.")
