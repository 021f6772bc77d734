"""Daily reports: exact figures on hand-built days, idempotent, constant queries."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from apps.customers.tests.factories import CustomerFactory
from apps.products.tests.factories import ProductFactory
from apps.reports.models import DailySalesReport
from apps.reports.services import DayNotEnded, daily_sales_report_build
from apps.stores.tests.factories import StoreFactory

from .factories import order_at, sold_at

pytestmark = pytest.mark.django_db

DAY = date(2026, 3, 10)
AFTER = datetime(2026, 4, 1, tzinfo=UTC)  # every day of these tests has ended


def local(zone, *args):
    return datetime(*args, tzinfo=ZoneInfo(zone)).astimezone(UTC)


@pytest.fixture
def kiwi():
    return StoreFactory(
        name="Kiwi", currency="NZD", timezone="Pacific/Auckland", slug="kiwi"
    )


def test_a_day_counts_what_happened_between_its_local_midnights(kiwi):
    nz = "Pacific/Auckland"
    mug = ProductFactory(store=kiwi, sku="MUG", name="Mug", price=Decimal("10.00"))
    lamp = ProductFactory(store=kiwi, sku="LAMP", name="Lamp", price=Decimal("35.50"))
    pen = ProductFactory(store=kiwi, sku="PEN", name="Pen", price=Decimal("5.00"))
    for product in (mug, lamp, pen):
        product.stock_quantity = 100
        product.save()
    ada, bob, cy, di = (CustomerFactory(store=kiwi) for _ in range(4))
    # Bob bought before: not a new customer when he buys again on DAY.
    order_at(
        customer=bob,
        lines=[(pen, 1)],
        placed=local(nz, 2026, 3, 1, 10),
        paid=local(nz, 2026, 3, 1, 10, 5),
    )
    # Placed and paid on DAY: a sale (Ada's first).
    order_at(
        customer=ada,
        lines=[(mug, 2)],
        placed=local(nz, 2026, 3, 10, 9),
        paid=local(nz, 2026, 3, 10, 9, 5),
    )
    # Placed the evening before, paid after midnight: a sale of DAY, not placed on it.
    order_at(
        customer=bob,
        lines=[(lamp, 1)],
        placed=local(nz, 2026, 3, 9, 23, 30),
        paid=local(nz, 2026, 3, 10, 0, 30),
    )
    # Placed on DAY, paid after its midnight: placed on DAY, a sale of the next day.
    order_at(
        customer=di,
        lines=[(lamp, 2)],
        placed=local(nz, 2026, 3, 10, 23, 50),
        paid=local(nz, 2026, 3, 11, 0, 10),
    )
    # Still pending, and cancelled: placed, never sales.
    order_at(customer=cy, lines=[(mug, 5)], placed=local(nz, 2026, 3, 10, 12))
    order_at(
        customer=cy,
        lines=[(lamp, 3)],
        placed=local(nz, 2026, 3, 10, 13),
        cancelled=local(nz, 2026, 3, 10, 14),
    )
    # Sold two days before, refunded on DAY: a refund of DAY only.
    order_at(
        customer=cy,
        lines=[(mug, 1), (pen, 1)],
        placed=local(nz, 2026, 3, 8, 10),
        paid=local(nz, 2026, 3, 8, 10, 1),
        refunded=local(nz, 2026, 3, 10, 15),
    )
    # Sold and refunded on DAY: both a sale and a refund.
    order_at(
        customer=ada,
        lines=[(pen, 1)],
        placed=local(nz, 2026, 3, 10, 16),
        paid=local(nz, 2026, 3, 10, 16, 1),
        refunded=local(nz, 2026, 3, 10, 17),
    )

    report = daily_sales_report_build(store=kiwi, day=DAY, now=AFTER)

    assert report.currency == "NZD"
    assert report.orders_placed == 5
    assert report.orders_paid == 3
    assert report.gross_sales == Decimal("60.50")  # 20.00 + 35.50 + 5.00
    assert report.refunds == Decimal("20.00")  # 15.00 + 5.00
    assert report.net_sales == Decimal("40.50")
    assert report.average_order_value == Decimal("20.17")  # 60.50 / 3, rounded
    assert report.items_sold == 4
    assert report.new_customers == 1  # Ada; Bob paid before
    assert report.top_products == [
        {"sku": "LAMP", "name": "Lamp", "quantity": 1, "revenue": "35.50"},
        {"sku": "MUG", "name": "Mug", "quantity": 2, "revenue": "20.00"},
        {"sku": "PEN", "name": "Pen", "quantity": 1, "revenue": "5.00"},
    ]


def test_the_same_instant_falls_on_the_day_of_each_stores_time_zone(kiwi):
    coast = StoreFactory(currency="USD", timezone="America/Los_Angeles")
    early = datetime(2026, 3, 10, 6, 30, tzinfo=UTC)  # NZ 19:30 DAY; LA 23:30 DAY-1
    late = datetime(2026, 3, 10, 11, 30, tzinfo=UTC)  # NZ 00:30 DAY+1; LA 04:30 DAY
    for store in (kiwi, coast):
        product = ProductFactory(store=store, price=Decimal("7.00"), stock=10)
        for moment, quantity in ((early, 1), (late, 2)):
            sold_at(product, moment, quantity)

    in_nz = daily_sales_report_build(store=kiwi, day=DAY, now=AFTER)
    in_la = daily_sales_report_build(store=coast, day=DAY, now=AFTER)

    assert (in_nz.orders_paid, in_nz.gross_sales) == (1, Decimal("7.00"))
    assert (in_la.orders_paid, in_la.gross_sales) == (1, Decimal("14.00"))
    assert in_la.currency == "USD"


def test_a_daylight_saving_day_is_23_hours_long():
    # Los Angeles, 2026-03-08: the clocks go from 02:00 to 03:00.
    coast = StoreFactory(currency="USD", timezone="America/Los_Angeles")
    product = ProductFactory(store=coast, price=Decimal("3.00"), stock=10)
    moments = [
        datetime(2026, 3, 8, 7, 59, tzinfo=UTC),  # 23:59 PST on the 7th: before
        datetime(2026, 3, 8, 8, 0, tzinfo=UTC),  # local midnight: in
        datetime(2026, 3, 9, 6, 59, tzinfo=UTC),  # 23:59 PDT: in
        datetime(2026, 3, 9, 7, 30, tzinfo=UTC),  # 00:30 PDT on the 9th: after
    ]
    for moment in moments:
        sold_at(product, moment)

    report = daily_sales_report_build(store=coast, day=date(2026, 3, 8), now=AFTER)

    assert report.orders_placed == report.orders_paid == 2
    assert report.gross_sales == Decimal("6.00")


def test_a_daylight_saving_day_is_25_hours_long(kiwi):
    # Auckland, 2026-04-05: the clocks go back from 03:00 to 02:00.
    product = ProductFactory(store=kiwi, price=Decimal("3.00"), stock=10)
    for moment in (
        datetime(2026, 4, 4, 11, 0, tzinfo=UTC),  # 00:00 NZDT: in
        datetime(2026, 4, 5, 11, 30, tzinfo=UTC),  # 23:30 NZST: in
        datetime(2026, 4, 5, 12, 0, tzinfo=UTC),  # next midnight: after
    ):
        sold_at(product, moment)

    report = daily_sales_report_build(
        store=kiwi, day=date(2026, 4, 5), now=datetime(2026, 4, 6, tzinfo=UTC)
    )

    assert report.orders_paid == 2


def test_amounts_keep_the_currencys_minor_unit():
    store = StoreFactory(currency="JPY", timezone="Asia/Tokyo")
    product = ProductFactory(store=store, price=Decimal("1000"), stock=10)
    at = local("Asia/Tokyo", 2026, 3, 10, 12)
    for quantity in (1, 1, 2):
        sold_at(product, at, quantity)

    report = daily_sales_report_build(store=store, day=DAY, now=AFTER)

    assert report.average_order_value == Decimal("1333")  # 4000 / 3, no decimals
    assert report.top_products[0]["revenue"] == "4000"


def test_building_a_day_again_updates_its_one_row(kiwi):
    product = ProductFactory(store=kiwi, price=Decimal("4.00"), stock=10)
    at = local("Pacific/Auckland", 2026, 3, 10, 12)
    sold_at(product, at)
    first = daily_sales_report_build(store=kiwi, day=DAY, now=AFTER)
    again = daily_sales_report_build(store=kiwi, day=DAY, now=AFTER)

    assert DailySalesReport.objects.filter(store=kiwi).count() == 1
    assert again.pk == first.pk
    assert again.gross_sales == first.gross_sales == Decimal("4.00")
    assert again.top_products == first.top_products


def test_a_day_that_has_not_ended_is_not_built(kiwi):
    end = local("Pacific/Auckland", 2026, 3, 11, 0)
    with pytest.raises(DayNotEnded):
        daily_sales_report_build(store=kiwi, day=DAY, now=end - timedelta(seconds=1))
    assert daily_sales_report_build(store=kiwi, day=DAY, now=end).orders_placed == 0


def _day_of(store, count):
    product = ProductFactory(store=store, price=Decimal("2.00"), stock=count * 2)
    customer = CustomerFactory(store=store)
    for minute in range(count):
        at = local(store.timezone, 2026, 3, 10, 12, minute)
        order_at(
            customer=customer,
            lines=[(product, 1)],
            placed=at,
            paid=at,
            refunded=at + timedelta(seconds=1) if minute % 3 == 0 else None,
        )


# Savepoints, four aggregate queries, the upsert's read and its write.
BUILD_QUERIES = 12


@pytest.mark.parametrize("orders", [1, 20])
def test_the_number_of_queries_does_not_grow_with_the_orders(
    django_assert_num_queries, orders
):
    store = StoreFactory()
    _day_of(store, orders)

    with django_assert_num_queries(BUILD_QUERIES):
        report = daily_sales_report_build(store=store, day=DAY, now=AFTER)

    assert report.orders_paid == orders
    assert report.refunds == Decimal("2.00") * len(range(0, orders, 3))
