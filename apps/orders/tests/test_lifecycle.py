"""The status machine: every move from every state, with its event and its stock."""

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from apps.core.exceptions import ConflictError, ValidationFailed
from apps.core.testing import assert_if_match_guards
from apps.customers.selectors import customer_get
from apps.orders.models import Order, OrderEvent
from apps.orders.services import (
    RestockLine,
    order_cancel,
    order_deliver,
    order_expire,
    order_pay,
    order_refund,
    order_ship,
)
from apps.orders.transitions import TRANSITIONS, Verb
from apps.products.models import StockMovement
from apps.products.selectors import stock_reconciliation
from apps.products.tests.factories import ProductFactory
from apps.stores.tests.factories import StoreFactory
from apps.users.tests.factories import UserFactory

from .factories import place_order

pytestmark = pytest.mark.django_db

S = Order.Status
# How to bring a fresh pending order to each state.
PATHS = {
    S.PENDING: [],
    S.PAID: [Verb.PAY],
    S.SHIPPED: [Verb.PAY, Verb.SHIP],
    S.DELIVERED: [Verb.PAY, Verb.SHIP, Verb.DELIVER],
    S.CANCELLED: [Verb.CANCEL],
    S.REFUNDED: [Verb.PAY, Verb.REFUND],
}


def _do(order, verb, actor=None, **kwargs):
    if verb is Verb.EXPIRE:
        Order.objects.filter(pk=order.pk).update(
            expires_at=timezone.now() - timedelta(seconds=1)
        )
        return order_expire(order=order)
    call: Any = {
        Verb.PAY: order_pay,
        Verb.SHIP: order_ship,
        Verb.DELIVER: order_deliver,
        Verb.CANCEL: order_cancel,
        Verb.REFUND: order_refund,
    }[verb]
    return call(order=order, actor=actor, **kwargs)


def _order_in(status):
    product = ProductFactory(stock=10)
    order = place_order(store=product.store, products=[(product, 3)])
    for verb in PATHS[status]:
        order = _do(order, verb)
    assert order.status == status
    return order, product


CASES = [(status, verb) for status in S.values for verb in Verb]


@pytest.mark.parametrize(("status", "verb"), CASES, ids=[f"{s}-{v}" for s, v in CASES])
def test_every_move_from_every_state(status, verb):
    order, product = _order_in(status)
    product.refresh_from_db()
    stock_before = product.stock_quantity
    events_before = order.events.count()
    actor = UserFactory()
    move = TRANSITIONS[verb]

    if status not in move.sources:
        with pytest.raises(ConflictError) as excinfo:
            _do(order, verb, actor)
        assert excinfo.value.code == "invalid_transition"
        assert status in excinfo.value.message
        order.refresh_from_db()
        assert order.status == status
        assert order.events.count() == events_before
        product.refresh_from_db()
        assert product.stock_quantity == stock_before
        return

    moved = _do(order, verb, actor)
    assert moved.status == move.target
    assert getattr(moved, move.timestamp) is not None
    event = moved.events.order_by("-id").first()
    assert event.type == move.event
    assert event.actor == (None if verb is Verb.EXPIRE else actor)
    product.refresh_from_db()
    returned = 3 if verb in (Verb.CANCEL, Verb.EXPIRE) else 0  # refund: none chosen
    assert product.stock_quantity == stock_before + returned
    assert not stock_reconciliation().exists()


def test_cancel_returns_every_unit_through_the_ledger_with_the_order_id():
    order, _product = _order_in(S.PENDING)
    order_cancel(order=order, actor=None, reason="Changed my mind")
    movement = StockMovement.objects.filter(order_id=order.pk).order_by("-id").first()
    assert (movement.delta, movement.reason) == (3, "order_cancelled")
    order.refresh_from_db()
    assert order.cancel_reason == "Changed my mind"


def test_a_refund_returns_what_staff_choose():
    order, product = _order_in(S.DELIVERED)
    item = order.items.get()
    refunded = order_refund(
        order=order, actor=None, restock=[RestockLine(item_id=item.pk, quantity=2)]
    )
    product.refresh_from_db()
    assert product.stock_quantity == 10 - 3 + 2
    item.refresh_from_db()
    assert item.restocked_quantity == 2
    assert refunded.events.order_by("-id").first().data["restocked"] == {
        str(item.pk): 2
    }
    assert not stock_reconciliation().exists()


def test_a_refund_refuses_restock_lines_that_do_not_match():
    order, _product = _order_in(S.PAID)
    item = order.items.get()
    other, _ = _order_in(S.PAID)
    with pytest.raises(ValidationFailed) as excinfo:
        order_refund(
            order=order,
            actor=None,
            restock=[
                RestockLine(item_id=item.pk, quantity=4),
                RestockLine(item_id=other.items.get().pk, quantity=1),
            ],
        )
    assert [e["code"] for e in excinfo.value.errors] == ["out_of_range", "not_a_line"]
    order.refresh_from_db()
    assert order.status == S.PAID


def test_expiry_never_touches_an_order_before_its_deadline_or_once_paid():
    order, _ = _order_in(S.PENDING)
    with pytest.raises(ConflictError) as excinfo:
        order_expire(order=order)
    assert excinfo.value.code == "not_expired"
    Order.objects.filter(pk=order.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    order_pay(order=order, actor=None)
    with pytest.raises(ConflictError) as excinfo:
        order_expire(order=order)
    assert excinfo.value.code == "invalid_transition"


def test_ship_records_carrier_and_tracking_on_the_order_and_its_event():
    order, _ = _order_in(S.PAID)
    shipped = order_ship(
        order=order, actor=None, carrier="La Poste", tracking_number="6A123"
    )
    assert (shipped.carrier, shipped.tracking_number) == ("La Poste", "6A123")
    event = shipped.events.get(type=OrderEvent.Type.SHIPPED)
    assert event.data == {"carrier": "La Poste", "tracking_number": "6A123"}


def test_customer_statistics_count_orders_in_every_status():
    store = StoreFactory(currency="EUR")
    product = ProductFactory(store=store, stock=100)
    first = place_order(store=store, products=[(product, 1)])
    customer = first.customer
    orders = {S.PENDING: first}
    for status in (S.PAID, S.SHIPPED, S.DELIVERED, S.CANCELLED, S.REFUNDED):
        order = place_order(store=store, customer=customer, products=[(product, 1)])
        for verb in PATHS[status]:
            order = _do(order, verb)
        orders[status] = order
    annotated = customer_get(
        store=store, actor=first.placed_by, customer_id=customer.pk
    )
    assert annotated.order_count == 6
    paying = [orders[s].total for s in (S.PAID, S.SHIPPED, S.DELIVERED)]
    assert annotated.total_spent == sum(paying)
    assert annotated.last_order_at == orders[S.REFUNDED].created_at


# A verb from the state each one leaves, and the next one it allows.
VERB_FROM = {
    Verb.PAY: S.PENDING,
    Verb.SHIP: S.PAID,
    Verb.DELIVER: S.SHIPPED,
    Verb.CANCEL: S.PENDING,
    Verb.REFUND: S.DELIVERED,
}


@pytest.mark.parametrize("verb", list(VERB_FROM), ids=str)
def test_every_verb_checks_if_match_against_the_locked_order(verb):
    order, product = _order_in(VERB_FROM[verb])
    product.refresh_from_db()
    stock = product.stock_quantity
    # A change of the notes stands for any change the caller has not seen.
    assert_if_match_guards(
        order, "notes", lambda if_match: _do(order, verb, if_match=if_match)
    )
    events = OrderEvent.objects.filter(order=order).count()
    assert events == len(PATHS[VERB_FROM[verb]]) + 2  # placed, verb
    product.refresh_from_db()
    assert product.stock_quantity == stock + (3 if verb is Verb.CANCEL else 0)
