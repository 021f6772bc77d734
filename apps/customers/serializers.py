"""Input and output shapes of the customer and address endpoints.

Lengths come from the model fields (``max_length_of``); countries are
django-countries' ISO 3166-1 alpha-2 codes, upper case, published as an enum
(ADR 0030).
"""

from typing import Any

from django.core.validators import RegexValidator
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.core.models import max_length_of
from apps.core.money import TOTAL_MAX_DIGITS
from apps.core.serializers import (
    AmountField,
    StrictCharField,
    StrictEmailField,
    StrictInputSerializer,
)

from .countries import COUNTRY_CODES
from .models import Address, Customer, Tier

# \Z, not $: a final newline is not part of a phone number (the schema shows $).
phone_validator = RegexValidator(
    r"^\+?[0-9][0-9 ().-]{2,30}\Z",
    message="Enter a phone number: digits, spaces, dots, dashes, brackets, "
    "optionally starting with +.",
    code="invalid_phone",
)


@extend_schema_field(
    {
        "type": "string",
        "enum": list(COUNTRY_CODES),
        "description": "An ISO 3166-1 alpha-2 country code, upper case.",
        "example": "FR",
    },
    component_name="CountryCode",
)
class CountryField(StrictCharField):
    """An ISO 3166-1 alpha-2 code, upper case, matched as sent (``FR``, not ``fr``).

    One of ``COUNTRY_CODES``, the schema's enum: a code in another casing is
    refused with a message that gives the upper-case spelling.
    """

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("trim_whitespace", False)
        kwargs.setdefault("help_text", "ISO 3166-1 alpha-2 code, e.g. `FR`.")
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> str:
        value = str(super().to_internal_value(data))
        if value in COUNTRY_CODES:
            return value
        # str.upper() maps some non-ASCII letters to ASCII ones (dotless i to I).
        if value.isascii() and value.upper() in COUNTRY_CODES:
            message = f"Country codes are upper case: send {value.upper()!r}, "
            message += f"not {value!r}."
        else:
            message = f"{value!r} is not an ISO 3166-1 alpha-2 country code "
            message += "(e.g. FR, US)."
        raise serializers.ValidationError(message, code="invalid_country")


# --- Customers -------------------------------------------------------------------


class _CustomerContactFields(StrictInputSerializer):
    first_name = StrictCharField(
        max_length=max_length_of(Customer, "first_name"),
        required=False,
        allow_blank=True,
    )
    last_name = StrictCharField(
        max_length=max_length_of(Customer, "last_name"),
        required=False,
        allow_blank=True,
    )
    phone = StrictCharField(
        max_length=max_length_of(Customer, "phone"),
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        validators=[phone_validator],
    )


class CustomerCreateInputSerializer(_CustomerContactFields):
    email = StrictEmailField(max_length=max_length_of(Customer, "email"))


class CustomerUpdateInputSerializer(_CustomerContactFields):
    email = StrictEmailField(
        max_length=max_length_of(Customer, "email"), required=False
    )


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
    # An annotation of the selectors (a sum, hence the wider precision).
    total_spent = AmountField(
        currency_source="store.currency",
        max_digits=TOTAL_MAX_DIGITS,
        help_text="Sum of the paid, shipped and delivered orders, in `currency`.",
    )
    currency = serializers.CharField(source="store.currency", help_text="ISO 4217.")
    last_order_at = serializers.DateTimeField(allow_null=True)
    tier = serializers.ChoiceField(choices=Tier.choices)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    def get_has_account(self, customer: Customer) -> bool:
        return customer.user_id is not None


# --- Addresses -------------------------------------------------------------------


def _address_text(name: str, **kwargs: Any) -> StrictCharField:
    return StrictCharField(max_length=max_length_of(Address, name), **kwargs)


class AddressCreateInputSerializer(StrictInputSerializer):
    kind = serializers.ChoiceField(
        choices=Address.Kind.choices, default=Address.Kind.SHIPPING
    )
    line1 = _address_text("line1")
    line2 = _address_text("line2", required=False, allow_blank=True)
    city = _address_text("city")
    postal_code = _address_text("postal_code", required=False, allow_blank=True)
    country = CountryField()


class AddressUpdateInputSerializer(StrictInputSerializer):
    kind = serializers.ChoiceField(choices=Address.Kind.choices, required=False)
    line1 = _address_text("line1", required=False)
    line2 = _address_text("line2", required=False, allow_blank=True)
    city = _address_text("city", required=False)
    postal_code = _address_text("postal_code", required=False, allow_blank=True)
    country = CountryField(required=False)


class AddressOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    kind = serializers.ChoiceField(choices=Address.Kind.choices)
    line1 = serializers.CharField()
    line2 = serializers.CharField()
    city = serializers.CharField()
    postal_code = serializers.CharField()
    country = CountryField(read_only=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
