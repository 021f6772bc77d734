"""The periodic order tasks: unpaid-order expiry and the Idempotency-Key purge,
run as beat runs them (eagerly here), with the clock moved by time-machine."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command

from apps.core.testing import FROZEN_AT
from apps.orders.models import IdempotencyKey, Order, OrderEvent
from apps.orders.services import order_pay, orders_expire_due
from apps.orders.tasks import expire_unpaid_orders, purge_idempotency_keys
from apps.products.models import StockMovement
from apps.products.selectors import stock_reconciliation
from apps.products.tests.factories import ProductFactory
from apps.stores.tests.factories import StoreFactory
from apps.users.tests.factories import UserFactory

from .factories import place_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(clock):
    """A store whose unpaid orders expire after 30 minutes, and one product."""
    store = StoreFactory(unpaid_order_timeout_minutes=30)
    return store, ProductFactory(store=store, stock=10)


def _stock(product):
    product.refresh_from_db()
    return product.stock_quantity


def test_an_unpaid_order_past_its_deadline_is_expired_and_its_stock_returns(
    clock, shop
):
    store, product = shop
    order = place_order(store=store, products=[(product, 3)])
    assert _stock(product) == 7

    clock.move_to(FROZEN_AT + timedelta(minutes=30, seconds=1))
    expire_unpaid_orders.delay()

    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED
    assert order.cancel_reason == "Not paid in time."
    assert list(order.events.values_list("type", flat=True).order_by("id")) == [
        OrderEvent.Type.PLACED,
        OrderEvent.Type.EXPIRED,
    ]
    assert _stock(product) == 10
    movement = StockMovement.objects.filter(product=product).latest("id")
    assert (movement.delta, movement.reason, movement.order_id) == (
        3,
        StockMovement.Reason.ORDER_EXPIRED,
        order.pk,
    )
    assert not stock_reconciliation().exists()


def test_an_order_still_within_its_deadline_stays_pending(clock, shop):
    store, product = shop
    order = place_order(store=store, products=[(product, 1)])

    clock.move_to(FROZEN_AT + timedelta(minutes=29, seconds=59))
    expire_unpaid_orders.delay()

    order.refresh_from_db()
    assert order.status == Order.Status.PENDING
    assert _stock(product) == 9


def test_an_order_paid_before_its_deadline_is_never_expired(clock, shop):
    store, product = shop
    order = place_order(store=store, products=[(product, 1)])
    order_pay(order=order, actor=None)

    clock.move_to(FROZEN_AT + timedelta(days=1))
    expire_unpaid_orders.delay()

    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert _stock(product) == 9


def test_a_second_run_expires_nothing_more_and_returns_no_stock_twice(clock, shop):
    store, product = shop
    order = place_order(store=store, products=[(product, 2)])
    clock.move_to(FROZEN_AT + timedelta(hours=1))

    expire_unpaid_orders.delay()
    expire_unpaid_orders.delay()

    assert order.events.filter(type=OrderEvent.Type.EXPIRED).count() == 1
    assert _stock(product) == 10
    assert not stock_reconciliation().exists()


def test_one_run_expires_at_most_its_batch_the_oldest_first(clock, shop, settings):
    store, product = shop
    orders = []
    for minute in range(3):
        clock.move_to(FROZEN_AT + timedelta(minutes=minute))
        orders.append(place_order(store=store, products=[(product, 1)]))
    clock.move_to(FROZEN_AT + timedelta(hours=1))
    settings.ORDER_EXPIRY_BATCH_SIZE = 2

    expire_unpaid_orders.delay()

    statuses = [Order.objects.get(pk=o.pk).status for o in orders]
    assert statuses == ["cancelled", "cancelled", "pending"]
    expire_unpaid_orders.delay()  # the next tick takes the rest
    assert Order.objects.get(pk=orders[2].pk).status == "cancelled"
    assert _stock(product) == 10


def test_expiry_reports_what_it_did(clock, shop):
    store, product = shop
    place_order(store=store, products=[(product, 1)])
    place_order(store=store, products=[(product, 1)])
    clock.move_to(FROZEN_AT + timedelta(hours=1))

    report = orders_expire_due()

    assert (report.expired, report.refused) == (2, [])
    assert orders_expire_due().expired == 0


def test_the_expire_orders_command_expires_what_is_due(clock, shop):
    store, product = shop
    order = place_order(store=store, products=[(product, 1)])
    clock.move_to(FROZEN_AT + timedelta(hours=1))
    out = StringIO()

    call_command("expire_orders", stdout=out)

    assert out.getvalue().strip() == "1 order(s) expired."
    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED


# --- Idempotency keys ---------------------------------------------------------------


def _key(store, name):
    return IdempotencyKey.objects.create(
        store=store, user=UserFactory(), key=name, fingerprint="f" * 64
    )


def test_idempotency_keys_are_purged_after_their_retention_and_not_before(
    clock, settings
):
    settings.IDEMPOTENCY_KEY_RETENTION_HOURS = 48
    store = StoreFactory()
    old = _key(store, "old")
    clock.move_to(FROZEN_AT + timedelta(hours=10))
    recent = _key(store, "recent")

    clock.move_to(FROZEN_AT + timedelta(hours=47, minutes=59))
    purge_idempotency_keys.delay()
    assert IdempotencyKey.objects.count() == 2

    clock.move_to(FROZEN_AT + timedelta(hours=48, minutes=1))
    purge_idempotency_keys.delay()
    assert list(IdempotencyKey.objects.all()) == [recent]
    assert not IdempotencyKey.objects.filter(pk=old.pk).exists()


def test_idempotency_keys_are_kept_a_day_at_least_whatever_the_setting(clock, settings):
    settings.IDEMPOTENCY_KEY_RETENTION_HOURS = 1
    _key(StoreFactory(), "k")

    clock.move_to(FROZEN_AT + timedelta(hours=23))
    purge_idempotency_keys.delay()

    assert IdempotencyKey.objects.count() == 1


def test_the_purge_command_says_how_many_keys_went(clock):
    _key(StoreFactory(), "k")
    clock.move_to(FROZEN_AT + timedelta(days=3))
    out = StringIO()

    call_command("purge_idempotency_keys", stdout=out)

    assert out.getvalue().strip() == "1 key(s) older than 48 hours deleted."
