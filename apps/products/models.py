"""The catalog (categories and products) and the inventory ledger."""

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models.functions import Lower

from apps.core.models import BaseModel
from apps.core.money import money_field
from apps.stores.models import Store

# The most units one product holds, and so the largest stock figure any input,
# form, import or adjustment may carry: the one stock ceiling of the project.
# The columns are 32-bit integers (at most 2,147,483,647); stock plus the
# largest change (2 * STOCK_LIMIT) still fits one, so no sum can overflow
# before the services compare it with the ceiling.
STOCK_LIMIT = 1_000_000_000


class Category(BaseModel):
    store = models.ForeignKey(
        Store, on_delete=models.CASCADE, related_name="categories"
    )
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True, max_length=2000)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "categories"
        constraints = [
            models.UniqueConstraint(
                "store", Lower("name"), name="products_category_store_name_ci_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Product(BaseModel):
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="products")
    category = models.ForeignKey(
        Category,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="products",
    )
    sku = models.CharField("SKU", max_length=64)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True, max_length=10_000)
    # Quantized to the store currency's minor unit by the services (3 places fit KWD).
    price = money_field()
    # Changed only through services.product_stock_adjust, which writes the ledger.
    stock_quantity = models.PositiveIntegerField(
        default=0, editable=False, validators=[MaxValueValidator(STOCK_LIMIT)]
    )
    # None: use the store's default threshold.
    low_stock_threshold = models.PositiveIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(STOCK_LIMIT)]
    )
    is_active = models.BooleanField(default=True)
    # Soft delete: gone from the catalog, still referenced by past orders.
    deleted_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(stock_quantity__gte=0),
                name="products_product_stock_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(price__gte=0),
                name="products_product_price_not_negative",
            ),
            models.UniqueConstraint(
                "store",
                Lower("sku"),
                condition=models.Q(deleted_at__isnull=True),
                name="products_product_store_sku_ci_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["store", "-id"], name="products_product_store_id"),
        ]

    def __str__(self) -> str:
        return f"{self.sku} — {self.name}"


class StockMovement(BaseModel):
    """One change of a product's stock; the ledger sums to the stock on hand."""

    class Reason(models.TextChoices):
        INITIAL = "initial", "Initial stock"  # first stock of a new product
        RESTOCK = "restock", "Restock"  # goods received
        ADJUSTMENT = "adjustment", "Adjustment"  # count corrections, damage, loss
        ORDER_PLACED = "order_placed", "Order placed"  # sold: stock reserved
        ORDER_CANCELLED = "order_cancelled", "Order cancelled"  # reservation returned
        ORDER_EXPIRED = "order_expired", "Order expired"  # unpaid order timed out
        REFUND_RESTOCK = (
            "refund_restock",
            "Refund restock",
        )  # returned goods back on shelf

    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="stock_movements"
    )
    delta = models.IntegerField()
    reason = models.CharField(max_length=32, choices=Reason.choices)
    # The order that caused the change, by id: products never import orders.
    order_id = models.UUIDField(null=True, blank=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.CharField(max_length=500, blank=True)
    balance_after = models.PositiveIntegerField()

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(delta=0),
                name="products_stockmovement_delta_not_zero",
            ),
        ]
        indexes = [
            models.Index(
                fields=["product", "-id"], name="products_movement_product_id"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.delta:+d} {self.product.sku} ({self.reason})"
