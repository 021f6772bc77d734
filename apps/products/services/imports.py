"""CSV imports: upsert products by SKU in batches, through the ledger, all or none.

The file itself is read and validated row by row in ``apps.products.csv_rows``;
this module applies the validated rows.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone

from apps.core.exceptions import ConflictError, ValidationFailed, field_error
from apps.core.money import fits_minor_unit
from apps.core.services import unique_violation_as
from apps.stores.models import Store
from apps.users.models import User

from ..cache import catalog_bump
from ..models import Category, Product, StockMovement
from .bulk_sql import update_imported_products
from .rules import precision_message


@dataclass(frozen=True)
class ImportRow:
    line: int
    sku: str
    name: str
    price: Decimal
    stock: int | None
    category: str
    active: bool


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int


IMPORT_BATCH_SIZE = 500


@transaction.atomic
def product_import(
    *, store: Store, actor: User | None, rows: list[ImportRow]
) -> ImportResult:
    """Upsert products by SKU in batches; all rows or none.

    New products get their stock as an ``initial`` movement; existing ones whose
    stock differs get an ``adjustment`` movement for the difference.
    """
    errors = [
        field_error(f"lines.{row.line}.price", precision_message(store), "precision")
        for row in rows
        if not fits_minor_unit(row.price, store.currency)
    ]
    if errors:
        raise ValidationFailed(
            f"{len(errors)} line(s) are invalid; nothing was imported.", errors=errors
        )
    # One import per store at a time: two files creating the same SKUs wait
    # for each other instead of colliding on the unique index.
    Store.objects.select_for_update().filter(pk=store.pk).first()
    categories = _import_categories(
        store=store, names={r.category for r in rows if r.category}
    )
    created = updated = unchanged = 0
    for start in range(0, len(rows), IMPORT_BATCH_SIZE):
        batch = rows[start : start + IMPORT_BATCH_SIZE]
        c, u, n = _import_batch(
            store=store, actor=actor, rows=batch, categories=categories
        )
        created, updated, unchanged = created + c, updated + u, unchanged + n
    catalog_bump(store_id=store.pk)
    return ImportResult(created=created, updated=updated, unchanged=unchanged)


def _import_categories(*, store: Store, names: set[str]) -> dict[str, Category]:
    existing = {c.name.lower(): c for c in Category.objects.filter(store=store)}
    for name in sorted(names):
        if name.lower() not in existing:
            existing[name.lower()] = Category.objects.create(store=store, name=name)
    return existing


def _import_batch(
    *,
    store: Store,
    actor: User | None,
    rows: list[ImportRow],
    categories: dict[str, Category],
) -> tuple[int, int, int]:
    by_sku = {row.sku.lower(): row for row in rows}
    existing = {
        p.sku.lower(): p
        for p in Product.objects.select_for_update()
        .annotate(sku_lower=Lower("sku"))
        .filter(store=store, deleted_at__isnull=True, sku_lower__in=list(by_sku))
        .order_by("pk")
    }

    created = updated = unchanged = 0
    movements: list[StockMovement] = []
    to_update: list[Product] = []
    new_products: list[Product] = []
    for key, row in by_sku.items():
        category = categories.get(row.category.lower()) if row.category else None
        product = existing.get(key)
        if product is None:
            new_products.append(
                Product(
                    store=store,
                    sku=row.sku,
                    name=row.name,
                    price=row.price,
                    category=category,
                    is_active=row.active,
                    stock_quantity=row.stock or 0,
                )
            )
            continue
        values = {
            "name": row.name,
            "price": row.price,
            "category": category,
            "is_active": row.active,
        }
        changed = any(getattr(product, f) != v for f, v in values.items())
        for field, value in values.items():
            setattr(product, field, value)
        if changed:
            to_update.append(product)
        delta = 0 if row.stock is None else row.stock - product.stock_quantity
        if delta:
            product.stock_quantity = row.stock or 0
            movements.append(
                StockMovement(
                    product=product,
                    delta=delta,
                    reason=StockMovement.Reason.ADJUSTMENT,
                    actor=actor,
                    note="CSV import",
                    balance_after=product.stock_quantity,
                )
            )
            if product not in to_update:
                to_update.append(product)
        if changed or delta:
            updated += 1
        else:
            unchanged += 1

    with unique_violation_as(_created_meanwhile):
        Product.objects.bulk_create(new_products)
    movements += [
        StockMovement(
            product=p,
            delta=p.stock_quantity,
            reason=StockMovement.Reason.INITIAL,
            actor=actor,
            note="CSV import",
            balance_after=p.stock_quantity,
        )
        for p in new_products
        if p.stock_quantity
    ]
    now = timezone.now()
    for changed_product in to_update:
        changed_product.updated_at = now
    update_imported_products(to_update)
    StockMovement.objects.bulk_create(movements)
    created = len(new_products)
    return created, updated, unchanged


def _created_meanwhile() -> ConflictError:
    return ConflictError(
        "A product with one of these SKUs was created while importing; "
        "nothing was imported. Send the file again.",
        code="import_conflict",
    )
