"""The promises of placement under real concurrency (PostgreSQL, one connection per
thread, all released together on a barrier)."""

import random

import pytest

from apps.core.testing import run_concurrently
from apps.customers.models import Customer
from apps.customers.tests.factories import CustomerFactory
from apps.orders.models import IdempotencyKey, Order
from apps.orders.services import (
    OrderLine,
    Outcome,
    idempotency_fingerprint,
    idempotent,
    order_place,
)
from apps.products.selectors import stock_reconciliation
from apps.products.tests.factories import ProductFactory
from apps.stores.selectors import StoreAccess
from apps.stores.tests.factories import StoreFactory
from apps.users.tests.factories import UserFactory

from .factories import ADDRESS

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _buyer(store, lines):
    access = StoreAccess(store=store, role=None, user=UserFactory())
    return lambda: order_place(access=access, lines=lines, shipping_address=ADDRESS)


@pytest.mark.parametrize("round_", range(3))
def test_a_hundred_buyers_for_ten_units_make_exactly_ten_orders(round_):
    store = StoreFactory()
    product = ProductFactory(store=store, stock=10)
    buyers = [_buyer(store, [OrderLine(product.pk, 1)]) for _ in range(100)]

    outcomes = run_concurrently(*buyers)

    assert outcomes.count("ok") == 10, outcomes
    assert outcomes.count("insufficient_stock") == 90, set(outcomes)
    product.refresh_from_db()
    assert product.stock_quantity == 0
    assert Order.objects.filter(store=store).count() == 10
    assert not stock_reconciliation().exists()


@pytest.mark.parametrize("round_", range(3))
def test_a_new_shoppers_first_orders_at_once_are_all_placed_for_one_customer(round_):
    """Two tabs, one new shopper: each order registers them unless the other did."""
    store = StoreFactory()
    product = ProductFactory(store=store, stock=10)
    access = StoreAccess(store=store, role=None, user=UserFactory())

    def order() -> None:
        order_place(
            access=access, lines=[OrderLine(product.pk, 1)], shipping_address=ADDRESS
        )

    outcomes = run_concurrently(order, order, order)

    assert outcomes == ["ok", "ok", "ok"]
    customers = {o.customer_id for o in Order.objects.filter(store=store)}
    assert len(customers) == 1
    assert Customer.objects.filter(store=store, user=access.user).count() == 1


def test_carts_in_opposite_orders_neither_deadlock_nor_oversell():
    store = StoreFactory()
    a = ProductFactory(store=store, stock=15)
    b = ProductFactory(store=store, stock=15)
    rng = random.Random(7)
    carts = []
    for i in range(40):
        first, second = (a, b) if i % 2 else (b, a)
        carts.append(
            _buyer(
                store,
                [
                    OrderLine(first.pk, rng.randint(1, 2)),
                    OrderLine(second.pk, rng.randint(1, 2)),
                ],
            )
        )

    outcomes = run_concurrently(*carts)

    assert set(outcomes) <= {"ok", "insufficient_stock"}, outcomes  # no deadlock
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.stock_quantity >= 0
    assert b.stock_quantity >= 0
    sold = Order.objects.filter(store=store)
    assert sum(i.quantity for o in sold for i in o.items.filter(product=a)) == (
        15 - a.stock_quantity
    )
    assert not stock_reconciliation().exists()


def test_thirty_requests_with_one_key_make_one_order():
    store = StoreFactory()
    product = ProductFactory(store=store, stock=100)
    user = UserFactory()
    CustomerFactory(store=store, user=user, email=user.email)
    access = StoreAccess(store=store, role=None, user=user)
    data = {"lines": [{"product": str(product.pk), "quantity": 1}]}
    fingerprint = idempotency_fingerprint(method="POST", path="/orders/", data=data)
    answers = []

    def request():
        def run():
            order = order_place(
                access=access,
                lines=[OrderLine(product.pk, 1)],
                shipping_address=ADDRESS,
            )
            return Outcome(status=201, body={"id": str(order.pk)}, order=order)

        outcome = idempotent(
            store=store, user=user, key="key-1", fingerprint=fingerprint, run=run
        )
        answers.append(outcome.body["id"])

    outcomes = run_concurrently(*[request for _ in range(30)])

    assert set(outcomes) <= {"ok", "idempotency_key_in_progress"}, outcomes
    assert Order.objects.filter(store=store).count() == 1
    order = Order.objects.get(store=store)
    assert set(answers) == {str(order.pk)}  # every success is the same order
    record = IdempotencyKey.objects.get()
    assert (record.state, record.order_id) == ("completed", order.pk)
    product.refresh_from_db()
    assert product.stock_quantity == 99


@pytest.mark.parametrize("round_", range(3))
def test_expiry_racing_payments_leaves_each_order_paid_or_expired_never_both(round_):
    from datetime import timedelta

    from django.utils import timezone

    from apps.orders.models import OrderEvent
    from apps.orders.services import order_pay, orders_expire_due

    from .factories import place_order

    store = StoreFactory()
    product = ProductFactory(store=store, stock=40)
    orders = [place_order(store=store, products=[(product, 2)]) for _ in range(20)]
    Order.objects.filter(store=store).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    payers = [
        lambda order=order: order_pay(order=order, actor=None) for order in orders
    ]
    # Two expiry runs at once, as when two beat ticks overlap.
    expirers = [orders_expire_due, orders_expire_due]

    outcomes = run_concurrently(*expirers, *payers)

    assert outcomes[:2] == ["ok", "ok"], outcomes
    assert set(outcomes[2:]) <= {"ok", "invalid_transition"}, outcomes
    paid = 0
    for order, outcome in zip(orders, outcomes[2:], strict=True):
        order.refresh_from_db()
        events = set(order.events.values_list("type", flat=True)) - {"placed"}
        if order.status == Order.Status.PAID:
            assert (outcome, events) == ("ok", {OrderEvent.Type.PAID})
            paid += 1
        else:
            assert order.status == Order.Status.CANCELLED
            assert (outcome, events) == ("invalid_transition", {"expired"})
    product.refresh_from_db()
    assert product.stock_quantity == 40 - 2 * paid
    assert not stock_reconciliation().exists()
