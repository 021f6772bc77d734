"""Input and output shapes of the customer and address endpoints."""

from decimal import Decimal
from typing import Any

from django.core.validators import RegexValidator
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.core.serializers import StrictInputSerializer
from apps.stores.currencies import quantize

from .countries import COUNTRY_CODES
from .models import Address, Customer, Tier

# Money is a decimal string with the currency's minor unit: "12", "12.50", "1.250".
MONEY_SCHEMA = {
    "type": "string",
    "format": "decimal",
    "pattern": r"^-?\d+(\.\d{1,3})?$",
    "example": "120.50",
}

phone_validator = RegexValidator(
    r"^\+?[0-9][0-9 ().-]{2,30}$",
    message="Enter a phone number: digits, spaces, dots, dashes, brackets, "
    "optionally starting with +.",
    code="invalid_phone",
)


class CountryField(serializers.CharField):
    """An ISO 3166-1 alpha-2 code in any casing, returned upper case."""

    default_error_messages = {
        "invalid_country": "{value!r} is not an ISO 3166-1 alpha-2 country code "
        "(e.g. FR, US).",
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_length", 2)
        kwargs.setdefault("max_length", 2)
        kwargs.setdefault("help_text", "ISO 3166-1 alpha-2 code, e.g. `FR`.")
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> str:
        value = str(super().to_internal_value(data)).upper()
        if value not in COUNTRY_CODES:
            self.fail("invalid_country", value=value)
        return value


# --- Customers -------------------------------------------------------------------


class _CustomerContactFields(StrictInputSerializer):
    first_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    last_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    phone = serializers.CharField(
        max_length=32, required=False, allow_blank=True, validators=[phone_validator]
    )


class CustomerCreateInputSerializer(_CustomerContactFields):
    email = serializers.EmailField(max_length=254)


class CustomerUpdateInputSerializer(_CustomerContactFields):
    email = serializers.EmailField(max_length=254, required=False)


class CustomerMeUpdateInputSerializer(_CustomerContactFields):
    """A customer's own changes; the email follows their account."""


class CustomerOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    email = serializers.EmailField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    phone = serializers.CharField()
    has_account = serializers.SerializerMethodField(
        help_text="Whether a user account is linked to this customer."
    )
    order_count = serializers.IntegerField()
    total_spent = serializers.SerializerMethodField(
        help_text="Sum of the paid, shipped and delivered orders, in `currency`."
    )
    currency = serializers.CharField(source="store.currency", help_text="ISO 4217.")
    last_order_at = serializers.DateTimeField(allow_null=True)
    tier = serializers.ChoiceField(choices=Tier.choices)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    def get_has_account(self, customer: Customer) -> bool:
        return customer.user_id is not None

    @extend_schema_field(MONEY_SCHEMA)
    def get_total_spent(self, customer: Customer) -> str:
        # An annotation of the selectors, unknown to the model's type.
        amount: Decimal = getattr(customer, "total_spent")  # noqa: B009
        return str(quantize(amount, customer.store.currency))


# --- Addresses -------------------------------------------------------------------


class AddressCreateInputSerializer(StrictInputSerializer):
    kind = serializers.ChoiceField(
        choices=Address.Kind.choices, default=Address.Kind.SHIPPING
    )
    line1 = serializers.CharField(max_length=200)
    line2 = serializers.CharField(max_length=200, required=False, allow_blank=True)
    city = serializers.CharField(max_length=120)
    postal_code = serializers.CharField(max_length=20, required=False, allow_blank=True)
    country = CountryField()


class AddressUpdateInputSerializer(StrictInputSerializer):
    kind = serializers.ChoiceField(choices=Address.Kind.choices, required=False)
    line1 = serializers.CharField(max_length=200, required=False)
    line2 = serializers.CharField(max_length=200, required=False, allow_blank=True)
    city = serializers.CharField(max_length=120, required=False)
    postal_code = serializers.CharField(max_length=20, required=False, allow_blank=True)
    country = CountryField(required=False)


class AddressOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    kind = serializers.ChoiceField(choices=Address.Kind.choices)
    line1 = serializers.CharField()
    line2 = serializers.CharField()
    city = serializers.CharField()
    postal_code = serializers.CharField()
    country = serializers.CharField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
