"""Orders in the admin: read-only records, moved only through the services.

The list and the actions follow the same per-store scoping as the catalog
(``StoreScopedAdminMixin``) and the same role table as the API
(``apps.orders.rules``): an action on an order that the state or the role
forbids says so for that order and leaves it as it was.
"""

from collections.abc import Callable
from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from apps.core.exceptions import ApplicationError
from apps.core.money import format_amount
from apps.stores.scoping import StoreScopedAdminMixin
from apps.stores.selectors import member_has_role
from apps.users.selectors import user_from_request

from . import rules, services
from .models import Order, OrderEvent, OrderItem, PaymentEvent
from .transitions import Verb


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Part of the order: whoever may view the order sees its lines and events.
        return request.user.has_perm("orders.view_order")


class OrderItemInline(ReadOnlyInline):
    model = OrderItem
    fields = ("sku", "name", "price", "quantity", "amount", "restocked_quantity")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[OrderItem]:
        return super().get_queryset(request).select_related("order")

    @admin.display(description="Unit price")
    def price(self, item: OrderItem) -> str:
        return format_amount(item.unit_price, item.order.currency)

    @admin.display(description="Line total")
    def amount(self, item: OrderItem) -> str:
        return format_amount(item.line_total, item.order.currency)


class OrderEventInline(ReadOnlyInline):
    model = OrderEvent
    fields = ("at", "type", "actor", "data")
    readonly_fields = fields
    ordering = ("id",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[OrderEvent]:
        return super().get_queryset(request).select_related("actor")


@admin.register(Order)
class OrderAdmin(StoreScopedAdminMixin, admin.ModelAdmin[Order]):
    list_display = (
        "number",
        "store",
        "customer",
        "status",
        "item_count",
        "total_amount",
        "created_at",
    )
    list_filter = ("status", ("store", admin.RelatedOnlyFieldListFilter), "created_at")
    list_select_related = ("store", "customer")
    search_fields = ("=number", "customer__email", "items__sku")
    date_hierarchy = "created_at"
    inlines = (OrderItemInline, OrderEventInline)
    actions = ("mark_paid", "ship", "cancel", "refund", "refund_and_restock")
    readonly_fields = (
        "number",
        "store",
        "customer",
        "status",
        "currency",
        "item_count",
        "subtotal_amount",
        "total_amount",
        "ship_to",
        "placed_by",
        "expires_at",
        "paid_at",
        "shipped_at",
        "delivered_at",
        "cancelled_at",
        "refunded_at",
        "cancel_reason",
        "carrier",
        "tracking_number",
        "created_at",
    )
    fields = (*readonly_fields[:-1], "notes")

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False  # orders are placed through the API, where stock is taken

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # the timeline and the ledger point at orders

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Order], search_term: str
    ) -> tuple[QuerySet[Order], bool]:
        if search_term.strip().isdigit() or not search_term.strip():
            return super().get_search_results(request, queryset, search_term)
        # "=number" would compare a word with an integer column: leave it out.
        queryset = queryset.filter(customer__email__icontains=search_term.strip()) | (
            queryset.filter(items__sku__icontains=search_term.strip())
        )
        return queryset.distinct(), True

    @admin.display(description="Total", ordering="total")
    def total_amount(self, order: Order) -> str:
        return format_amount(order.total, order.currency)

    @admin.display(description="Shipping address")
    def ship_to(self, order: Order) -> str:
        address = order.shipping_address
        parts = ("name", "line1", "line2", "postal_code", "city", "country")
        return ", ".join(str(address[k]) for k in parts if address.get(k))

    @admin.display(description="Subtotal")
    def subtotal_amount(self, order: Order) -> str:
        return format_amount(order.subtotal, order.currency)

    def _apply(
        self,
        request: HttpRequest,
        queryset: QuerySet[Order],
        verb: Verb,
        call: Callable[[Order, Any], Order],
    ) -> None:
        actor = user_from_request(request)
        done = 0
        for order in queryset.select_related("store"):
            if not request.user.is_superuser and not member_has_role(
                user=actor, roles=rules.VERB_ROLES[verb], store=order.store
            ):
                self.message_user(
                    request,
                    f"#{order.number}: your role in {order.store} cannot {verb}.",
                    messages.ERROR,
                )
                continue
            try:
                call(order, actor)
                done += 1
            except ApplicationError as exc:
                self.message_user(
                    request, f"#{order.number}: {exc.message}", messages.ERROR
                )
        if done:
            self.message_user(request, f"{verb.capitalize()}: {done} order(s) done.")

    @admin.action(description="Mark selected orders paid")
    def mark_paid(self, request: HttpRequest, queryset: QuerySet[Order]) -> None:
        self._apply(
            request,
            queryset,
            Verb.PAY,
            lambda order, actor: services.order_pay(
                order=order, actor=actor, data={"method": "offline", "via": "admin"}
            ),
        )

    @admin.action(description="Ship selected orders")
    def ship(self, request: HttpRequest, queryset: QuerySet[Order]) -> None:
        self._apply(
            request,
            queryset,
            Verb.SHIP,
            lambda order, actor: services.order_ship(order=order, actor=actor),
        )

    @admin.action(description="Cancel selected orders (stock goes back)")
    def cancel(self, request: HttpRequest, queryset: QuerySet[Order]) -> None:
        self._apply(
            request,
            queryset,
            Verb.CANCEL,
            lambda order, actor: services.order_cancel(
                order=order, actor=actor, reason="Cancelled in the admin."
            ),
        )

    @admin.action(description="Refund selected orders (stock stays sold)")
    def refund(self, request: HttpRequest, queryset: QuerySet[Order]) -> None:
        self._apply(
            request,
            queryset,
            Verb.REFUND,
            lambda order, actor: services.order_refund(order=order, actor=actor),
        )

    @admin.action(description="Refund selected orders and restock every unit")
    def refund_and_restock(
        self, request: HttpRequest, queryset: QuerySet[Order]
    ) -> None:
        self._apply(
            request,
            queryset,
            Verb.REFUND,
            lambda order, actor: services.order_refund(
                order=order,
                actor=actor,
                restock=[
                    services.RestockLine(item_id=item.pk, quantity=item.quantity)
                    for item in order.items.all()
                ],
            ),
        )


@admin.register(PaymentEvent)
class PaymentEventAdmin(StoreScopedAdminMixin, admin.ModelAdmin[PaymentEvent]):
    list_display = ("event_id", "store", "order", "outcome", "reason", "created_at")
    list_filter = ("outcome", ("store", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("store", "order")
    search_fields = ("event_id",)
    readonly_fields = (
        "event_id",
        "store",
        "order",
        "type",
        "amount",
        "currency",
        "outcome",
        "reason",
        "payload",
        "created_at",
    )
    fields = readonly_fields

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
