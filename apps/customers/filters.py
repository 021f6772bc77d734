"""Query-string filters of the staff customer list."""

from typing import Any

import django_filters
from django.db.models import Q, QuerySet

from apps.core.filters import (
    StrictBooleanFilter,
    StrictChoiceFilter,
    StrictSearchFilter,
)

from .models import Customer, Tier


class CustomerFilter(django_filters.FilterSet):
    search = StrictSearchFilter(
        method="filter_search",
        max_length=100,
        help_text="Part of the email, first name or last name, in any casing.",
    )
    # ``tier`` and ``order_count`` are annotations of the selector's queryset.
    tier = StrictChoiceFilter(field_name="tier", choices=Tier.choices)
    has_orders = StrictBooleanFilter(
        method="filter_has_orders", help_text="Only customers with (or without) orders."
    )

    class Meta:
        model = Customer
        fields: list[str] = []

    def filter_search(self, queryset: QuerySet[Customer], name: str, value: str) -> Any:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(email__icontains=value)
            | Q(first_name__icontains=value)
            | Q(last_name__icontains=value)
        )

    def filter_has_orders(
        self, queryset: QuerySet[Customer], name: str, value: bool | None
    ) -> Any:
        if value is None:
            return queryset
        # A Q object: the type checker does not know the annotation.
        has_orders = Q(order_count__gt=0)
        return queryset.filter(has_orders if value else ~has_orders)
