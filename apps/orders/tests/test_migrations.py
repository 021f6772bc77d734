"""The worked example of expand -> backfill -> contract: ``Order.item_count``.

0003 adds the column empty, 0004 fills the orders placed before it in batches,
0005 makes it NOT NULL (docs/migrations.md).
"""

import importlib
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from apps.customers.tests.factories import CustomerFactory
from apps.orders.services import OrderLine, order_place
from apps.products.tests.factories import ProductFactory
from apps.stores.selectors import StoreAccess
from apps.stores.tests.factories import MembershipFactory, StoreFactory

from .factories import ADDRESS

EXPANDED = ("orders", "0003_order_item_count")
BACKFILLED = ("orders", "0004_backfill_order_item_count")
CONTRACTED = ("orders", "0005_order_item_count_not_null")
backfill = importlib.import_module(
    "apps.orders.migrations.0004_backfill_order_item_count"
)


@pytest.fixture
def migrator():
    """A migration executor; every app is migrated back to its latest state after."""
    yield MigrationExecutor(connection)
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def _migrate(target):
    executor = MigrationExecutor(connection)  # a fresh graph knows what is applied
    executor.migrate([target])
    return executor.loader.project_state([target]).apps


def _orders(quantities_per_order):
    store = StoreFactory()
    user = MembershipFactory(store=store, role="manager").user
    access = StoreAccess(store=store, role="manager", user=user)
    customer = CustomerFactory(store=store)
    orders = []
    for quantities in quantities_per_order:
        products = [
            ProductFactory(store=store, stock=10, price=Decimal("3.00"))
            for _ in quantities
        ]
        lines = [OrderLine(p.pk, q) for p, q in zip(products, quantities, strict=True)]
        order = order_place(
            access=access,
            lines=lines,
            customer_id=customer.pk,
            shipping_address=ADDRESS,
        )
        orders.append(order.pk)
    return orders


@pytest.mark.django_db(transaction=True)
def test_the_backfill_counts_the_units_of_older_orders_in_batches(
    migrator, monkeypatch
):
    five, one, written, lineless = _orders([(2, 3), (1,), (4,), (1,)])
    apps = _migrate(EXPANDED)
    Order = apps.get_model("orders", "Order")
    OrderItem = apps.get_model("orders", "OrderItem")
    # Orders of the release before 0003 have no count; one placed by the
    # release that brought the column already has one, which is kept.
    Order.objects.exclude(pk=written).update(item_count=None)
    Order.objects.filter(pk=written).update(item_count=4)
    OrderItem.objects.filter(order_id=lineless).delete()
    monkeypatch.setattr(backfill, "BATCH_SIZE", 2)  # three batches, the last empty

    apps = _migrate(BACKFILLED)

    Order = apps.get_model("orders", "Order")
    counts = dict(Order.objects.values_list("pk", "item_count"))
    assert counts == {five: 5, one: 1, written: 4, lineless: 0}


@pytest.mark.django_db(transaction=True)
def test_the_example_migrates_down_and_up_again_keeping_the_counts(migrator):
    (order,) = _orders([(2, 1)])

    apps = _migrate(EXPANDED)  # contract and backfill undone: the column stays
    Order = apps.get_model("orders", "Order")
    assert Order.objects.get(pk=order).item_count == 3
    Order.objects.create(  # the older release inserts without the column
        store_id=Order.objects.get(pk=order).store_id,
        customer_id=Order.objects.get(pk=order).customer_id,
        number=1,
        currency="EUR",
        subtotal=0,
        total=0,
        shipping_address={},
    )

    apps = _migrate(CONTRACTED)

    Order = apps.get_model("orders", "Order")
    assert not Order.objects.filter(item_count__isnull=True).exists()
    assert Order.objects.get(pk=order).item_count == 3
