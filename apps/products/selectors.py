"""Reads on the catalog and the inventory ledger.

Invariants:
- Anonymous callers and shoppers see active products only; store members see
  every product that is not deleted. Deleted products are in no list.
- Nothing of another store is ever returned: every read starts from the store.
- ``stock_reconciliation`` proves the ledger: it lists the products whose
  movements do not sum to their stock on hand (it should list none).
- A product is low on stock at or below its own threshold, else its store's;
  the low-stock digest lists active products only.
"""

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from django.db.models import (
    BooleanField,
    Case,
    F,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from apps.core.models import rows_where
from apps.core.selectors import first_or_404
from apps.stores.models import Store

from .models import Category, Product, StockMovement


def _is_low_stock(store_threshold: Any) -> Case:
    """True when stock is at or below the product's threshold, else the store's."""
    return Case(
        When(
            stock_quantity__lte=Coalesce(F("low_stock_threshold"), store_threshold),
            then=Value(True),
        ),
        default=Value(False),
        output_field=BooleanField(),
    )


def product_list(*, store: Store, staff: bool) -> QuerySet[Product]:
    """The store's catalog as this caller may see it; for members, ``is_low_stock``.

    The public catalog shows no stock level, so it is not annotated: building
    and compiling the ``CASE`` took a tenth of a storefront cache miss.
    """
    queryset = Product.objects.filter(
        store=store, deleted_at__isnull=True
    ).select_related("category")
    if not staff:
        return queryset.filter(is_active=True)
    return queryset.annotate(
        is_low_stock=_is_low_stock(Value(store.low_stock_threshold))
    )


def product_admin_list(queryset: QuerySet[Product]) -> QuerySet[Product]:
    """Products of the admin's store-scoped queryset, not deleted, with
    ``is_low_stock`` (each against its own store's threshold)."""
    return queryset.filter(deleted_at__isnull=True).annotate(
        is_low_stock=_is_low_stock(F("store__low_stock_threshold"))
    )


def products_low_on_stock(*, store_id: UUID | None = None) -> QuerySet[Product]:
    """Active products at or below their low-stock threshold (of one store or all)."""
    queryset = Product.objects.filter(
        deleted_at__isnull=True,
        is_active=True,
        stock_quantity__lte=Coalesce(
            F("low_stock_threshold"), F("store__low_stock_threshold")
        ),
    )
    return queryset.filter(store_id=store_id) if store_id is not None else queryset


def products_on_sale(
    *, store_id: UUID, product_ids: Sequence[UUID]
) -> dict[UUID, Product]:
    """The store's active products among ``product_ids``, by id (no row lock)."""
    # Read on every placement: a statement written once (rows_where) rather
    # than built by the ORM each time (0.42 -> 0.1 ms of CPU; ADR 0074).
    products = rows_where(
        Product,
        {"store_id": store_id, "is_active": True, "deleted_at": None},
        pks=product_ids,
    )
    return {product.pk: product for product in products}


def product_get(*, store: Store, staff: bool, product_id: UUID) -> Product:
    """One product of the store the caller may see, or 404."""
    return first_or_404(product_list(store=store, staff=staff).filter(pk=product_id))


def stock_movement_list(*, product: Product) -> QuerySet[StockMovement]:
    """A product's ledger, newest first."""
    return StockMovement.objects.filter(product=product).select_related("actor")


def category_list(*, store: Store) -> QuerySet[Category]:
    return Category.objects.filter(store=store)


def category_get(*, store: Store, category_id: UUID) -> Category:
    return first_or_404(category_list(store=store).filter(pk=category_id))


def stock_reconciliation(*, store: Store | UUID | None = None) -> QuerySet[Product]:
    """Products whose ledger does not sum to their stock (with ``ledger_total``)."""
    ledger = (
        StockMovement.objects.filter(product=OuterRef("pk"))
        .order_by()
        .values("product")
        .annotate(total=Sum("delta"))
        .values("total")
    )
    queryset = Product.objects.annotate(
        ledger_total=Coalesce(Subquery(ledger, output_field=IntegerField()), Value(0))
    ).exclude(ledger_total=F("stock_quantity"))
    return queryset.filter(store=store) if store is not None else queryset
