"""Input and output shapes of the order endpoints.

Inputs name products, quantities, a customer and an address; never a price, a
total, a status or a store. Amounts are rendered as decimal strings with the
order currency's minor unit.
"""

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.core.models import max_length_of
from apps.core.money import TOTAL_MAX_DIGITS, amount_string
from apps.core.serializers import (
    AmountField,
    AmountInputField,
    StrictCharField,
    StrictInputSerializer,
    StrictIntegerField,
    StrictUUIDField,
    datetime_string,
)
from apps.customers.serializers import (
    AddressCreateInputSerializer,
    CustomerCreateInputSerializer,
)

from .models import Order, OrderEvent
from .transitions import allowed_verbs


class OrderLineInputSerializer(StrictInputSerializer):
    product = StrictUUIDField(help_text="The product's id.")
    quantity = StrictIntegerField(
        min_value=1, max_value=settings.ORDER_MAX_LINE_QUANTITY
    )


class ShippingAddressInputSerializer(AddressCreateInputSerializer):
    """An address for one order: a saved address's fields, plus the recipient."""

    kind = None  # type: ignore[assignment]  # a kind means nothing on an order
    name = StrictCharField(
        max_length=300,
        required=False,
        allow_blank=True,
        help_text="Recipient; the customer's name when left out.",
    )


class OrderPlaceInputSerializer(StrictInputSerializer):
    lines = serializers.ListField(
        child=OrderLineInputSerializer(),
        min_length=1,
        max_length=settings.ORDER_MAX_LINES,
        help_text="One line per product; a product appears on one line only.",
    )
    customer = StrictUUIDField(
        required=False,
        help_text="Staff: the id of an existing customer of the store. "
        "Shoppers leave it out: they order for themselves.",
    )
    new_customer = CustomerCreateInputSerializer(
        required=False,
        help_text="Staff: a customer to create with the order (no account).",
    )
    shipping_address_id = StrictUUIDField(
        required=False, help_text="One of the customer's saved addresses."
    )
    shipping_address = ShippingAddressInputSerializer(
        required=False, help_text="An address for this order only."
    )
    notes = StrictCharField(
        max_length=max_length_of(Order, "notes"), required=False, allow_blank=True
    )


class OrderCancelInputSerializer(StrictInputSerializer):
    reason = StrictCharField(
        max_length=max_length_of(Order, "cancel_reason"),
        required=False,
        allow_blank=True,
    )


class OrderShipInputSerializer(StrictInputSerializer):
    carrier = StrictCharField(
        max_length=max_length_of(Order, "carrier"), required=False, allow_blank=True
    )
    tracking_number = StrictCharField(
        max_length=max_length_of(Order, "tracking_number"),
        required=False,
        allow_blank=True,
    )


class RestockLineInputSerializer(StrictInputSerializer):
    item = StrictUUIDField(help_text="The id of a line of this order.")
    quantity = StrictIntegerField(
        min_value=1, max_value=settings.ORDER_MAX_LINE_QUANTITY
    )


class OrderRefundInputSerializer(StrictInputSerializer):
    restock = serializers.ListField(
        child=RestockLineInputSerializer(),
        required=False,
        max_length=settings.ORDER_MAX_LINES,
        help_text="Units that go back to stock (returned goods); none when left out.",
    )
    reason = StrictCharField(max_length=200, required=False, allow_blank=True)


class CustomerSummarySerializer(serializers.Serializer):
    id = serializers.UUIDField()
    email = serializers.EmailField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()


class OrderItemOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    product = serializers.UUIDField(source="product_id")
    sku = serializers.CharField()
    name = serializers.CharField()
    unit_price = AmountField(currency_source="order.currency")
    quantity = serializers.IntegerField()
    line_total = AmountField(currency_source="order.currency")
    restocked_quantity = serializers.IntegerField()


class OrderEventOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    type = serializers.ChoiceField(choices=OrderEvent.Type.choices)
    actor = serializers.SerializerMethodField()
    data = serializers.DictField()  # type: ignore[assignment]
    at = serializers.DateTimeField()

    @extend_schema_field(
        {
            "type": "object",
            "nullable": True,
            "properties": {
                "id": {"type": "string", "format": "uuid"},
                "email": {"type": "string"},
            },
        }
    )
    def get_actor(self, event: OrderEvent) -> dict[str, str] | None:
        if event.actor is None:
            return None
        return {"id": str(event.actor.pk), "email": event.actor.email}


class OrderOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    number = serializers.IntegerField()
    status = serializers.ChoiceField(choices=Order.Status.choices)
    currency = serializers.CharField()
    subtotal = AmountField(currency_source="currency")
    total = AmountField(currency_source="currency")
    item_count = serializers.IntegerField(
        help_text="Units on the order: its lines' quantities added up."
    )
    customer = CustomerSummarySerializer()
    created_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField(allow_null=True)


# The list endpoint's rows, rendered by hand. ``OrderOutputSerializer`` stays the
# documented shape (the schema is generated from it) and renders single orders;
# for a page of 25 orders DRF walks eleven field objects and a nested serializer
# per row over full model instances. Reading the columns with ``.values()`` and
# building the dicts here took the order list from 24.3 to 13.7 ms per request
# in-process, and from 83 to 122 req/s under load (docs/performance.md).
# apps/orders/tests/test_list_rows.py holds the two renderings to the same output.
# The rows hold apps.orders.selectors.ORDER_LIST_FIELDS.


def order_list_rows(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """``OrderOutputSerializer``'s output for rows read with ``ORDER_LIST_FIELDS``."""
    zone = timezone.get_current_timezone()
    return [
        {
            "id": str(row["id"]),
            "number": row["number"],
            "status": row["status"],
            "currency": row["currency"],
            "subtotal": amount_string(row["subtotal"], row["currency"]),
            "total": amount_string(row["total"], row["currency"]),
            "item_count": row["item_count"],
            "customer": {
                "id": str(row["customer_id"]),
                "email": row["customer__email"],
                "first_name": row["customer__first_name"],
                "last_name": row["customer__last_name"],
            },
            "created_at": datetime_string(row["created_at"], zone),
            "expires_at": datetime_string(row["expires_at"], zone),
        }
        for row in rows
    ]


class OrderDetailOutputSerializer(OrderOutputSerializer):
    items = OrderItemOutputSerializer(many=True)
    shipping_address = serializers.DictField(child=serializers.CharField())
    notes = serializers.CharField()
    paid_at = serializers.DateTimeField(allow_null=True)
    shipped_at = serializers.DateTimeField(allow_null=True)
    delivered_at = serializers.DateTimeField(allow_null=True)
    cancelled_at = serializers.DateTimeField(allow_null=True)
    refunded_at = serializers.DateTimeField(allow_null=True)
    cancel_reason = serializers.CharField()
    carrier = serializers.CharField()
    tracking_number = serializers.CharField()
    allowed_actions = serializers.SerializerMethodField(
        help_text="The verbs the order's status allows (the caller's role aside)."
    )
    events = OrderEventOutputSerializer(many=True)
    updated_at = serializers.DateTimeField()

    def get_allowed_actions(self, order: Order) -> list[str]:
        return [str(verb) for verb in allowed_verbs(order.status) if verb != "expire"]


# One order with its lines and timeline, rendered by hand for the same reason
# as the list's rows: building OrderDetailOutputSerializer copies its forty
# declared fields and those of its nested serializers on every call, most of
# the 1.7 ms (in-process, profiled) the representation took for a placement or
# a read of an order. ``OrderDetailOutputSerializer`` stays the documented
# shape; tests/test_list_rows.py holds both to the same bytes, so an order's
# ETag is the same whichever renders it.
def order_detail_data(order: Order) -> dict[str, Any]:
    """``OrderDetailOutputSerializer(order).data``, with items and events loaded."""
    currency = order.currency
    customer = order.customer
    return {
        "id": str(order.pk),
        "number": order.number,
        "status": str(order.status),
        "currency": currency,
        "subtotal": amount_string(order.subtotal, currency),
        "total": amount_string(order.total, currency),
        "item_count": order.item_count,
        "customer": None
        if customer is None
        else {
            "id": str(customer.pk),
            "email": customer.email,
            "first_name": customer.first_name,
            "last_name": customer.last_name,
        },
        "created_at": datetime_string(order.created_at),
        "expires_at": datetime_string(order.expires_at),
        "items": [
            {
                "id": str(item.pk),
                "product": str(item.product_id),
                "sku": item.sku,
                "name": item.name,
                "unit_price": amount_string(item.unit_price, currency),
                "quantity": item.quantity,
                "line_total": amount_string(item.line_total, currency),
                "restocked_quantity": item.restocked_quantity,
            }
            for item in order.items.all()
        ],
        "shipping_address": {
            str(key): None if value is None else str(value)
            for key, value in order.shipping_address.items()
        },
        "notes": order.notes,
        "paid_at": datetime_string(order.paid_at),
        "shipped_at": datetime_string(order.shipped_at),
        "delivered_at": datetime_string(order.delivered_at),
        "cancelled_at": datetime_string(order.cancelled_at),
        "refunded_at": datetime_string(order.refunded_at),
        "cancel_reason": order.cancel_reason,
        "carrier": order.carrier,
        "tracking_number": order.tracking_number,
        "allowed_actions": [
            str(verb) for verb in allowed_verbs(order.status) if verb != "expire"
        ],
        "events": [
            {
                "id": str(event.pk),
                "type": str(event.type),
                "actor": None
                if event.actor is None
                else {"id": str(event.actor.pk), "email": event.actor.email},
                "data": {str(key): value for key, value in event.data.items()},
                "at": datetime_string(event.at),
            }
            for event in order.events.all()
        ],
        "updated_at": datetime_string(order.updated_at),
    }


class OrderSummaryRowSerializer(serializers.Serializer):
    """The orders of one status: how many, and their total in `currency`."""

    status = serializers.ChoiceField(choices=Order.Status.choices)
    count = serializers.IntegerField()
    total = AmountField(
        max_digits=TOTAL_MAX_DIGITS,
        help_text="Sum of the orders' totals, in `currency`.",
    )


class OrderSummaryOutputSerializer(serializers.Serializer):
    currency = serializers.CharField()
    statuses = OrderSummaryRowSerializer(many=True)


class PaymentDataInputSerializer(serializers.Serializer):
    order_number = serializers.CharField(help_text="The order's number, e.g. `1042`.")
    amount = AmountInputField(
        help_text="Decimal string, e.g. `12.50`; it pays the order only when it "
        "equals the order's total."
    )
    currency = serializers.CharField(help_text="ISO 4217, e.g. `EUR`.")


class PaymentEventInputSerializer(serializers.Serializer):
    """What a provider sends (documentation only: the signature is checked first,
    and an event that does not match its order is recorded, not refused)."""

    type = serializers.CharField(help_text="`payment.succeeded` pays the order.")
    id = serializers.CharField(
        required=False, help_text="The provider's event id; each is processed once."
    )
    data = PaymentDataInputSerializer()  # type: ignore[assignment]


class PaymentResultSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=["applied", "rejected", "duplicate"])
    reason = serializers.CharField(
        help_text="Why a rejected event changed nothing (`amount_mismatch`, ...)."
    )
