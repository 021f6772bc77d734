"""Time one daily report over 100,000 orders of one store and one day.

    createdb -h 127.0.0.1 -U postgres orderly_reports_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/orderly_reports_bench \\
        .venv/bin/python scripts/bench/report_build.py --orders 100000

It seeds a fresh store (``bench-report-*``, in Pacific/Auckland) with the
orders of one local day -- two lines each, most paid, some refunded, pending
or cancelled, spread over the day -- with ``bulk_create`` in large batches,
then builds that day's report a few times with ``daily_sales_report_build``
and prints the timings, the queries and the figures. The target is a build
under 2 s (DESIGN.md, Performance). Seeding writes rows directly, not through
the order services: it measures the report, not placement. Use a scratch
database, never production.
"""

import argparse
import json
import os
import statistics
import sys
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import F  # noqa: E402
from rich.progress import Progress  # noqa: E402

from apps.customers.models import Customer  # noqa: E402
from apps.orders.models import Order, OrderItem  # noqa: E402
from apps.products.models import Product  # noqa: E402
from apps.reports.days import day_window  # noqa: E402
from apps.reports.services import daily_sales_report_build  # noqa: E402
from apps.stores.models import Store  # noqa: E402

DAY = date(2026, 3, 10)
ZONE = "Pacific/Auckland"
CUSTOMERS = 5_000
PRODUCTS = 200
BATCH = 5_000
ADDRESS = {"line1": "1 Bench Street", "city": "Auckland", "country": "NZ"}


def _status(index: int) -> str:
    """Seven in ten paid, one refunded, one pending, one cancelled."""
    return {7: "refunded", 8: "pending", 9: "cancelled"}.get(index % 10, "paid")


def _seed(orders: int) -> Store:
    tag = uuid.uuid4().hex[:8]
    store = Store.objects.create(
        name=f"Bench {tag}", slug=f"bench-report-{tag}", currency="NZD", timezone=ZONE
    )
    customers = Customer.objects.bulk_create(
        Customer(store=store, email=f"buyer-{n}-{tag}@example.com")
        for n in range(CUSTOMERS)
    )
    products = Product.objects.bulk_create(
        Product(
            store=store,
            sku=f"BENCH-{n:03d}",
            name=f"Bench product {n}",
            price=Decimal(5 + n % 50),
        )
        for n in range(PRODUCTS)
    )
    window = day_window(day=DAY, timezone=ZONE)
    step = (window.end - window.start) / orders
    with Progress() as progress:
        bar = progress.add_task("seeding orders", total=orders)
        for first in range(0, orders, BATCH):
            batch, items = [], []
            for index in range(first, min(first + BATCH, orders)):
                at = window.start + step * index
                status = _status(index)
                lines = [products[index % PRODUCTS], products[(index * 7) % PRODUCTS]]
                total = sum((p.price for p in lines), Decimal(0))
                paid = status in ("paid", "refunded")
                order = Order(
                    store=store,
                    customer=customers[index % CUSTOMERS],
                    number=index + 1,
                    status=status,
                    currency="NZD",
                    subtotal=total,
                    total=total,
                    item_count=len(lines),
                    shipping_address=ADDRESS,
                    paid_at=at + timedelta(seconds=30) if paid else None,
                    refunded_at=at + timedelta(minutes=5)
                    if status == "refunded"
                    else None,
                    cancelled_at=at if status == "cancelled" else None,
                    # created_at is set on insert; moved to placed_at below.
                    expires_at=at,
                )
                batch.append(order)
                items += [
                    OrderItem(
                        order=order,
                        product=product,
                        sku=product.sku,
                        name=product.name,
                        unit_price=product.price,
                        quantity=1,
                        line_total=product.price,
                    )
                    for product in lines
                ]
            with transaction.atomic():
                Order.objects.bulk_create(batch)
                OrderItem.objects.bulk_create(items)
            progress.advance(bar, len(batch))
    # The placement moment, kept in expires_at while seeding (auto_now_add).
    Order.objects.filter(store=store).update(created_at=F("expires_at"))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE orders_order")
        cursor.execute("ANALYZE orders_orderitem")
    return store


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--store", help="time the day of a store seeded by an earlier run (its slug)"
    )
    parser.add_argument(
        "--json", action="store_true", help="end with one JSON line of the timings"
    )
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        raise SystemExit("Point DATABASE_URL at a scratch PostgreSQL database.")

    call_command("migrate", verbosity=0)
    if args.store:
        store = Store.objects.get(slug=args.store)
    else:
        started = time.perf_counter()
        store = _seed(args.orders)
        elapsed = time.perf_counter() - started
        print(f"seeded {args.orders} orders in {elapsed:.1f} s")

    now = datetime.now(UTC)
    queries: list[str] = []

    def record(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        report = daily_sales_report_build(store=store, day=DAY, now=now)
    timings = []
    for _ in range(args.runs):
        started = time.perf_counter()
        report = daily_sales_report_build(store=store, day=DAY, now=now)
        timings.append(time.perf_counter() - started)

    print(f"database: {connection.vendor}; store {store.slug}, {DAY} in {ZONE}")
    print(f"queries per build: {len(queries)}")
    print(
        f"build seconds: min {min(timings):.3f}  median "
        f"{statistics.median(timings):.3f}  max {max(timings):.3f} "
        f"({args.runs} runs; target < 2)"
    )
    print(
        f"figures: placed {report.orders_placed}, paid {report.orders_paid}, "
        f"gross {report.gross_sales}, refunds {report.refunds}, net "
        f"{report.net_sales}, aov {report.average_order_value}, items "
        f"{report.items_sold}, new customers {report.new_customers}"
    )
    if args.json:
        print(
            json.dumps(
                {
                    "orders": report.orders_placed,
                    "queries": len(queries),
                    "median_seconds": statistics.median(timings),
                    "max_seconds": max(timings),
                }
            )
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
