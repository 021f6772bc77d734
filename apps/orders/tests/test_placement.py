"""Placing an order: snapshots, totals, stock through the ledger, for whom."""

from decimal import Decimal

import pytest
from django.db import transaction
from django.test.utils import override_settings

from apps.core.exceptions import ConflictError, ValidationFailed
from apps.customers.models import Customer
from apps.customers.tests.factories import AddressFactory, CustomerFactory
from apps.orders.models import Order, OrderEvent
from apps.orders.services import NewCustomer, OrderLine, order_place
from apps.products.models import StockMovement
from apps.products.selectors import stock_reconciliation
from apps.products.tests.factories import ProductFactory
from apps.stores.selectors import StoreAccess
from apps.stores.tests.factories import MembershipFactory, StoreFactory
from apps.users.tests.factories import UserFactory

from .factories import ADDRESS

pytestmark = pytest.mark.django_db


@pytest.fixture
def store():
    return StoreFactory(currency="EUR", unpaid_order_timeout_minutes=30)


def _manager(store):
    user = MembershipFactory(store=store, role="manager").user
    return StoreAccess(store=store, role="manager", user=user)


def _shopper(store, user=None):
    return StoreAccess(store=store, role=None, user=user or UserFactory())


def _place_in_callers_transaction(**kwargs):
    """``order_place`` inside a caller's own ``atomic`` block.

    The service makes no savepoint when it runs inside a transaction (it is
    part of the caller's: ADR 0066), so a failure leaves that transaction to be
    rolled back. A test that goes on querying after a failure is such a caller:
    its block is the savepoint the failure rolls back to.
    """
    with transaction.atomic():
        return order_place(**kwargs)


def test_an_order_snapshots_its_lines_and_takes_stock_through_the_ledger(store):
    a = ProductFactory(store=store, stock=10, price=Decimal("12.50"))
    b = ProductFactory(store=store, stock=3, price=Decimal("4.00"))
    customer = CustomerFactory(store=store)

    order = order_place(
        access=_manager(store),
        lines=[OrderLine(a.pk, 2), OrderLine(b.pk, 3)],
        customer_id=customer.pk,
        shipping_address=ADDRESS,
    )

    assert order.status == Order.Status.PENDING
    assert order.currency == "EUR"
    assert order.subtotal == order.total == Decimal("37.00")
    assert order.item_count == 5  # 2 + 3 units
    assert order.number >= 1001
    assert order.expires_at is not None
    assert (order.expires_at - order.created_at).total_seconds() == pytest.approx(
        1800, abs=5
    )
    items = list(order.items.order_by("sku"))
    assert [(i.sku, i.unit_price, i.quantity, i.line_total) for i in items] == sorted(
        [
            (a.sku, Decimal("12.500"), 2, Decimal("25.000")),
            (b.sku, Decimal("4.000"), 3, Decimal("12.000")),
        ]
    )
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.stock_quantity, b.stock_quantity) == (8, 0)
    movements = StockMovement.objects.filter(order_id=order.pk)
    assert sorted(m.delta for m in movements) == [-3, -2]
    assert {m.reason for m in movements} == {StockMovement.Reason.ORDER_PLACED}
    assert not stock_reconciliation().exists()
    assert list(order.events.values_list("type", flat=True)) == [OrderEvent.Type.PLACED]
    assert order.shipping_address["city"] == "Lyon"
    assert order.shipping_address["name"] == (
        f"{customer.first_name} {customer.last_name}"
    )


def test_a_saved_address_is_snapshot_as_text(store):
    customer = CustomerFactory(store=store)
    saved = AddressFactory(customer=customer, city="Oslo", country="NO")
    order = order_place(
        access=_manager(store),
        lines=[OrderLine(ProductFactory(store=store, stock=1).pk, 1)],
        customer_id=customer.pk,
        shipping_address_id=saved.pk,
    )
    order.refresh_from_db()
    assert (order.shipping_address["city"], order.shipping_address["country"]) == (
        "Oslo",
        "NO",
    )


def test_a_later_price_change_does_not_change_the_order(store):
    product = ProductFactory(store=store, stock=5, price=Decimal("10"))
    order = order_place(
        access=_manager(store),
        lines=[OrderLine(product.pk, 1)],
        customer_id=CustomerFactory(store=store).pk,
        shipping_address=ADDRESS,
    )
    product.price = Decimal("99")
    product.name = "Renamed"
    product.save()
    item = order.items.get()
    assert (item.unit_price, item.name) == (Decimal("10.000"), item.name)
    assert item.name != "Renamed"


def test_a_shoppers_first_order_makes_them_a_customer_of_the_store(store):
    product = ProductFactory(store=store, stock=5)
    access = _shopper(store)
    order = order_place(
        access=access, lines=[OrderLine(product.pk, 1)], shipping_address=ADDRESS
    )
    customer = Customer.objects.get(store=store, user=access.user)
    assert order.customer == customer
    again = order_place(
        access=access, lines=[OrderLine(product.pk, 1)], shipping_address=ADDRESS
    )
    assert again.customer == customer
    assert again.number > order.number


def test_a_shopper_cannot_order_for_someone_else(store):
    product = ProductFactory(store=store, stock=5)
    other = CustomerFactory(store=store)
    with pytest.raises(ValidationFailed) as excinfo:
        _place_in_callers_transaction(
            access=_shopper(store),
            lines=[OrderLine(product.pk, 1)],
            customer_id=other.pk,
            shipping_address=ADDRESS,
        )
    assert excinfo.value.errors[0]["code"] == "not_allowed"
    assert not Order.objects.exists()


def test_staff_order_for_a_new_customer_without_an_account(store):
    product = ProductFactory(store=store, stock=5)
    order = order_place(
        access=_manager(store),
        lines=[OrderLine(product.pk, 1)],
        new_customer=NewCustomer(email="Phone@Example.com", first_name="Pat"),
        shipping_address=ADDRESS,
    )
    assert order.customer.email == "phone@example.com"
    assert order.customer.user is None


def test_staff_must_name_exactly_one_customer(store):
    product = ProductFactory(store=store, stock=5)
    with pytest.raises(ValidationFailed) as excinfo:
        _place_in_callers_transaction(
            access=_manager(store),
            lines=[OrderLine(product.pk, 1)],
            shipping_address=ADDRESS,
        )
    assert excinfo.value.errors[0]["code"] == "one_of_required"


def test_a_saved_address_is_copied_and_a_foreign_one_refused(store):
    product = ProductFactory(store=store, stock=5)
    customer = CustomerFactory(store=store)
    saved = AddressFactory(customer=customer, city="Nantes")
    order = order_place(
        access=_manager(store),
        lines=[OrderLine(product.pk, 1)],
        customer_id=customer.pk,
        shipping_address_id=saved.pk,
    )
    saved.city = "Brest"
    saved.save()
    order.refresh_from_db()
    assert order.shipping_address["city"] == "Nantes"

    someone_elses = AddressFactory(customer=CustomerFactory(store=store))
    with pytest.raises(ValidationFailed) as excinfo:
        _place_in_callers_transaction(
            access=_manager(store),
            lines=[OrderLine(product.pk, 1)],
            customer_id=customer.pk,
            shipping_address_id=someone_elses.pk,
        )
    assert excinfo.value.errors[0]["field"] == "shipping_address_id"


@pytest.mark.parametrize(
    "make",
    [
        lambda store: ProductFactory(store=StoreFactory(), stock=5),  # another store
        lambda store: ProductFactory(store=store, stock=5, is_active=False),
    ],
    ids=["other-store", "inactive"],
)
def test_products_not_for_sale_are_refused_per_line(store, make):
    good = ProductFactory(store=store, stock=5)
    bad = make(store)
    with pytest.raises(ValidationFailed) as excinfo:
        _place_in_callers_transaction(
            access=_manager(store),
            lines=[OrderLine(good.pk, 1), OrderLine(bad.pk, 1)],
            customer_id=CustomerFactory(store=store).pk,
            shipping_address=ADDRESS,
        )
    assert excinfo.value.errors == [
        {
            "field": "lines.1.product",
            "code": "unavailable",
            "message": "This product does not exist or is not for sale.",
        }
    ]
    good.refresh_from_db()
    assert good.stock_quantity == 5


def test_not_enough_stock_is_a_conflict_naming_each_short_line(store):
    a = ProductFactory(store=store, stock=1)
    b = ProductFactory(store=store, stock=5)
    with pytest.raises(ConflictError) as excinfo:
        _place_in_callers_transaction(
            access=_manager(store),
            lines=[OrderLine(b.pk, 2), OrderLine(a.pk, 3)],
            customer_id=CustomerFactory(store=store).pk,
            shipping_address=ADDRESS,
        )
    assert excinfo.value.code == "insufficient_stock"
    assert [e["field"] for e in excinfo.value.errors] == ["lines.1.quantity"]
    b.refresh_from_db()
    assert b.stock_quantity == 5  # nothing taken: all or nothing
    assert not Order.objects.exists()


@override_settings(ORDER_MAX_LINES=2, ORDER_MAX_LINE_QUANTITY=3)
def test_abuse_limits_bound_lines_and_quantities(store):
    products = [ProductFactory(store=store, stock=10) for _ in range(3)]
    customer = CustomerFactory(store=store)
    with pytest.raises(ValidationFailed):
        _place_in_callers_transaction(
            access=_manager(store),
            lines=[OrderLine(p.pk, 1) for p in products],
            customer_id=customer.pk,
            shipping_address=ADDRESS,
        )
    with pytest.raises(ValidationFailed) as excinfo:
        _place_in_callers_transaction(
            access=_manager(store),
            lines=[OrderLine(products[0].pk, 4), OrderLine(products[0].pk, 1)],
            customer_id=customer.pk,
            shipping_address=ADDRESS,
        )
    assert {e["code"] for e in excinfo.value.errors} == {"out_of_range", "duplicate"}


def test_an_order_too_large_for_the_column_is_refused(store):
    product = ProductFactory(store=store, stock=1000, price=Decimal("999999999"))
    with pytest.raises(ValidationFailed) as excinfo:
        _place_in_callers_transaction(
            access=_manager(store),
            lines=[OrderLine(product.pk, 2)],
            customer_id=CustomerFactory(store=store).pk,
            shipping_address=ADDRESS,
        )
    assert excinfo.value.errors[0]["code"] == "total_too_large"
    product.refresh_from_db()
    assert product.stock_quantity == 1000


def test_numbers_are_unique_per_store_and_increase(store):
    product = ProductFactory(store=store, stock=10)
    customer = CustomerFactory(store=store)
    numbers = [
        order_place(
            access=_manager(store),
            lines=[OrderLine(product.pk, 1)],
            customer_id=customer.pk,
            shipping_address=ADDRESS,
        ).number
        for _ in range(3)
    ]
    assert numbers == sorted(set(numbers))


def test_a_shopper_registered_by_a_concurrent_first_order_gets_that_customer(
    store, monkeypatch
):
    """The loser of the race to register reads the winner's customer.

    Played in one connection: the shopper's first read finds no customer (as
    in a request that read before the other committed), then registering
    answers already_customer, and the order is placed for the row that exists.
    """
    from apps.orders.services import placement

    user = UserFactory()
    winner = CustomerFactory(store=store, user=user, email=user.email)
    product = ProductFactory(store=store, stock=5)
    reads = []
    real_rows_where = placement.rows_where

    def first_read_misses(model, equal, **kwargs):
        reads.append(model)
        found = real_rows_where(model, equal, **kwargs)
        return [] if model is Customer and reads.count(Customer) == 1 else found

    monkeypatch.setattr(placement, "rows_where", first_read_misses)
    order = order_place(
        access=_shopper(store, user),
        lines=[OrderLine(product.pk, 1)],
        shipping_address=ADDRESS,
    )

    assert order.customer_id == winner.pk
    assert reads.count(Customer) == 2
    assert Customer.objects.filter(store=store, user=user).count() == 1


def test_a_shopper_whose_email_another_customer_holds_is_still_refused(
    store,
):
    user = UserFactory()
    CustomerFactory(store=store, email=user.email)  # staff's, no account
    product = ProductFactory(store=store, stock=5)
    with pytest.raises(ConflictError) as refused:
        _place_in_callers_transaction(
            access=_shopper(store, user),
            lines=[OrderLine(product.pk, 1)],
            shipping_address=ADDRESS,
        )
    assert refused.value.code == "customer_email_taken"
    assert not Order.objects.filter(store=store).exists()
