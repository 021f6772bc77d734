"""The inventory ledger: every stock change, under the product's row lock."""

from uuid import UUID

from django.db import transaction
from django.db.models import F

from apps.core.exceptions import ConflictError, ValidationFailed
from apps.users.models import User

from ..cache import catalog_bump
from ..models import STOCK_LIMIT, Product, StockMovement


@transaction.atomic
def product_stock_adjust(
    *,
    product: Product,
    actor: User | None,
    delta: int,
    reason: str,
    note: str = "",
    order_id: UUID | None = None,
) -> StockMovement:
    """Change the stock by ``delta``, under a row lock; return the ledger entry.

    ``updated_at`` is left alone: it tells when the catalog fields changed, and
    the storefront cache is refreshed only when "in stock" flips.
    """
    if delta == 0:
        raise ValidationFailed.on_field("delta", "A stock change cannot be zero.")
    locked = Product.objects.select_for_update().get(pk=product.pk)
    before = locked.stock_quantity
    if before + delta < 0:
        raise ConflictError(
            f"Only {before} in stock; cannot remove {-delta}.",
            code="insufficient_stock",
            extra={"available": before},
        )
    if before + delta > STOCK_LIMIT:
        raise ConflictError(
            f"A product holds at most {STOCK_LIMIT} units; it has {before}.",
            code="stock_limit",
            extra={"available": before},
        )
    Product.objects.filter(pk=locked.pk).update(
        stock_quantity=F("stock_quantity") + delta
    )
    locked.refresh_from_db(fields=["stock_quantity"])
    movement = StockMovement.objects.create(
        product=locked,
        delta=delta,
        reason=reason,
        order_id=order_id,
        actor=actor,
        note=note,
        balance_after=locked.stock_quantity,
    )
    if (before > 0) != (locked.stock_quantity > 0):  # "in stock" changed for shoppers
        catalog_bump(store_id=locked.store_id)
    return movement
