"""Query-string filters of the product list."""

from decimal import Decimal
from typing import Any

import django_filters
from django.db.models import Q, QuerySet

from .models import Product

PRICE_BOUNDS: dict[str, Any] = {
    "min_value": Decimal("0"),
    "max_value": Decimal("999999999.999"),
    "max_digits": 12,
    "decimal_places": 3,
}


class ProductFilter(django_filters.FilterSet):
    category = django_filters.UUIDFilter(field_name="category_id")
    search = django_filters.CharFilter(method="filter_search", max_length=100)
    # Bounded like the column (DECIMAL(12, 3)), so no value can overflow it.
    price_min = django_filters.NumberFilter(
        field_name="price", lookup_expr="gte", **PRICE_BOUNDS
    )
    price_max = django_filters.NumberFilter(
        field_name="price", lookup_expr="lte", **PRICE_BOUNDS
    )
    active = django_filters.BooleanFilter(field_name="is_active")
    low_stock = django_filters.BooleanFilter(field_name="is_low_stock")

    class Meta:
        model = Product
        fields: list[str] = []

    def filter_search(self, queryset: QuerySet[Product], name: str, value: str) -> Any:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(sku__icontains=value))


class PublicProductFilter(ProductFilter):
    """Shoppers filter the active catalog; stock levels are staff-only."""

    active = None
    low_stock = None
