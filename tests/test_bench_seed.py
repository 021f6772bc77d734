"""The benchmark seeder writes rows the application reads as its own.

``scripts/bench/seed.py`` writes with ``COPY`` and names every column itself,
so a model change it does not follow (a new NOT NULL column) breaks it; this
runs it small, then reads the result through the API and the stock ledger.
"""

import argparse

import pytest
from django.core.management import call_command
from rich.progress import Progress

from apps.orders.models import Order, OrderEvent
from apps.users.models import User

from .bench_scripts import load

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _seeder():
    return load("seed")


def _seed(seeder, **sizes):
    args = argparse.Namespace(seed=3, **sizes)
    with Progress(disable=True) as progress:
        return seeder.seed(args, progress)


def test_seeded_orders_read_through_the_api_and_the_ledger_reconciles(auth_client):
    seeder = _seeder()
    counts = _seed(seeder, orders=300, products=20, customers=50)
    assert (counts["orders"], counts["products"], counts["customers"]) == (300, 20, 50)
    assert Order.objects.count() == 300
    assert OrderEvent.objects.count() == counts["events"]
    call_command("reconcile_stock")  # exits 1 on drift

    owner = auth_client(User.objects.get(email=seeder.OWNER_EMAIL))
    page = owner.get("/api/v1/stores/bench/orders/?page_size=50&status=delivered")
    assert page.status_code == 200
    newest = page.json()["results"]
    assert [o["number"] for o in newest] == sorted(
        (o["number"] for o in newest), reverse=True
    )
    detail = owner.get(f"/api/v1/stores/bench/orders/{newest[0]['id']}/").json()
    assert [e["type"] for e in detail["events"]] == [
        "placed",
        "paid",
        "shipped",
        "delivered",
    ]
    assert detail["item_count"] == sum(item["quantity"] for item in detail["items"])


def test_the_same_seed_writes_the_same_rows():
    seeder = _seeder()
    _seed(seeder, orders=50, products=5, customers=10)
    first = list(Order.objects.order_by("id").values_list("id", "total", "status"))
    call_command("flush", interactive=False, verbosity=0)
    _seed(seeder, orders=50, products=5, customers=10)
    assert list(Order.objects.order_by("id").values_list("id", "total", "status")) == (
        first
    )
