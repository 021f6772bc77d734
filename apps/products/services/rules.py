"""The catalog rules every write checks: prices, categories, unique names."""

from decimal import Decimal
from uuid import UUID

from django.db.models import QuerySet
from django.db.models.functions import Lower

from apps.core.exceptions import ValidationFailed
from apps.core.money import fits_minor_unit, minor_unit
from apps.stores.models import Store

from ..models import Category, Product


def precision_message(store: Store) -> str:
    places = minor_unit(store.currency)
    return f"{store.currency} amounts have at most {places} decimal place(s)."


def check_price(*, store: Store, price: Decimal, field: str = "price") -> Decimal:
    if not fits_minor_unit(price, store.currency):
        raise ValidationFailed.on_field(field, precision_message(store), "precision")
    return price


def category_of(*, store: Store, category_id: UUID | None) -> Category | None:
    """The store's category with this id (None for none); a field error if unknown."""
    if category_id is None:
        return None
    category = Category.objects.filter(store=store, pk=category_id).first()
    if category is None:
        raise ValidationFailed.on_field(
            "category", "No such category in this store.", "not_found"
        )
    return category


def product_check(*, store: Store, price: Decimal, category_id: UUID | None) -> None:
    """Check the catalog rules of a price and category (for forms before saving)."""
    check_price(store=store, price=price)
    category_of(store=store, category_id=category_id)


# Uniqueness is compared as the unique indexes compare: on LOWER(...), so the
# pre-check agrees with the constraint and the index answers it.


def categories_named(*, store_id: UUID, name: str) -> QuerySet[Category]:
    return Category.objects.alias(lower_name=Lower("name")).filter(
        store_id=store_id, lower_name=name.lower()
    )


def category_taken(name: str) -> ValidationFailed:
    return ValidationFailed.on_field(
        "name", f"A category named {name!r} exists.", "unique"
    )


def products_with_sku(*, store_id: UUID, sku: str) -> QuerySet[Product]:
    """Products of the store, not deleted, whose SKU matches in any casing."""
    return Product.objects.alias(lower_sku=Lower("sku")).filter(
        store_id=store_id, lower_sku=sku.lower(), deleted_at__isnull=True
    )


def sku_taken(sku: str) -> ValidationFailed:
    return ValidationFailed.on_field(
        "sku", f"The SKU {sku!r} is already used in this store.", "unique"
    )
