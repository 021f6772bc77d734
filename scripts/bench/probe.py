"""The benchmark's Django-side steps, run by ``scripts/bench/run.py``.

    python scripts/bench/probe.py prepare              # prints the fixtures (JSON)
    python scripts/bench/probe.py queries FIXTURES     # SQL per request (JSON)
    python scripts/bench/probe.py set-stock FIXTURES VARIANT QUANTITY
    python scripts/bench/probe.py check FIXTURES       # oversell and ledger (JSON)

Each runs in the environment the servers get, with the settings named by
``DJANGO_SETTINGS_MODULE`` (Orderly's, or the naive baseline's for its query
counts).

``prepare`` picks the rows the scenarios use in the seeded ``bench`` store:
per variant a set of hot products (stock topped up through the ledger) and a
product for the oversell attack, a customer to order for, an order in the
middle of the store's history (the deep page starts there; its detail is the
one read).

``queries`` makes each scenario's request twice through Django's test client
and counts the queries of the second (the first warms what a warm worker has:
the store's catalog version, or the cached page on a cache hit). It returns
the SQL too, so the floor can be checked to issue the same statements.

``set-stock`` gives a variant's attack product its stock before the attack
(through the ledger) and notes the units it had sold so far; ``check`` counts,
per variant, the units ordered since against that stock, and lists the
products whose ledger does not sum to their stock.
"""

import base64
import json
import os
import sys
import uuid
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parents[1]), str(HERE)]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

import django  # noqa: E402

django.setup()

from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Sum  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from rest_framework_simplejwt.tokens import AccessToken  # noqa: E402

from apps.customers.models import Customer  # noqa: E402
from apps.orders.models import Order, OrderItem  # noqa: E402
from apps.products.models import Product, StockMovement  # noqa: E402
from apps.products.selectors import stock_reconciliation  # noqa: E402
from apps.products.services import product_stock_adjust  # noqa: E402
from apps.stores.models import Store  # noqa: E402
from apps.users.models import User  # noqa: E402

SLUG = "bench"
OWNER_EMAIL = "owner@bench.example.com"
VARIANTS = ("floor", "orderly", "naive")
HOT_PRODUCTS = 8
HOT_STOCK = 1_000_000


def set_stock(product: Product, quantity: int) -> None:
    """Bring the product's stock to ``quantity`` through the ledger."""
    product.refresh_from_db()
    delta = quantity - product.stock_quantity
    if delta:
        product_stock_adjust(
            product=product,
            actor=None,
            delta=delta,
            reason="adjustment",
            note="benchmark",
        )


def prepare() -> dict[str, Any]:
    store = Store.objects.get(slug=SLUG)
    products = list(
        Product.objects.filter(store=store, is_active=True, deleted_at=None)
        .order_by("id")
        .values_list("id", flat=True)[: (HOT_PRODUCTS + 1) * len(VARIANTS)]
    )
    hot: dict[str, list[str]] = {}
    attack: dict[str, str] = {}
    for index, variant in enumerate(VARIANTS):
        chunk = products[index * (HOT_PRODUCTS + 1) : (index + 1) * (HOT_PRODUCTS + 1)]
        hot[variant] = [str(pk) for pk in chunk[:HOT_PRODUCTS]]
        attack[variant] = str(chunk[HOT_PRODUCTS])
        for product in Product.objects.filter(pk__in=chunk[:HOT_PRODUCTS]):
            set_stock(product, HOT_STOCK)
    orders = Order.objects.filter(store=store).order_by("-id")
    total = orders.count()
    middle = orders.values_list("id", flat=True)[total // 2]
    customer = Customer.objects.filter(store=store).order_by("id")[0]
    return {
        "store_id": str(store.pk),
        "store_slug": SLUG,
        "owner_email": OWNER_EMAIL,
        "orders": total,
        "middle_order": str(middle),
        "middle_offset": total // 2,
        "orderly_deep_cursor": base64.b64encode(f"p={middle}".encode()).decode(),
        "customer": str(customer.pk),
        "hot": hot,
        "attack": attack,
    }


def queries(fixtures: dict[str, Any]) -> dict[str, Any]:
    user = User.objects.get(email=fixtures["owner_email"])
    token = str(AccessToken.for_user(user))
    client = Client(
        HTTP_HOST=fixtures["host"],
        HTTP_X_FORWARDED_PROTO="https",
        raise_request_exception=True,
    )
    results: dict[str, Any] = {}
    for name, request in fixtures["requests"].items():
        headers = {"Authorization": f"Bearer {token}"} if request["auth"] else {}
        counts: list[int] = []
        statements: list[str] = []
        for _ in range(2):
            if request.get("cache") == "miss":
                cache.clear()
            with CaptureQueriesContext(connection) as captured:
                if request["method"] == "POST":
                    response = client.post(
                        request["path"],
                        request["body"],
                        content_type="application/json",
                        headers={**headers, "Idempotency-Key": uuid.uuid4().hex},
                    )
                else:
                    response = client.get(request["path"], headers=headers)
            if response.status_code >= 400:
                raise SystemExit(
                    f"{name}: {response.status_code} {response.content[:300]!r}"
                )
            counts.append(len(captured.captured_queries))
            statements = [query["sql"] for query in captured.captured_queries]
        results[name] = {"queries": counts[-1], "sql": statements}
    return results


def sold(product_id: str) -> int:
    items = OrderItem.objects.filter(product_id=product_id)
    return int(items.aggregate(units=Sum("quantity"))["units"] or 0)


def check(fixtures: dict[str, Any]) -> dict[str, Any]:
    store = Store.objects.get(slug=SLUG)
    attacks: dict[str, Any] = {}
    for variant, product_id in fixtures["attack"].items():
        product = Product.objects.get(pk=product_id)
        start = fixtures["attack_stock"][variant]["stock"]
        units = sold(product_id) - fixtures["attack_stock"][variant]["sold_before"]
        attacks[variant] = {
            "stock_before": start,
            "units_sold": units,
            "stock_after": product.stock_quantity,
            "oversold": max(0, units - start),
            # Units sold whose decrement another sale overwrote.
            "lost_updates": units - (start - product.stock_quantity),
        }
    drifted = {
        str(product.pk): {
            "stock": product.stock_quantity,
            "ledger": product.ledger_total,  # type: ignore[attr-defined]
        }
        for product in stock_reconciliation(store=store)
    }
    variant_of = {pk: v for v, ids in fixtures["hot"].items() for pk in ids}
    variant_of.update({pk: v for v, pk in fixtures["attack"].items()})
    return {
        "attack": attacks,
        "ledger_drift": {
            variant: sorted(pk for pk in drifted if variant_of.get(pk) == variant)
            for variant in VARIANTS
        },
        "ledger_drift_elsewhere": sorted(pk for pk in drifted if pk not in variant_of),
        "orders_in_store": Order.objects.filter(store=store).count(),
        "ledger_rows": StockMovement.objects.filter(product__store=store).count(),
    }


def main(argv: list[str]) -> None:
    command = argv[0]
    if command == "prepare":
        print(json.dumps(prepare()))
        return
    fixtures = json.loads(Path(argv[1]).read_text())
    if command == "queries":
        print(json.dumps(queries(fixtures)))
    elif command == "set-stock":
        product = Product.objects.get(pk=fixtures["attack"][argv[2]])
        set_stock(product, int(argv[3]))
        print(json.dumps({"stock": int(argv[3]), "sold_before": sold(str(product.pk))}))
    elif command == "check":
        print(json.dumps(check(fixtures)))
    else:
        raise SystemExit(f"unknown command {command}")


if __name__ == "__main__":
    main(sys.argv[1:])
