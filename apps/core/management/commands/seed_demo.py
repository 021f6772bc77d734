"""Load the demo data of every app, idempotently.

Each app that has demo data exposes ``<app>/demo.py`` with a ``seed()`` that
returns lines to print. Apps are seeded in ``INSTALLED_APPS`` order, which is
their dependency order, so core never has to import a domain app.
"""

from importlib import import_module
from importlib.util import find_spec
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction


class Command(BaseCommand):
    help = "Create or refresh the demo data (safe to run any number of times)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--base-url",
            default="http://127.0.0.1:8000",
            help="Where the server will answer, for the URLs printed at the end.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        lines: list[str] = []
        with transaction.atomic():
            for config in apps.get_app_configs():
                module_name = f"{config.name}.demo"
                if (
                    not config.name.startswith("apps.")
                    or find_spec(module_name) is None
                ):
                    continue
                lines.extend(import_module(module_name).seed())
        base = options["base_url"].rstrip("/")
        lines += [
            "",
            f"  API:       {base}/api/v1/",
            f"  API docs:  {base}/api/docs/  (ReDoc: {base}/api/redoc/)",
            f"  Admin:     {base}/{settings.ADMIN_URL}",
            f"  Health:    {base}/health/ready/",
            "",
        ]
        for line in lines:
            self.stdout.write(line)
