"""Report output: amounts as strings with the currency's minor unit."""

from typing import Any

from rest_framework import serializers

from apps.core.money import TOTAL_MAX_DIGITS
from apps.core.serializers import AmountField


def _amount(**kwargs: Any) -> AmountField:
    return AmountField(currency_source="currency", **kwargs)


class TopProductOutputSerializer(serializers.Serializer):
    sku = serializers.CharField()
    name = serializers.CharField()
    quantity = serializers.IntegerField()
    revenue = serializers.CharField(help_text="Decimal string, in `currency`.")


class SalesFiguresOutputSerializer(serializers.Serializer):
    date = serializers.DateField(help_text="The day, in the store's time zone.")
    currency = serializers.CharField(help_text="ISO 4217, e.g. `EUR`.")
    orders_placed = serializers.IntegerField()
    orders_paid = serializers.IntegerField()
    gross_sales = _amount(max_digits=TOTAL_MAX_DIGITS)
    refunds = _amount(max_digits=TOTAL_MAX_DIGITS)
    # Negative when the day's refunds of earlier sales exceed its sales.
    net_sales = _amount(max_digits=TOTAL_MAX_DIGITS, signed=True)
    average_order_value = _amount()
    items_sold = serializers.IntegerField()
    new_customers = serializers.IntegerField()
    top_products = TopProductOutputSerializer(many=True)


class DailySalesReportOutputSerializer(SalesFiguresOutputSerializer):
    built_at = serializers.DateTimeField(
        source="updated_at", help_text="When the report was last built."
    )


class SalesTodayOutputSerializer(SalesFiguresOutputSerializer):
    as_of = serializers.DateTimeField(help_text="The figures count up to here.")
