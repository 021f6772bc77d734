"""The order list's hand-written rows are what OrderOutputSerializer renders."""

import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from rest_framework.renderers import JSONRenderer

from apps.orders.models import Order
from apps.orders.serializers import (
    ORDER_LIST_FIELDS,
    OrderOutputSerializer,
    order_list_rows,
)
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
