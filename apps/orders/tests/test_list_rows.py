"""The hand-written list rows and detail are what the serializers render."""

import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.db.models import Prefetch
from rest_framework.renderers import JSONRenderer

from apps.orders.models import Order
from apps.orders.selectors import ORDER_LIST_FIELDS
from apps.orders.serializers import (
    OrderDetailOutputSerializer,
    OrderOutputSerializer,
    order_detail_data,
    order_list_rows,
)
from apps.orders.services import lifecycle
from apps.orders.tests.factories import place_order
from apps.products.tests.factories import ProductFactory
from apps.stores.tests.factories import StoreFactory

pytestmark = pytest.mark.django_db


def _json(data: object) -> object:
    return json.loads(JSONRenderer().render(data))


@pytest.mark.parametrize("currency", ["EUR", "JPY", "KWD"])
def test_rows_match_the_serializer_for_every_shape_of_order(currency):
    store = StoreFactory(currency=currency)
    product = ProductFactory(store=store, stock=10, price=Decimal("12.5"))
    pending = place_order(store=store, products=[(product, 3)])
    paid = place_order(store=store, products=[(product, 1)])
    Order.objects.filter(pk=paid.pk).update(
        status="paid",
        expires_at=None,
        created_at=datetime(2026, 3, 29, 1, 30, tzinfo=UTC),  # no microseconds
    )
    orders = (
        Order.objects.filter(store=store).select_related("customer").order_by("-id")
    )
    expected = _json(OrderOutputSerializer(orders, many=True).data)
    rows = _json(order_list_rows(orders.values(*ORDER_LIST_FIELDS)))
    assert rows == expected
    assert {row["id"] for row in rows} == {str(pending.pk), str(paid.pk)}
    assert any(row["expires_at"] is None for row in rows)


def _detail_bytes(order_id):
    from apps.orders.models import OrderEvent

    events = OrderEvent.objects.select_related("actor").order_by("id")
    order = (
        Order.objects.select_related("customer")
        .prefetch_related("items", Prefetch("events", queryset=events))
        .get(pk=order_id)
    )
    by_hand = JSONRenderer().render(order_detail_data(order))
    by_serializer = JSONRenderer().render(OrderDetailOutputSerializer(order).data)
    return by_hand, by_serializer


@pytest.mark.parametrize("currency", ["EUR", "JPY", "KWD"])
def test_the_detail_matches_the_serializer_byte_for_byte_in_every_state(currency):
    store = StoreFactory(currency=currency)
    product = ProductFactory(store=store, stock=20, price=Decimal("12.5"))
    other = ProductFactory(store=store, stock=20, price=Decimal("3"))
    pending = place_order(store=store, products=[(product, 3), (other, 1)])
    shipped = lifecycle.order_ship(
        order=lifecycle.order_pay(
            order=place_order(store=store, products=[(product, 1)]), actor=None
        ),
        actor=None,
        carrier="DHL",
        tracking_number="JD0123",
    )
    cancelled = lifecycle.order_cancel(
        order=place_order(store=store, products=[(other, 2)]),
        actor=pending.placed_by,
        reason="Changed my mind",
    )
    due = place_order(store=store, products=[(other, 1)])
    Order.objects.filter(pk=due.pk).update(
        expires_at=datetime(2020, 1, 1, tzinfo=UTC)  # past its payment deadline
    )
    expired = lifecycle.order_expire(order=Order.objects.get(pk=due.pk))
    refunded = lifecycle.order_refund(
        order=lifecycle.order_deliver(order=shipped, actor=None),
        actor=pending.placed_by,
        restock=[lifecycle.RestockLine(item_id=shipped.items.get().pk, quantity=1)],
        reason="Damaged",
    )
    Order.objects.filter(pk=pending.pk).update(
        notes="Leave at the door", shipping_address={"line1": "1 Rue X", "zip": ""}
    )
    for order in (pending, cancelled, expired, refunded):
        by_hand, by_serializer = _detail_bytes(order.pk)
        assert by_hand == by_serializer
    # The placement answers from the order it wrote, not one read back.
    placed = place_order(store=store, products=[(product, 2), (other, 1)])
    assert JSONRenderer().render(order_detail_data(placed)) == JSONRenderer().render(
        OrderDetailOutputSerializer(placed).data
    )
    assert b'"carrier":"DHL"' in _detail_bytes(refunded.pk)[0]
    assert b'"actor":null' in _detail_bytes(expired.pk)[0]
