"""Input and output shapes of the store and membership endpoints."""

from django.core.validators import MaxValueValidator, MinValueValidator
from rest_framework import serializers

from apps.core.serializers import StrictInputSerializer

from .currencies import CURRENCY_CHOICES
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


class _StoreSettingsFields(StrictInputSerializer):
    timezone = serializers.CharField(
        max_length=64, validators=[_django_validator(validate_timezone)], required=False
    )
    unpaid_order_timeout_minutes = serializers.IntegerField(
        required=False,
        validators=[MinValueValidator(5), MaxValueValidator(60 * 24 * 14)],
    )
    low_stock_threshold = serializers.IntegerField(
        required=False, validators=[MinValueValidator(0), MaxValueValidator(1_000_000)]
    )


class StoreCreateInputSerializer(_StoreSettingsFields):
    name = serializers.CharField(max_length=120)
    slug = serializers.SlugField(
        max_length=60, required=False, help_text="Defaults to one made from the name."
    )
    currency = serializers.ChoiceField(
        choices=CURRENCY_CHOICES, help_text="ISO 4217 code."
    )


class StoreUpdateInputSerializer(_StoreSettingsFields):
    name = serializers.CharField(max_length=120, required=False)


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
    email = serializers.EmailField(max_length=254)
    role = serializers.ChoiceField(choices=Membership.Role.choices)


class MembershipUpdateInputSerializer(StrictInputSerializer):
    role = serializers.ChoiceField(choices=Membership.Role.choices)
