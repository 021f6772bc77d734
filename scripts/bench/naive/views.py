"""The tutorial way: a ModelViewSet over the model, filtered by the URL's store.

The order placement is the textbook one too: read each product, check its
stock, subtract and save, in one transaction but without a row lock. The
benchmark's oversell check shows what that costs.
"""

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from rest_framework import serializers, viewsets
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated

from apps.customers.models import Customer
from apps.orders.models import Order, OrderEvent, OrderItem
from apps.orders.numbers import order_number_next
from apps.products.models import Product
from apps.stores.models import Store


class Pages(PageNumberPagination):
    page_size = 20


class ProductSerializer(serializers.ModelSerializer):
    class Meta:
        model = Product
        fields = ["id", "sku", "name", "description", "price", "category", "created_at"]


class CustomerSerializer(serializers.ModelSerializer):
    class Meta:
        model = Customer
        fields = ["id", "email", "first_name", "last_name"]


class OrderItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = OrderItem
        fields = ["id", "product", "sku", "name", "unit_price", "quantity"]


class OrderEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = OrderEvent
        fields = ["id", "type", "actor", "data", "at"]


class LineSerializer(serializers.Serializer):
    product = serializers.UUIDField()
    quantity = serializers.IntegerField(min_value=1)


class OrderSerializer(serializers.ModelSerializer):
    customer = CustomerSerializer(read_only=True)
    items = OrderItemSerializer(many=True, read_only=True)
    events = OrderEventSerializer(many=True, read_only=True)
    lines = LineSerializer(many=True, write_only=True)

    class Meta:
        model = Order
        read_only_fields = ["number", "status", "currency", "subtotal", "total"]
        read_only_fields += ["item_count"]
        fields = ["id", *read_only_fields, "customer", "items", "events", "lines"]
        fields += ["created_at"]

    @transaction.atomic
    def create(self, validated_data: dict[str, Any]) -> Order:
        store: Store = self.context["store"]
        customer = Customer.objects.get(pk=validated_data["customer_id"], store=store)
        order = Order.objects.create(
            store=store,
            customer=customer,
            number=order_number_next(),
            currency=store.currency,
            subtotal=Decimal(0),
            total=Decimal(0),
            item_count=0,
            shipping_address={},
            expires_at=timezone.now(),
        )
        for line in validated_data["lines"]:
            product = Product.objects.get(pk=line["product"], store=store)
            if product.stock_quantity < line["quantity"]:
                raise serializers.ValidationError("Not enough stock.")
            product.stock_quantity -= line["quantity"]
            product.save()
            OrderItem.objects.create(
                order=order,
                product=product,
                sku=product.sku,
                name=product.name,
                unit_price=product.price,
                quantity=line["quantity"],
                line_total=product.price * line["quantity"],
            )
            order.subtotal += product.price * line["quantity"]
            order.item_count += line["quantity"]
        order.total = order.subtotal
        order.save()
        OrderEvent.objects.create(order=order, type="placed")
        return order


class ProductViewSet(viewsets.ModelViewSet):
    serializer_class = ProductSerializer
    pagination_class = Pages

    def get_permissions(self) -> list[BasePermission]:
        return [AllowAny()]

    def get_queryset(self) -> QuerySet[Product]:
        return Product.objects.filter(
            store__slug=self.kwargs["store_slug"],
            is_active=True,
            deleted_at__isnull=True,
        ).order_by("-created_at")


class OrderListSerializer(serializers.ModelSerializer):
    customer = CustomerSerializer(read_only=True)

    class Meta:
        model = Order
        fields = [*OrderSerializer.Meta.read_only_fields, "id", "customer"]
        fields += ["created_at", "expires_at"]


class OrderViewSet(viewsets.ModelViewSet):
    serializer_class = OrderSerializer
    pagination_class = Pages
    permission_classes = [IsAuthenticated]

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Order]]:
        return OrderListSerializer if self.action == "list" else OrderSerializer

    def get_queryset(self) -> QuerySet[Order]:
        return Order.objects.filter(
            store__slug=self.kwargs["store_slug"],
            store__memberships__user=self.request.user.pk,
        ).order_by("-created_at")

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        context["store"] = Store.objects.get(slug=self.kwargs["store_slug"])
        return context

    def perform_create(self, serializer: serializers.BaseSerializer[Order]) -> None:
        serializer.save(customer_id=self.request.data["customer"])
