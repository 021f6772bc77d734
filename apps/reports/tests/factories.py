"""Orders at chosen moments, and stored reports, for the reports tests."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import factory

from apps.customers.models import Customer
from apps.customers.tests.factories import CustomerFactory
from apps.orders.models import Order, OrderEvent
from apps.orders.services import order_cancel, order_pay, order_refund
from apps.orders.tests.factories import place_order
from apps.reports.models import DailySalesReport
from apps.stores.tests.factories import StoreFactory


def order_at(
    *,
    customer: Customer,
    lines: list[tuple[Any, int]],
    placed: datetime,
    paid: datetime | None = None,
    cancelled: datetime | None = None,
    refunded: datetime | None = None,
) -> Order:
    """An order moved through the services, its moments set to the ones given.

    The status timestamps and the matching timeline events are moved together,
    as the services write them together.
    """
    order = place_order(customer=customer, products=lines)
    if paid is not None:
        order = order_pay(order=order, actor=None)
    if cancelled is not None:
        order = order_cancel(order=order, actor=None)
    if refunded is not None:
        order = order_refund(order=order, actor=None)
    moments = {
        OrderEvent.Type.PLACED: placed,
        OrderEvent.Type.PAID: paid,
        OrderEvent.Type.CANCELLED: cancelled,
        OrderEvent.Type.REFUNDED: refunded,
    }
    for event_type, at in moments.items():
        if at is not None:
            OrderEvent.objects.filter(order=order, type=event_type).update(at=at)
    Order.objects.filter(pk=order.pk).update(
        created_at=placed, paid_at=paid, cancelled_at=cancelled, refunded_at=refunded
    )
    order.refresh_from_db()
    return order


def sold_at(product: Any, at: datetime, quantity: int = 1) -> Order:
    """A new customer's order of ``quantity`` units, placed and paid at ``at``."""
    return order_at(
        customer=CustomerFactory(store=product.store),
        lines=[(product, quantity)],
        placed=at,
        paid=at,
    )


class DailySalesReportFactory(factory.django.DjangoModelFactory[DailySalesReport]):
    class Meta:
        model = DailySalesReport

    store = factory.SubFactory(StoreFactory)
    date = factory.Sequence(lambda n: date(2026, 1, 1) - timedelta(days=n))
    currency = factory.LazyAttribute(lambda report: report.store.currency)
    orders_placed = 4
    orders_paid = 3
    gross_sales = Decimal("60.500")
    refunds = Decimal("17.000")
    net_sales = Decimal("43.500")
    average_order_value = Decimal("20.170")
    items_sold = 4
    new_customers = 1
    top_products: Any = factory.LazyFunction(
        lambda: [{"sku": "MUG-1", "name": "Mug", "quantity": 2, "revenue": "20.00"}]
    )
