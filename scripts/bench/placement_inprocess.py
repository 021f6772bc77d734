"""Order placement measured in-process: latency percentiles and queries per order.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/orderly_bench \\
    REDIS_URL=redis://127.0.0.1:6379/12 \\
        .venv/bin/python scripts/bench/placement_inprocess.py --orders 300

Every order goes through the whole request path (JWT authentication, store
resolution, the input serializer, ``order_place`` with its row locks and ledger,
the outbox row, the response) with Django's test client, one at a time, so the
figures are the cost of one placement without network or contention. The load
harness measures the same endpoint under concurrency.

It writes to the database it is pointed at (a fresh store named
``bench-placement-*`` per run): use a scratch database, never production. The
placement throttle is raised for the run so that it is measured, not hit.
"""

import argparse
import os
import statistics
import sys
import time
import uuid
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402
from rest_framework_simplejwt.tokens import AccessToken  # noqa: E402

from apps.customers.models import Customer  # noqa: E402
from apps.orders.views import OrderPlacementThrottle  # noqa: E402
from apps.products.models import Product  # noqa: E402
from apps.products.services import product_stock_adjust  # noqa: E402
from apps.stores.models import Membership, Store  # noqa: E402
from apps.users.models import User  # noqa: E402

LINES = 5
ADDRESS = {"line1": "1 Bench Street", "city": "Lyon", "country": "FR"}


def _setup(orders: int) -> tuple[Store, User, Customer, list[Product]]:
    tag = uuid.uuid4().hex[:8]
    store = Store.objects.create(name=f"Bench {tag}", slug=f"bench-placement-{tag}")
    manager = User.objects.create_user(
        email=f"bench-{tag}@example.com", password=uuid.uuid4().hex
    )
    Membership.objects.create(store=store, user=manager, role="manager")
    customer = Customer.objects.create(
        store=store, email=f"buyer-{tag}@example.com", first_name="Bench"
    )
    products = []
    for index in range(LINES):
        product = Product.objects.create(
            store=store,
            sku=f"BENCH-{index}",
            name=f"Bench {index}",
            price=Decimal("9.99"),
        )
        product_stock_adjust(
            product=product, delta=orders * 2 + 10, reason="restock", actor=None
        )
        products.append(product)
    return store, manager, customer, products


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--show-sql", action="store_true", help="print the queries")
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    OrderPlacementThrottle.THROTTLE_RATES = {"order_placement": "1000000/min"}
    store, manager, customer, products = _setup(args.orders + args.warmup + 1)
    settings.DEBUG = False  # no query log (the counted request captures its own)
    client = APIClient(HTTP_HOST="127.0.0.1")
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(manager)}")
    url = f"/api/v1/stores/{store.slug}/orders/"
    body = {
        "customer": str(customer.pk),
        "lines": [{"product": str(p.pk), "quantity": 1} for p in products],
        "shipping_address": ADDRESS,
    }

    def place(key: str) -> float:
        started = time.perf_counter()
        response = client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY=key)
        elapsed = time.perf_counter() - started
        if response.status_code != 201:
            detail = response.content[:300]
            raise SystemExit(f"placement failed: {response.status_code} {detail!r}")
        return elapsed

    for index in range(args.warmup):
        place(f"warmup-{index}")
    queries: list[str] = []

    def record(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        place("counted")
    timings = sorted(place(f"run-{index}") for index in range(args.orders))

    def percentile(share: float) -> float:
        return timings[min(len(timings) - 1, round(share * (len(timings) - 1)))] * 1000

    print(f"database: {connection.vendor}; {args.orders} orders of {LINES} lines")
    print(f"queries for one {LINES}-line order: {len(queries)}")
    print(
        f"latency ms: p50 {percentile(0.50):.1f}  p90 {percentile(0.90):.1f}  "
        f"p99 {percentile(0.99):.1f}  max {timings[-1] * 1000:.1f}  "
        f"mean {statistics.fmean(timings) * 1000:.1f}"
    )
    if args.show_sql:
        for sql in queries:
            print(sql[:160])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
