"""Query-string filters of the order list and summary."""

import django_filters

from apps.core.filters import (
    AmountFilter,
    StrictChoiceFilter,
    StrictDateTimeFilter,
    StrictPositiveIntegerFilter,
    StrictUUIDFilter,
)

from .models import Order


class OrderFilter(django_filters.FilterSet):
    status = StrictChoiceFilter(choices=Order.Status.choices)
    created_after = StrictDateTimeFilter(
        field_name="created_at",
        lookup_expr="gte",
        help_text="Placed at or after this moment.",
    )
    created_before = StrictDateTimeFilter(
        field_name="created_at",
        lookup_expr="lt",
        help_text="Placed before this moment.",
    )
    customer = StrictUUIDFilter(field_name="customer_id")
    number = StrictPositiveIntegerFilter(field_name="number")
    total_min = AmountFilter(field_name="total", lookup_expr="gte")
    total_max = AmountFilter(field_name="total", lookup_expr="lte")

    class Meta:
        model = Order
        fields: list[str] = []
