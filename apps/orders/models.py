"""Orders, their lines, their timeline, idempotency records and payment events.

Invariants:
- An order's status moves only through ``apps.orders.transitions``; every move
  writes an ``OrderEvent`` and sets the matching timestamp.
- Lines snapshot the product at placement (SKU, name, unit price): a later price
  change or a deleted product never changes an order.
- Amounts are DECIMAL(12, 3) (``apps.core.money``) in the order's ``currency``,
  copied from the store at placement; totals are computed on the server.
- ``number`` is unique within the store and readable by people; numbers come from
  one database sequence, so they increase but a store's numbers have gaps
  (ADR 0028).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from apps.core.models import BaseModel, UUIDModel
from apps.core.money import CURRENCY_CHOICES, money_field
from apps.customers.models import Customer
from apps.products.models import Product
from apps.stores.models import Store


class Order(BaseModel):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"  # placed, stock reserved, not paid yet
        PAID = "paid", "Paid"
        SHIPPED = "shipped", "Shipped"
        DELIVERED = "delivered", "Delivered"
        CANCELLED = "cancelled", "Cancelled"  # by a person, or expired unpaid
        REFUNDED = "refunded", "Refunded"

    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="orders")
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="orders"
    )
    number = models.PositiveBigIntegerField()
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.PENDING
    )
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    subtotal = money_field()
    total = money_field()
    # The units on the order (its lines' quantities added up), written at
    # placement: order lists show it without reading the lines. Lines never
    # change after placement, so it never goes stale. It came in as the worked
    # example of expand -> backfill -> contract (migrations 0003-0005,
    # docs/migrations.md).
    item_count = models.PositiveIntegerField(
        help_text="Units on the order: its lines' quantities added up."
    )
    notes = models.CharField(max_length=1000, blank=True)
    shipping_address = models.JSONField(
        help_text="The address as it was at placement (kind, lines, city, ...)."
    )
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    expires_at = models.DateTimeField(
        null=True, blank=True, help_text="A pending order not paid by then expires."
    )
    paid_at = models.DateTimeField(null=True, blank=True)
    shipped_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    refunded_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=200, blank=True)
    carrier = models.CharField(max_length=60, blank=True)
    tracking_number = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["store", "number"], name="orders_order_store_number_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(
                    status__in=[
                        "pending",
                        "paid",
                        "shipped",
                        "delivered",
                        "cancelled",
                        "refunded",
                    ]
                ),
                name="orders_order_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(subtotal__gte=0, total__gte=0),
                name="orders_order_amounts_not_negative",
            ),
        ]
        indexes = [
            # Staff lists: a store's orders, newest first, by status or not.
            models.Index(
                fields=["store", "status", "-id"], name="orders_store_status_id"
            ),
            # A shopper's own orders, and a customer's orders for staff.
            models.Index(
                fields=["store", "customer", "-id"], name="orders_store_customer_id"
            ),
            # The expiry task: only pending orders carry a deadline that matters.
            models.Index(
                fields=["expires_at"],
                condition=models.Q(status="pending"),
                name="orders_pending_expires_at",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.number}"


class OrderItem(UUIDModel):
    """One line: the product as it was when the order was placed."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="items")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    sku = models.CharField(max_length=64)
    name = models.CharField(max_length=200)
    unit_price = money_field()
    quantity = models.PositiveIntegerField()
    line_total = money_field()
    # Units put back on the shelf by a refund (never more than ``quantity``).
    restocked_quantity = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__gt=0),
                name="orders_orderitem_quantity_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(restocked_quantity__lte=models.F("quantity")),
                name="orders_orderitem_restocked_within_quantity",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.sku}"


class OrderEvent(UUIDModel):
    """One entry of an order's append-only timeline."""

    class Type(models.TextChoices):
        PLACED = "placed", "Placed"
        PAID = "paid", "Paid"
        SHIPPED = "shipped", "Shipped"
        DELIVERED = "delivered", "Delivered"
        CANCELLED = "cancelled", "Cancelled"
        EXPIRED = "expired", "Expired"
        REFUNDED = "refunded", "Refunded"
        PAYMENT_REJECTED = "payment_rejected", "Payment rejected"

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    type = models.CharField(max_length=32, choices=Type.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who made it happen; empty for the system and payment providers.",
    )
    data = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["order", "id"], name="orders_event_order_id")]

    def __str__(self) -> str:
        return f"{self.type} at {self.at:%Y-%m-%d %H:%M}"


class IdempotencyKey(BaseModel):
    """The first answer to a request sent with an ``Idempotency-Key`` header."""

    class State(models.TextChoices):
        IN_PROGRESS = "in_progress", "In progress"
        COMPLETED = "completed", "Completed"

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    state = models.CharField(
        max_length=16, choices=State.choices, default=State.IN_PROGRESS
    )
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.JSONField(null=True, blank=True)
    order = models.ForeignKey(
        Order, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["store", "user", "key"],
                name="orders_idempotencykey_store_user_key_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.key


class PaymentEvent(BaseModel):
    """A payment provider's callback, kept once per provider event id."""

    class Outcome(models.TextChoices):
        APPLIED = "applied", "Applied"  # the order is now paid
        REJECTED = "rejected", "Rejected"  # recorded, the order is unchanged

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="+")
    event_id = models.CharField(max_length=255)
    type = models.CharField(max_length=64)
    order = models.ForeignKey(
        Order,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="payment_events",
    )
    amount = models.CharField(max_length=40, blank=True)
    currency = models.CharField(max_length=8, blank=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    reason = models.CharField(max_length=64, blank=True)
    payload = models.JSONField()

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["store", "event_id"],
                name="orders_paymentevent_store_event_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.event_id
