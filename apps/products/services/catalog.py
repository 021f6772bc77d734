"""Products: create, change and (softly) delete catalog entries."""

from decimal import Decimal
from typing import Any, TypedDict, Unpack
from uuid import UUID

from django.db import transaction
from django.utils import timezone

from apps.core.exceptions import NotFoundError
from apps.core.preconditions import IfMatch, if_match_check
from apps.core.services import model_update, unique_violation_as
from apps.stores.models import Store
from apps.users.models import User

from ..cache import catalog_bump
from ..models import Product, StockMovement
from .rules import category_of, check_price, products_with_sku, sku_taken
from .stock import product_stock_adjust


class ProductChanges(TypedDict, total=False):
    """The catalog fields of a product; stock changes only through the ledger."""

    sku: str
    name: str
    description: str
    price: Decimal
    category_id: UUID | None
    low_stock_threshold: int | None
    is_active: bool


# What model_update may set: the change set, with the category as a model.
PRODUCT_FIELDS = (*(set(ProductChanges.__annotations__) - {"category_id"}), "category")


@transaction.atomic
def product_create(
    *,
    store: Store,
    actor: User | None,
    sku: str,
    name: str,
    price: Decimal,
    description: str = "",
    category_id: UUID | None = None,
    initial_stock: int = 0,
    low_stock_threshold: int | None = None,
    is_active: bool = True,
) -> Product:
    """Add a product; its initial stock is the ledger's first movement."""
    check_price(store=store, price=price)
    category = category_of(store=store, category_id=category_id)
    if products_with_sku(store_id=store.pk, sku=sku).exists():
        raise sku_taken(sku)
    with unique_violation_as(lambda: sku_taken(sku)):  # a concurrent create
        product = Product.objects.create(
            store=store,
            category=category,
            sku=sku,
            name=name,
            description=description,
            price=price,
            low_stock_threshold=low_stock_threshold,
            is_active=is_active,
        )
    if initial_stock:
        product = product_stock_adjust(
            product=product,
            actor=actor,
            delta=initial_stock,
            reason=StockMovement.Reason.INITIAL,
        ).product
    catalog_bump(store_id=store.pk)
    return product


@transaction.atomic
def product_update(
    *,
    product: Product,
    if_match: IfMatch | None = None,
    **changes: Unpack[ProductChanges],
) -> Product:
    """Change a product's catalog fields (never its stock: see product_stock_adjust)."""
    product = (
        Product.objects.select_for_update().select_related("store").get(pk=product.pk)
    )
    if_match_check(if_match, product)
    store = product.store
    data: dict[str, Any] = dict(changes)
    if "price" in changes:
        check_price(store=store, price=changes["price"])
    if "category_id" in data:
        data["category"] = category_of(store=store, category_id=data.pop("category_id"))
    sku = changes.get("sku")
    if (
        sku is not None
        and products_with_sku(store_id=store.pk, sku=sku)
        .exclude(pk=product.pk)
        .exists()
    ):
        raise sku_taken(sku)
    with unique_violation_as(lambda: sku_taken(str(sku))):  # a concurrent write
        changed = model_update(instance=product, fields=PRODUCT_FIELDS, data=data)
    if changed:
        catalog_bump(store_id=store.pk)
    return product


@transaction.atomic
def product_delete(*, product: Product, if_match: IfMatch | None = None) -> None:
    """Soft-delete: the product leaves the catalog but past orders keep it."""
    locked = (
        Product.objects.select_for_update()
        .filter(pk=product.pk, deleted_at__isnull=True)
        .first()
    )
    if locked is None:
        raise NotFoundError("Not found.")
    if_match_check(if_match, locked)
    now = timezone.now()
    Product.objects.filter(pk=locked.pk).update(
        deleted_at=now, is_active=False, updated_at=now
    )
    catalog_bump(store_id=locked.store_id)
