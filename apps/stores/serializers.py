"""Input and output shapes of the store and membership endpoints."""

import zoneinfo
from typing import Any

from django.core.validators import MaxValueValidator, MinValueValidator
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.core.models import max_length_of
from apps.core.money import CURRENCY_CHOICES
from apps.core.serializers import (
    StrictCharField,
    StrictEmailField,
    StrictInputSerializer,
    StrictIntegerField,
    StrictSlugField,
)
from apps.users.models import User

from .models import Membership, Store, validate_timezone


def _django_validator(func):  # type: ignore[no-untyped-def]
    """Run a Django validator, turning its error into a DRF one."""
    from django.core.exceptions import ValidationError

    def run(value):  # type: ignore[no-untyped-def]
        try:
            func(value)
        except ValidationError as exc:
            raise serializers.ValidationError(exc.messages[0], code=exc.code) from exc

    return run


@extend_schema_field(
    {
        "type": "string",
        "enum": sorted(zoneinfo.available_timezones()),
        "description": "An IANA time zone name, e.g. `Europe/Paris`.",
    },
    component_name="Timezone",
)
class TimezoneField(StrictCharField):
    """An IANA time zone name, as sent (no trimming): the schema lists them all."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", max_length_of(Store, "timezone"))
        kwargs.setdefault("trim_whitespace", False)
        kwargs.setdefault("validators", [_django_validator(validate_timezone)])
        super().__init__(**kwargs)


class _StoreSettingsFields(StrictInputSerializer):
    timezone = TimezoneField(required=False)
    unpaid_order_timeout_minutes = StrictIntegerField(
        required=False,
        validators=[MinValueValidator(5), MaxValueValidator(60 * 24 * 14)],
    )
    low_stock_threshold = StrictIntegerField(
        required=False, validators=[MinValueValidator(0), MaxValueValidator(1_000_000)]
    )


class StoreCreateInputSerializer(_StoreSettingsFields):
    name = StrictCharField(max_length=max_length_of(Store, "name"))
    slug = StrictSlugField(
        max_length=max_length_of(Store, "slug"),
        required=False,
        help_text="Defaults to one made from the name.",
    )
    currency = serializers.ChoiceField(
        choices=CURRENCY_CHOICES, help_text="ISO 4217 code."
    )


class StoreUpdateInputSerializer(_StoreSettingsFields):
    name = StrictCharField(max_length=max_length_of(Store, "name"), required=False)


class StoreOutputSerializer(serializers.ModelSerializer[Store]):
    role = serializers.SerializerMethodField(
        help_text="The caller's role in the store."
    )

    class Meta:
        model = Store
        fields = [
            "id",
            "name",
            "slug",
            "currency",
            "timezone",
            "unpaid_order_timeout_minutes",
            "low_stock_threshold",
            "role",
            "created_at",
        ]
        read_only_fields = fields

    def get_role(self, store: Store) -> str | None:
        role = getattr(store, "role", None) or self.context.get("role")
        return str(role) if role else None


class MemberUserSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    email = serializers.EmailField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()


class MembershipOutputSerializer(serializers.ModelSerializer[Membership]):
    user = MemberUserSerializer()

    class Meta:
        model = Membership
        fields = ["id", "user", "role", "created_at"]
        read_only_fields = fields


class MembershipCreateInputSerializer(StrictInputSerializer):
    email = StrictEmailField(max_length=max_length_of(User, "email"))
    role = serializers.ChoiceField(choices=Membership.Role.choices)


class MembershipUpdateInputSerializer(StrictInputSerializer):
    role = serializers.ChoiceField(choices=Membership.Role.choices)


class WebhookSecretOutputSerializer(serializers.Serializer):
    secret = serializers.CharField(
        help_text="The store's current payment-webhook secret (`whsec_` + base64). "
        "Give it to the payment provider; never to a browser."
    )
    previous_secret_valid_until = serializers.DateTimeField(
        allow_null=True,
        help_text="Until when the secret replaced by the last rotation still "
        "verifies; null when none does.",
    )
