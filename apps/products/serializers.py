"""Input and output shapes of the catalog endpoints.

Bounds come from their one declaration: lengths from the model fields
(``max_length_of``), stock figures from ``STOCK_LIMIT``, amounts from
``apps.core.money`` through the shared amount fields.
"""

from collections.abc import Iterable
from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.core.models import max_length_of
from apps.core.money import amount_string
from apps.core.serializers import (
    AmountField,
    AmountInputField,
    StrictBooleanField,
    StrictCharField,
    StrictInputSerializer,
    StrictIntegerField,
    StrictRegexField,
    StrictUUIDField,
    datetime_string,
)

from .models import STOCK_LIMIT, Category, Product, StockMovement

SKU_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$"
SKU_MAX = max_length_of(Product, "sku")
NAME_MAX = max_length_of(Product, "name")
DESCRIPTION_MAX = max_length_of(Product, "description")
CATEGORY_NAME_MAX = max_length_of(Category, "name")
CATEGORY_DESCRIPTION_MAX = max_length_of(Category, "description")


# --- Categories ------------------------------------------------------------------


class CategoryInputSerializer(StrictInputSerializer):
    name = StrictCharField(max_length=CATEGORY_NAME_MAX)
    description = StrictCharField(
        max_length=CATEGORY_DESCRIPTION_MAX, required=False, allow_blank=True
    )


class CategoryUpdateInputSerializer(StrictInputSerializer):
    name = StrictCharField(max_length=CATEGORY_NAME_MAX, required=False)
    description = StrictCharField(
        max_length=CATEGORY_DESCRIPTION_MAX, required=False, allow_blank=True
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
    sku = StrictRegexField(SKU_PATTERN, max_length=SKU_MAX)
    name = StrictCharField(max_length=NAME_MAX)
    description = StrictCharField(
        max_length=DESCRIPTION_MAX, required=False, allow_blank=True
    )
    price = AmountInputField()
    category_id = StrictUUIDField(required=False, allow_null=True)
    initial_stock = StrictIntegerField(
        min_value=0, max_value=STOCK_LIMIT, required=False, default=0
    )
    low_stock_threshold = StrictIntegerField(
        min_value=0, max_value=STOCK_LIMIT, required=False, allow_null=True
    )
    is_active = StrictBooleanField(required=False, default=True)


class ProductUpdateInputSerializer(StrictInputSerializer):
    sku = StrictRegexField(SKU_PATTERN, max_length=SKU_MAX, required=False)
    name = StrictCharField(max_length=NAME_MAX, required=False)
    description = StrictCharField(
        max_length=DESCRIPTION_MAX, required=False, allow_blank=True
    )
    price = AmountInputField(required=False)
    category_id = StrictUUIDField(required=False, allow_null=True)
    low_stock_threshold = StrictIntegerField(
        min_value=0, max_value=STOCK_LIMIT, required=False, allow_null=True
    )
    is_active = StrictBooleanField(required=False)


class ProductPublicOutputSerializer(serializers.ModelSerializer[Product]):
    """What anyone may see: safe to cache under a shared key."""

    # The schema closes this shape (``additionalProperties: false``): a member's
    # product has each of these fields and more, so only a closed shape lets the
    # product reads' ``oneOf`` tell the two audiences apart.
    schema_closed = True

    price = AmountField()
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

    def get_currency(self, product: Product) -> str:
        return str(self.context["currency"])

    def get_in_stock(self, product: Product) -> bool:
        return product.stock_quantity > 0


# The public list's rows, rendered by hand. ``ProductPublicOutputSerializer``
# stays the documented shape and renders single products; for a page of 25,
# DRF walks ten fields and a nested serializer per row over model instances,
# which made a storefront cache miss slower than the naive baseline's
# (docs/performance.md). The rows are read with ``.values()``;
# apps/products/tests/test_public_rows.py holds both renderings to the same output.
PRODUCT_PUBLIC_FIELDS = (
    "id",
    "sku",
    "name",
    "description",
    "price",
    "category_id",
    "category__name",
    "stock_quantity",
    "created_at",
    "updated_at",
)


def product_public_rows(
    rows: Iterable[dict[str, Any]], *, currency: str
) -> list[dict[str, Any]]:
    """``ProductPublicOutputSerializer``'s output for ``PRODUCT_PUBLIC_FIELDS`` rows."""
    zone = timezone.get_current_timezone()
    return [
        {
            "id": str(row["id"]),
            "sku": row["sku"],
            "name": row["name"],
            "description": row["description"],
            "price": amount_string(row["price"], currency),
            "currency": currency,
            "category": None
            if row["category_id"] is None
            else {"id": str(row["category_id"]), "name": row["category__name"]},
            "in_stock": row["stock_quantity"] > 0,
            "created_at": datetime_string(row["created_at"], zone),
            "updated_at": datetime_string(row["updated_at"], zone),
        }
        for row in rows
    ]


class ProductStaffOutputSerializer(ProductPublicOutputSerializer):
    """The public fields plus stock levels and state, for store members only."""

    schema_closed = False

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


# A change of stock: a non-zero integer within the bounds.
@extend_schema_field(
    {
        "type": "integer",
        "minimum": -STOCK_LIMIT,
        "maximum": STOCK_LIMIT,
        "not": {"enum": [0]},
    }
)
class StockDeltaField(StrictIntegerField):
    """Units to add (positive) or remove (negative); never zero."""


class StockAdjustmentInputSerializer(StrictInputSerializer):
    delta = StockDeltaField(
        min_value=-STOCK_LIMIT,
        max_value=STOCK_LIMIT,
        help_text="Units to add (or remove).",
    )
    reason = serializers.ChoiceField(
        choices=[
            (StockMovement.Reason.RESTOCK, "Restock"),
            (StockMovement.Reason.ADJUSTMENT, "Adjustment"),
        ],
        help_text="Order-related reasons are written by the order services only.",
    )
    note = StrictCharField(
        max_length=max_length_of(StockMovement, "note"),
        required=False,
        allow_blank=True,
        default="",
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
