"""Query-string filters of the product list."""

from typing import Any

import django_filters
from django.db.models import Q, QuerySet

from apps.core.filters import (
    AmountFilter,
    StrictBooleanFilter,
    StrictSearchFilter,
    StrictUUIDFilter,
)

from .models import Product


class ProductFilter(django_filters.FilterSet):
    category = StrictUUIDFilter(field_name="category_id")
    search = StrictSearchFilter(method="filter_search", max_length=100)
    price_min = AmountFilter(field_name="price", lookup_expr="gte")
    price_max = AmountFilter(field_name="price", lookup_expr="lte")
    # Optional: the public filter set leaves them out (None).
    active: StrictBooleanFilter | None = StrictBooleanFilter(field_name="is_active")
    low_stock: StrictBooleanFilter | None = StrictBooleanFilter(
        field_name="is_low_stock"
    )

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
