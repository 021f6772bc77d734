"""Placing an order: lines checked, stock taken under row locks, order written."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from apps.core.exceptions import ConflictError, ValidationFailed, field_error
from apps.core.ids import uuid7
from apps.core.models import attach_prefetched, rows_where
from apps.core.money import MAX_AMOUNT, amount_string
from apps.customers.models import Address, Customer
from apps.customers.services import customer_create, customer_register
from apps.products.selectors import products_on_sale
from apps.products.services import StockLine, stock_reserve
from apps.stores.models import Store
from apps.stores.selectors import StoreAccess
from apps.users.models import User

from ..emails import CONFIRMATION, order_email_enqueue
from ..models import Order, OrderEvent, OrderItem
from ..numbers import order_number_next

ADDRESS_FIELDS = ("line1", "line2", "city", "postal_code", "country")


@dataclass(frozen=True)
class OrderLine:
    product_id: UUID
    quantity: int


@dataclass(frozen=True)
class NewCustomer:
    """A customer created with the order, without an account (staff only)."""

    email: str
    first_name: str = ""
    last_name: str = ""
    phone: str = ""


def _check_lines(lines: Sequence[OrderLine]) -> None:
    """Bounded, positive, distinct lines (the serializer checks the same first)."""
    limit = settings.ORDER_MAX_LINES
    if not 1 <= len(lines) <= limit:
        raise ValidationFailed.on_field(
            "lines", f"An order has 1 to {limit} lines.", "invalid_length"
        )
    errors = []
    seen: set[UUID] = set()
    for index, line in enumerate(lines):
        if not 1 <= line.quantity <= settings.ORDER_MAX_LINE_QUANTITY:
            errors.append(
                field_error(
                    f"lines.{index}.quantity",
                    f"A quantity is 1 to {settings.ORDER_MAX_LINE_QUANTITY}.",
                    "out_of_range",
                )
            )
        if line.product_id in seen:
            errors.append(
                field_error(
                    f"lines.{index}.product",
                    "This product is on another line already; add up the quantities.",
                    "duplicate",
                )
            )
        seen.add(line.product_id)
    if errors:
        raise ValidationFailed("Some lines are invalid; see `errors`.", errors=errors)


def _customer_for(
    *, access: StoreAccess, customer_id: UUID | None, new_customer: NewCustomer | None
) -> Customer:
    """Whom the order is for: the shopper themself, or a customer staff name."""
    store = access.store
    if not access.is_member:
        if customer_id is not None or new_customer is not None:
            raise ValidationFailed.on_field(
                "customer", "Shoppers order for themselves.", "not_allowed"
            )
        assert access.user is not None  # noqa: S101 - placing requires a login
        return _shopper_customer(store=store, user=access.user)
    if (customer_id is None) == (new_customer is None):
        raise ValidationFailed.on_field(
            "customer",
            "Give either `customer` (an existing customer's id) or `new_customer`.",
            "one_of_required",
        )
    if customer_id is not None:
        # Read by equality with a statement written once (rows_where, as
        # _shopper_customer reads): the ORM built it for every order, 0.33 ->
        # 0.08 ms of CPU (ADR 0074).
        found = rows_where(Customer, {"store_id": store.pk}, pks=[customer_id])
        if not found:
            raise ValidationFailed.on_field(
                "customer", "This store has no such customer.", "not_found"
            )
        return found[0]
    assert new_customer is not None  # noqa: S101 - exactly one was given
    return customer_create(
        store=store,
        email=new_customer.email,
        first_name=new_customer.first_name,
        last_name=new_customer.last_name,
        phone=new_customer.phone,
    )


def _shopper_customer(*, store: Store, user: User) -> Customer:
    """The shopper's customer in the store, registered with their first order.

    Two first orders of a new shopper at once (two tabs, a double click with
    two keys) both find no customer and both register; the one that loses
    the race is told ``already_customer`` once the winner has committed, and
    then reads the winner's row, so both orders are placed for one customer.
    """
    equal = {"store_id": store.pk, "user_id": user.pk}
    own = rows_where(Customer, equal)
    if own:
        return own[0]
    try:
        # customer_register runs in a savepoint of its own (transaction.atomic):
        # its failure leaves this transaction usable for the read below.
        return customer_register(store=store, user=user)
    except ConflictError as error:
        if error.code != "already_customer":
            raise
        own = rows_where(Customer, equal)
        if not own:
            raise
        return own[0]


def _address_snapshot(
    *,
    customer: Customer,
    address_id: UUID | None,
    address: Mapping[str, Any] | None,
) -> dict[str, str]:
    """The shipping address as it is now, copied onto the order."""
    if (address_id is None) == (address is None):
        raise ValidationFailed.on_field(
            "shipping_address",
            "Give either `shipping_address_id` (one of the customer's addresses) "
            "or `shipping_address`.",
            "one_of_required",
        )
    if address_id is not None:
        saved = Address.objects.filter(customer=customer, pk=address_id).first()
        if saved is None:
            raise ValidationFailed.on_field(
                "shipping_address_id",
                "The customer has no such address.",
                "not_found",
            )
        # str(): the country reads as a django-countries Country; JSON takes text.
        values = {name: str(getattr(saved, name)) for name in ADDRESS_FIELDS}
    else:
        assert address is not None  # noqa: S101 - checked above
        values = {name: str(address.get(name, "")) for name in ADDRESS_FIELDS}
    name = f"{customer.first_name} {customer.last_name}".strip()
    return {"name": str(address.get("name", name) if address else name), **values}


# No savepoint when it runs inside a caller's transaction (the view's, with the
# idempotency key): with stock_reserve's, two savepoints and their releases were
# four round trips of the placement's 25 (ADR 0066). A failure then aborts the
# caller's transaction, which rolls back as a whole; a caller that goes on
# after a failure wraps the call in an atomic block of its own.
@transaction.atomic(savepoint=False)
def order_place(
    *,
    access: StoreAccess,
    lines: Sequence[OrderLine],
    customer_id: UUID | None = None,
    new_customer: NewCustomer | None = None,
    shipping_address_id: UUID | None = None,
    shipping_address: Mapping[str, Any] | None = None,
    notes: str = "",
) -> Order:
    """Place an order for the caller (a shopper) or for a customer (staff).

    The returned order carries its lines and its ``placed`` event as written
    (``order.items.all()``, ``order.events.all()`` answer without a query, as
    after ``prefetch_related``); read the order again to see later changes.
    """
    if access.user is None:
        raise ValidationFailed("Sign in to place an order.", code="not_authenticated")
    placed_by: User = access.user
    store = access.store
    _check_lines(lines)
    customer = _customer_for(
        access=access, customer_id=customer_id, new_customer=new_customer
    )
    snapshot = _address_snapshot(
        customer=customer, address_id=shipping_address_id, address=shipping_address
    )
    order_id = uuid7()
    stock_lines = [
        StockLine(product_id=line.product_id, quantity=line.quantity, index=i)
        for i, line in enumerate(lines)
    ]
    # The stock is taken last, under row locks held from there to the commit:
    # the order, its lines, its event and its email are written first from an
    # unlocked read of the products, so clients buying the same hot products
    # queue for the locks over a few statements instead of the whole placement
    # (with the answer built from the written rows: 55 -> 40 ms per placement
    # in-process; docs/performance.md). A product that cannot be ordered is
    # reported by stock_reserve itself, before anything is written.
    products = products_on_sale(
        store_id=store.pk, product_ids=[line.product_id for line in lines]
    )
    reserved = len(products) < len(lines)
    if reserved:  # raises, naming the lines (unless they became orderable)
        products = stock_reserve(
            store_id=store.pk, lines=stock_lines, order_id=order_id, actor=placed_by
        )
    items = []
    for line in lines:
        product = products[line.product_id]
        items.append(
            OrderItem(
                product=product,
                sku=product.sku,
                name=product.name,
                unit_price=product.price,
                quantity=line.quantity,
                line_total=product.price * line.quantity,
            )
        )
    subtotal = sum((item.line_total for item in items), Decimal(0))
    if subtotal > MAX_AMOUNT:
        raise ValidationFailed.on_field(
            "lines",
            f"An order totals at most {MAX_AMOUNT} {store.currency}; split it.",
            "total_too_large",
        )
    now = timezone.now()
    order = Order.objects.create(
        id=order_id,
        store=store,
        customer=customer,
        number=order_number_next(),
        currency=store.currency,
        subtotal=subtotal,
        total=subtotal,
        item_count=sum(item.quantity for item in items),
        notes=notes,
        shipping_address=snapshot,
        placed_by=placed_by,
        expires_at=now + timedelta(minutes=store.unpaid_order_timeout_minutes),
    )
    for item in items:
        item.order = order
    OrderItem.objects.bulk_create(items)
    event = OrderEvent.objects.create(
        order=order,
        type=OrderEvent.Type.PLACED,
        actor=placed_by,
        at=now,
        data={"lines": len(items), "total": amount_string(order.total, order.currency)},
    )
    order_email_enqueue(order=order, kind=CONFIRMATION)  # same transaction
    if not reserved:
        stock_reserve(
            store_id=store.pk, lines=stock_lines, order_id=order_id, actor=placed_by
        )
    # What order_get would load, from the rows just written: the answer is
    # rendered without reading them back (three queries fewer, in the locks).
    attach_prefetched(order, "items", sorted(items, key=lambda item: item.pk))
    attach_prefetched(order, "events", [event])
    return order
