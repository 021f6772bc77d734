"""Seed a scratch PostgreSQL database with a store at benchmark scale.

    createdb -h 127.0.0.1 -U postgres orderly_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/orderly_bench \\
        .venv/bin/python scripts/bench/seed.py            # 1,000,000 orders

One store, ``bench`` (EUR, Europe/Paris), with an owner
(``owner@bench.example.com``, password ``bench-password``), ``--products``
products with their opening stock in the ledger, ``--customers`` customers and
``--orders`` orders spread over the last year, each with one to three lines and
the timeline its status implies (placed, paid, shipped, delivered, cancelled,
refunded). Rows go in with ``COPY`` in batches, behind a progress bar.

Everything is drawn from one seeded random generator (``--seed``), including
the ids: a second run with the same arguments writes the same rows. The ids are
UUIDv7 built from each row's own creation time, so ordering by id is ordering
by time, as it is for rows the application writes. The seeded orders are
history: they carry no stock movements (the opening stock is counted after
them), so the stock ledger reconciles.

The script refuses a database whose name lacks ``bench``. When the store
exists already it stops without writing (idempotent); ``--reset`` first empties
every table (``manage.py flush``) and seeds again.
"""

import argparse
import json
import os
import random
import sys
import time
import uuid
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

import django  # noqa: E402

django.setup()

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from rich.progress import Progress  # noqa: E402

from apps.stores.models import Store  # noqa: E402

SLUG = "bench"
OWNER_EMAIL = "owner@bench.example.com"
PASSWORD = "bench-password"  # noqa: S105 -- a scratch database, printed on purpose
CURRENCY = "EUR"
BATCH = 20_000
ADDRESS = json.dumps(
    {"line1": "1 rue du Banc", "city": "Lyon", "postal_code": "69001", "country": "FR"}
)
# Status of a seeded order and the timeline events that lead to it.
TIMELINES: dict[str, tuple[str, ...]] = {
    "delivered": ("placed", "paid", "shipped", "delivered"),
    "shipped": ("placed", "paid", "shipped"),
    "paid": ("placed", "paid"),
    "pending": ("placed",),
    "cancelled": ("placed", "cancelled"),
    "refunded": ("placed", "paid", "refunded"),
}
STATUS_WEIGHTS = {
    "delivered": 55,
    "shipped": 10,
    "paid": 10,
    "pending": 5,
    "cancelled": 15,
    "refunded": 5,
}


class Ids:
    """UUIDv7 values from a seeded generator and a given time (RFC 9562 layout)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def at(self, moment: datetime) -> uuid.UUID:
        millis = int(moment.timestamp() * 1000)
        value = (millis & (2**48 - 1)) << 80
        value |= 0x7 << 76  # version 7
        value |= self.rng.getrandbits(12) << 64
        value |= 0b10 << 62  # RFC 9562 variant
        value |= self.rng.getrandbits(62)
        return uuid.UUID(int=value)


def copy_rows(table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """COPY ``rows`` into ``table``; returns how many were written."""
    count = 0
    sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def chunks(items: Iterator[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def seed(args: argparse.Namespace, progress: Progress) -> dict[str, int]:
    rng = random.Random(args.seed)  # noqa: S311 -- repeatable data, not secrets
    ids = Ids(rng)
    now = datetime(2026, 11, 1, tzinfo=UTC)  # fixed: the same rows on every run
    year_ago = now - timedelta(days=365)
    password = make_password(PASSWORD, salt="benchseed")

    owner_id = ids.at(year_ago)
    store_id = ids.at(year_ago)
    copy_rows(
        "users_user",
        [
            "id",
            "email",
            "password",
            "first_name",
            "last_name",
            "is_active",
            "is_staff",
            "is_superuser",
            "date_joined",
        ],
        [
            (
                owner_id,
                OWNER_EMAIL,
                password,
                "Bench",
                "Owner",
                True,
                False,
                False,
                year_ago,
            )
        ],
    )
    Store.objects.create(
        id=store_id,
        name="Bench store",
        slug=SLUG,
        currency=CURRENCY,
        timezone="Europe/Paris",
    )
    copy_rows(
        "stores_membership",
        ["id", "created_at", "updated_at", "store_id", "user_id", "role"],
        [(ids.at(year_ago), year_ago, year_ago, store_id, owner_id, "owner")],
    )

    # Products, each with its opening stock as the ledger's first movement.
    products: list[tuple[uuid.UUID, str, str, Decimal]] = []
    for n in range(args.products):
        price = Decimal(rng.randrange(150, 25_000)) / 100
        products.append(
            (ids.at(year_ago), f"BENCH-{n:05d}", f"Bench product {n}", price)
        )
    stock = 1_000_000
    copy_rows(
        "products_product",
        [
            "id",
            "created_at",
            "updated_at",
            "store_id",
            "sku",
            "name",
            "description",
            "price",
            "stock_quantity",
            "is_active",
        ],
        (
            (pid, year_ago, year_ago, store_id, sku, name, "", price, stock, True)
            for pid, sku, name, price in products
        ),
    )
    copy_rows(
        "products_stockmovement",
        [
            "id",
            "created_at",
            "updated_at",
            "product_id",
            "delta",
            "reason",
            "note",
            "balance_after",
        ],
        (
            (
                ids.at(year_ago),
                year_ago,
                year_ago,
                pid,
                stock,
                "initial",
                "bench seed",
                stock,
            )
            for pid, *_ in products
        ),
    )

    # Customers, joined over the year (guests: no account).
    customers: list[uuid.UUID] = []
    bar = progress.add_task("customers", total=args.customers)
    span = (now - year_ago) / max(args.customers, 1)
    customer_rows = []
    for n in range(args.customers):
        joined = year_ago + span * n
        cid = ids.at(joined)
        customers.append(cid)
        customer_rows.append(
            (
                cid,
                joined,
                joined,
                store_id,
                f"buyer-{n}@bench.example.com",
                f"Buyer{n}",
                "Bench",
                "",
            )
        )
    for batch in chunks(iter(customer_rows), BATCH):
        copy_rows(
            "customers_customer",
            [
                "id",
                "created_at",
                "updated_at",
                "store_id",
                "email",
                "first_name",
                "last_name",
                "phone",
            ],
            batch,
        )
        progress.advance(bar, len(batch))

    # Orders, in time order, with their items and timelines.
    statuses = list(STATUS_WEIGHTS)
    weights = list(STATUS_WEIGHTS.values())
    bar = progress.add_task("orders", total=args.orders)
    span = (now - year_ago) / max(args.orders, 1)
    counts = {"orders": 0, "items": 0, "events": 0}
    for first in range(0, args.orders, BATCH):
        orders, items, events = [], [], []
        for n in range(first, min(first + BATCH, args.orders)):
            placed = year_ago + span * n
            oid = ids.at(placed)
            status = rng.choices(statuses, weights)[0]
            lines = rng.sample(products, rng.randint(1, 3))
            total = Decimal(0)
            units = 0
            for pid, sku, name, price in lines:
                quantity = rng.randint(1, 3)
                line_total = price * quantity
                total += line_total
                units += quantity
                items.append(
                    (
                        ids.at(placed),
                        oid,
                        pid,
                        sku,
                        name,
                        price,
                        quantity,
                        line_total,
                        quantity if status == "refunded" else 0,
                    )
                )
            moments = {}
            for step, event in enumerate(TIMELINES[status]):
                moments[event] = placed + timedelta(hours=6 * step)
                events.append(
                    (ids.at(moments[event]), oid, event, "{}", moments[event])
                )
            orders.append(
                (
                    oid,
                    placed,
                    placed,
                    store_id,
                    rng.choice(customers),
                    n + 1,
                    status,
                    CURRENCY,
                    total,
                    total,
                    units,
                    "",
                    ADDRESS,
                    placed + timedelta(minutes=30),
                    moments.get("paid"),
                    moments.get("shipped"),
                    moments.get("delivered"),
                    moments.get("cancelled"),
                    moments.get("refunded"),
                    "Changed my mind" if status == "cancelled" else "",
                    "DHL" if "shipped" in moments else "",
                    f"BN{n:09d}" if "shipped" in moments else "",
                )
            )
        with transaction.atomic():
            counts["orders"] += copy_rows(
                "orders_order",
                [
                    "id",
                    "created_at",
                    "updated_at",
                    "store_id",
                    "customer_id",
                    "number",
                    "status",
                    "currency",
                    "subtotal",
                    "total",
                    "item_count",
                    "notes",
                    "shipping_address",
                    "expires_at",
                    "paid_at",
                    "shipped_at",
                    "delivered_at",
                    "cancelled_at",
                    "refunded_at",
                    "cancel_reason",
                    "carrier",
                    "tracking_number",
                ],
                orders,
            )
            counts["items"] += copy_rows(
                "orders_orderitem",
                [
                    "id",
                    "order_id",
                    "product_id",
                    "sku",
                    "name",
                    "unit_price",
                    "quantity",
                    "line_total",
                    "restocked_quantity",
                ],
                items,
            )
            counts["events"] += copy_rows(
                "orders_orderevent", ["id", "order_id", "type", "data", "at"], events
            )
        progress.advance(bar, len(orders))

    with connection.cursor() as cursor:
        # Numbers the application hands out next start past the seeded ones.
        cursor.execute(
            "SELECT setval('orders_order_number_seq', %s)", [args.orders + 1000]
        )
        for table in (
            "orders_order",
            "orders_orderitem",
            "orders_orderevent",
            "customers_customer",
            "products_product",
        ):
            cursor.execute(f"ANALYZE {table}")
    counts["customers"] = len(customers)
    counts["products"] = len(products)
    return counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--reset", action="store_true", help="empty every table first")
    args = parser.parse_args()
    name = connection.settings_dict["NAME"]
    if connection.vendor != "postgresql" or "bench" not in name:
        raise SystemExit(
            "Point DATABASE_URL at a scratch PostgreSQL database whose name "
            f"contains 'bench' (this is {connection.vendor} {name!r})."
        )
    call_command("migrate", verbosity=0)
    if args.reset:
        call_command("flush", interactive=False, verbosity=0)
    elif Store.objects.filter(slug=SLUG).exists():
        print(f"store {SLUG!r} exists already: nothing written (--reset to seed again)")
        return 0
    started = time.perf_counter()
    with Progress() as progress:
        counts = seed(args, progress)
    elapsed = time.perf_counter() - started
    print(
        f"seeded store {SLUG!r} in {elapsed:.1f} s: "
        + ", ".join(f"{value:,} {key}" for key, value in counts.items())
    )
    print(f"owner: {OWNER_EMAIL} / {PASSWORD}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
