"""Input and output shapes of the catalog endpoints."""

from decimal import Decimal

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.core.serializers import StrictInputSerializer
from apps.stores.currencies import quantize

from .models import Category, Product, StockMovement

SKU_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$"
MAX_PRICE = Decimal("999999999.999")
MAX_STOCK = 10_000_000


def price_field(**kwargs: object) -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=12,
        decimal_places=3,
        min_value=Decimal("0"),
        max_value=MAX_PRICE,
        help_text="Decimal string, at most the currency's decimal places.",
        **kwargs,  # type: ignore[arg-type]
    )


# --- Categories ------------------------------------------------------------------


class CategoryInputSerializer(StrictInputSerializer):
    name = serializers.CharField(max_length=100)
    description = serializers.CharField(
        max_length=2000, required=False, allow_blank=True
    )


class CategoryUpdateInputSerializer(StrictInputSerializer):
    name = serializers.CharField(max_length=100, required=False)
    description = serializers.CharField(
        max_length=2000, required=False, allow_blank=True
    )


class CategoryOutputSerializer(serializers.ModelSerializer[Category]):
    class Meta:
        model = Category
        fields = ["id", "name", "description"]
        read_only_fields = fields


class CategoryRefSerializer(serializers.ModelSerializer[Category]):
    class Meta:
        model = Category
        fields = ["id", "name"]
        read_only_fields = fields


# --- Products --------------------------------------------------------------------


class ProductCreateInputSerializer(StrictInputSerializer):
    sku = serializers.RegexField(SKU_PATTERN, max_length=64)
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(
        max_length=10_000, required=False, allow_blank=True
    )
    price = price_field()
    category_id = serializers.UUIDField(required=False, allow_null=True)
    initial_stock = serializers.IntegerField(
        min_value=0, max_value=MAX_STOCK, required=False, default=0
    )
    low_stock_threshold = serializers.IntegerField(
        min_value=0, max_value=MAX_STOCK, required=False, allow_null=True
    )
    is_active = serializers.BooleanField(required=False, default=True)


class ProductUpdateInputSerializer(StrictInputSerializer):
    sku = serializers.RegexField(SKU_PATTERN, max_length=64, required=False)
    name = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(
        max_length=10_000, required=False, allow_blank=True
    )
    price = price_field(required=False)
    category_id = serializers.UUIDField(required=False, allow_null=True)
    low_stock_threshold = serializers.IntegerField(
        min_value=0, max_value=MAX_STOCK, required=False, allow_null=True
    )
    is_active = serializers.BooleanField(required=False)


class ProductPublicOutputSerializer(serializers.ModelSerializer[Product]):
    """What anyone may see: safe to cache under a shared key."""

    price = serializers.SerializerMethodField(
        help_text="Decimal string with the currency's decimal places (JPY 0, EUR 2)."
    )
    currency = serializers.SerializerMethodField()
    category = CategoryRefSerializer(allow_null=True)
    in_stock = serializers.SerializerMethodField()

    class Meta:
        model = Product
        fields = [
            "id",
            "sku",
            "name",
            "description",
            "price",
            "currency",
            "category",
            "in_stock",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_price(self, product: Product) -> str:
        return str(quantize(product.price, self.context["currency"]))

    def get_currency(self, product: Product) -> str:
        return str(self.context["currency"])

    def get_in_stock(self, product: Product) -> bool:
        return product.stock_quantity > 0


class ProductStaffOutputSerializer(ProductPublicOutputSerializer):
    """The public fields plus stock levels and state, for store members only."""

    is_low_stock = serializers.BooleanField(read_only=True)

    class Meta(ProductPublicOutputSerializer.Meta):
        fields = [
            *ProductPublicOutputSerializer.Meta.fields,
            "stock_quantity",
            "low_stock_threshold",
            "is_low_stock",
            "is_active",
        ]
        read_only_fields = fields


# --- Stock -----------------------------------------------------------------------


class StockAdjustmentInputSerializer(StrictInputSerializer):
    delta = serializers.IntegerField(
        min_value=-MAX_STOCK, max_value=MAX_STOCK, help_text="Units to add (or remove)."
    )
    reason = serializers.ChoiceField(
        choices=[
            (StockMovement.Reason.RESTOCK, "Restock"),
            (StockMovement.Reason.ADJUSTMENT, "Adjustment"),
        ],
        help_text="Order-related reasons are written by the order services only.",
    )
    note = serializers.CharField(
        max_length=500, required=False, allow_blank=True, default=""
    )

    def validate_delta(self, value: int) -> int:
        if value == 0:
            raise serializers.ValidationError(
                "A stock change cannot be zero.", code="zero"
            )
        return value


class ActorSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    email = serializers.EmailField()


class StockMovementOutputSerializer(serializers.ModelSerializer[StockMovement]):
    actor = serializers.SerializerMethodField()

    class Meta:
        model = StockMovement
        fields = [
            "id",
            "delta",
            "reason",
            "order_id",
            "actor",
            "note",
            "balance_after",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(ActorSerializer(allow_null=True))
    def get_actor(self, movement: StockMovement) -> dict[str, str] | None:
        if movement.actor is None:
            return None
        return {"id": str(movement.actor.pk), "email": movement.actor.email}


class ProductImportResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
