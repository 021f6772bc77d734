"""Order endpoints (thin: validate, call a service, render).

Shoppers place orders for themselves, read their own and cancel them while
pending; members read all of the store's orders and act on them as their role
allows (``apps.orders.rules``). Another customer's order is a 404.
"""

import functools
import re
from collections.abc import Sequence
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle

from apps.core.caching import (
    ConditionalWriteMixin,
    conditional_write,
    tagged_read,
)
from apps.core.exceptions import ValidationFailed
from apps.core.filters import filters_nothing
from apps.core.pagination import CursorPagination
from apps.core.serializers import ProblemSerializer
from apps.core.throttling import ThrottlesCountedTogetherMixin, UserRateThrottle
from apps.stores.scoping import IsStoreManager, StoreScopedViewMixin

from . import rules, services
from .filters import OrderFilter
from .models import Order
from .selectors import (
    ORDER_LIST_FIELDS,
    order_get,
    order_list,
    order_list_page,
    order_summary,
)
from .serializers import (
    OrderCancelInputSerializer,
    OrderDetailOutputSerializer,
    OrderOutputSerializer,
    OrderPlaceInputSerializer,
    OrderRefundInputSerializer,
    OrderShipInputSerializer,
    OrderSummaryOutputSerializer,
    order_detail_data,
    order_list_rows,
)
from .transitions import Verb

IDEMPOTENCY_KEY_MAX = 255
# Printable ASCII, no space at either end: what the schema declares and what is checked.
IDEMPOTENCY_KEY_PATTERN = rf"^[!-~](?:[ -~]{{0,{IDEMPOTENCY_KEY_MAX - 2}}}[!-~])?$"
IDEMPOTENCY_HEADER = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="Any unique string (a UUID is good), at most 255 printable ASCII "
    "characters. A retry with the same key and body gets the first answer again "
    "(`Idempotent-Replayed: true`); the same key with another body is 422.",
    pattern=IDEMPOTENCY_KEY_PATTERN,
)
REPLAYED_HEADER = OpenApiParameter(
    "Idempotent-Replayed",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    response=[201],
    enum=["true", "false"],
    description="Sent when the request carried an `Idempotency-Key`: `true` when "
    "this is the stored answer of an earlier request with the same key and body.",
)
PLACE_CONFLICT = OpenApiResponse(
    ProblemSerializer,
    description="`insufficient_stock` (per line in `errors`), "
    "`idempotency_key_in_progress`, `customer_email_taken`",
)
TRANSITION_CONFLICT = OpenApiResponse(
    ProblemSerializer, description="`invalid_transition`"
)
KEY_REUSED = OpenApiResponse(ProblemSerializer, description="`idempotency_key_reused`")


class OrderPlacementThrottle(UserRateThrottle):
    scope = "order_placement"


def _idempotency_key(request: Request) -> str | None:
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return None
    if re.fullmatch(IDEMPOTENCY_KEY_PATTERN, key) is None:
        raise ValidationFailed.on_field(
            "Idempotency-Key",
            f"An Idempotency-Key is 1 to {IDEMPOTENCY_KEY_MAX} printable ASCII "
            "characters, without surrounding spaces.",
        )
    return key


# What every verb answers: the order, or why it did not move.
VERB_RESPONSES = {200: OrderDetailOutputSerializer, 409: TRANSITION_CONFLICT}


@extend_schema(tags=["orders"])
@extend_schema_view(
    retrieve=tagged_read(
        "Read an order with its lines and timeline", OrderDetailOutputSerializer
    )
)
class OrderViewSet(
    ThrottlesCountedTogetherMixin,  # a placement has two counters
    StoreScopedViewMixin,
    mixins.ListModelMixin,
    ConditionalWriteMixin,
    viewsets.GenericViewSet,
):
    queryset = Order.objects.none()  # the model, for the schema; rows: selectors
    serializer_class = OrderOutputSerializer
    filterset_class = OrderFilter
    lookup_url_kwarg = "order_id"

    def get_permissions(self) -> list[BasePermission]:
        if self.action == "summary":
            return [IsStoreManager()]
        return [IsAuthenticated()]

    def get_throttles(self) -> list[BaseThrottle]:
        if self.action == "create":
            return [*super().get_throttles(), OrderPlacementThrottle()]
        return super().get_throttles()

    def get_queryset(self) -> QuerySet[Order]:
        return order_list(access=self.store_access)

    def get_object(self) -> Order:
        return order_get(access=self.store_access, order_id=self.kwargs["order_id"])

    def representation(self, instance: Order) -> Any:
        return order_detail_data(instance)

    def reload(self, instance: Order) -> Order:
        return order_get(access=self.store_access, order_id=instance.pk)

    def _acting_on(self, verb: Verb) -> Order:
        """The order (404 if the caller may not see it), if the role allows ``verb``."""
        order = self.get_object()
        if not rules.may(role=self.store_role, verb=verb):
            raise PermissionDenied(f"Your role in this store cannot {verb} orders.")
        return order

    @extend_schema(summary="List orders (members: all; shoppers: their own)")
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # Columns, not model instances, rendered by hand (see order_list_rows);
        # with no filter, read by a written-out statement (order_list_page).
        page: Sequence[Any] | None
        if filters_nothing(request, self) and isinstance(
            self.paginator, CursorPagination
        ):
            page = self.paginator.paginate_rows(
                functools.partial(order_list_page, access=self.store_access),
                Order,
                request,
                view=self,
            )
        else:
            queryset = self.filter_queryset(self.get_queryset())
            page = self.paginate_queryset(queryset.values(*ORDER_LIST_FIELDS))
        return self.get_paginated_response(order_list_rows(page or []))

    @extend_schema(
        summary="Place an order (shoppers for themselves, members for a customer)",
        parameters=[IDEMPOTENCY_HEADER, REPLAYED_HEADER],
        request=OrderPlaceInputSerializer,
        responses={
            201: OrderDetailOutputSerializer,
            409: PLACE_CONFLICT,
            422: KEY_REUSED,
        },
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        key = _idempotency_key(request)

        def place() -> services.Outcome:
            serializer = OrderPlaceInputSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            data = serializer.validated_data
            new_customer = data.get("new_customer")
            order = services.order_place(
                access=self.store_access,
                lines=[
                    services.OrderLine(
                        product_id=line["product"], quantity=line["quantity"]
                    )
                    for line in data["lines"]
                ],
                customer_id=data.get("customer"),
                new_customer=services.NewCustomer(**new_customer)
                if new_customer
                else None,
                shipping_address_id=data.get("shipping_address_id"),
                shipping_address=data.get("shipping_address"),
                notes=data.get("notes", ""),
            )
            body = self.representation(order)  # lines and timeline attached
            return services.Outcome(
                status=status.HTTP_201_CREATED, body=body, order=order
            )

        assert self.store_access.user is not None  # noqa: S101 - IsAuthenticated
        outcome = services.idempotent(
            store=self.store,
            user=self.store_access.user,
            key=key,
            fingerprint=services.idempotency_fingerprint(
                method=request.method or "POST", path=request.path, data=request.data
            ),
            run=place,
        )
        response = Response(outcome.body, status=outcome.status)
        if key is not None:
            response["Idempotent-Replayed"] = "true" if outcome.replayed else "false"
        return response

    @conditional_write(
        summary="Cancel a pending order (members; shoppers their own)",
        request=OrderCancelInputSerializer,
        responses=VERB_RESPONSES,
    )
    @action(detail=True, methods=["post"], url_path="cancel", url_name="cancel")
    def cancel(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponse:
        serializer = OrderCancelInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        order = services.order_cancel(
            order=self._acting_on(Verb.CANCEL),
            actor=self.store_access.user,
            reason=serializer.validated_data.get("reason", ""),
            if_match=self.if_match(),
        )
        return self.tagged(order)

    @conditional_write(
        summary="Mark a pending order paid, e.g. paid offline (owner, manager)",
        request=None,
        responses=VERB_RESPONSES,
    )
    @action(detail=True, methods=["post"], url_path="pay", url_name="pay")
    def pay(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponse:
        self._no_body(request)
        order = services.order_pay(
            order=self._acting_on(Verb.PAY),
            actor=self.store_access.user,
            data={"method": "offline"},
            if_match=self.if_match(),
        )
        return self.tagged(order)

    @conditional_write(
        summary="Ship a paid order (members)",
        request=OrderShipInputSerializer,
        responses=VERB_RESPONSES,
    )
    @action(detail=True, methods=["post"], url_path="ship", url_name="ship")
    def ship(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponse:
        serializer = OrderShipInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        order = services.order_ship(
            order=self._acting_on(Verb.SHIP),
            actor=self.store_access.user,
            if_match=self.if_match(),
            **serializer.validated_data,
        )
        return self.tagged(order)

    @conditional_write(
        summary="Mark a shipped order delivered (members)",
        request=None,
        responses=VERB_RESPONSES,
    )
    @action(detail=True, methods=["post"], url_path="deliver", url_name="deliver")
    def deliver(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponse:
        self._no_body(request)
        order = services.order_deliver(
            order=self._acting_on(Verb.DELIVER),
            actor=self.store_access.user,
            if_match=self.if_match(),
        )
        return self.tagged(order)

    @conditional_write(
        summary="Refund a paid, shipped or delivered order (owner, manager)",
        request=OrderRefundInputSerializer,
        responses=VERB_RESPONSES,
    )
    @action(detail=True, methods=["post"], url_path="refund", url_name="refund")
    def refund(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponse:
        serializer = OrderRefundInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        order = services.order_refund(
            order=self._acting_on(Verb.REFUND),
            actor=self.store_access.user,
            restock=[
                services.RestockLine(item_id=line["item"], quantity=line["quantity"])
                for line in data.get("restock", [])
            ],
            reason=data.get("reason", ""),
            if_match=self.if_match(),
        )
        return self.tagged(order)

    @extend_schema(
        summary="Orders and sales per status, for the list's filters (owner, manager)",
        responses={200: OrderSummaryOutputSerializer},
    )
    @action(detail=False, methods=["get"], url_path="summary", url_name="summary")
    def summary(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        queryset = self.filter_queryset(self.get_queryset())
        currency = self.store.currency
        summary = {"currency": currency, "statuses": order_summary(queryset)}
        return Response(
            OrderSummaryOutputSerializer(summary, context={"currency": currency}).data
        )

    @staticmethod
    def _no_body(request: Request) -> None:
        if request.data:
            raise ValidationFailed.on_field(
                None, "This action takes no body.", "unexpected_body"
            )
