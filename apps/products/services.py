"""Writes on the catalog and the inventory ledger.

Invariants:
- Stock changes only in this module, under a lock on the product row, and
  always together with a ``StockMovement`` whose ``balance_after`` is the new
  stock: ``product_stock_adjust`` for single changes, ``product_import`` for a
  CSV batch. Stock never goes below zero (the database refuses too, by
  constraint), and the ledger of a product always sums to its stock on hand.
- Prices are Decimals with no more decimals than the store currency allows.
- A SKU is unique per store, whatever its casing, among products not deleted.
- Every catalog write invalidates the store's cached storefront pages after
  commit; stock changes do so when a product goes in or out of stock.
"""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.db.models.functions import Lower
from django.utils import timezone

from apps.core.exceptions import ConflictError, NotFoundError, ValidationFailed
from apps.stores.currencies import fits_minor_unit, minor_unit
from apps.stores.models import Store
from apps.users.models import User

from .cache import catalog_bump
from .models import Category, Product, StockMovement

Reason = StockMovement.Reason
# The most units one product can hold (the column is a 32-bit integer).
STOCK_LIMIT = 1_000_000_000


def _field_error(field: str, message: str, code: str = "invalid") -> ValidationFailed:
    return ValidationFailed(
        message, errors=[{"field": field, "code": code, "message": message}]
    )


def _check_price(*, store: Store, price: Decimal, field: str = "price") -> Decimal:
    if not fits_minor_unit(price, store.currency):
        raise _field_error(field, _precision_message(store), code="precision")
    return price


def _precision_message(store: Store) -> str:
    places = minor_unit(store.currency)
    return f"{store.currency} amounts have at most {places} decimal place(s)."


def _category_of(*, store: Store, category_id: UUID | None) -> Category | None:
    if category_id is None:
        return None
    category = Category.objects.filter(store=store, pk=category_id).first()
    if category is None:
        raise _field_error("category", "No such category in this store.", "not_found")
    return category


def _sku_taken(sku: str) -> ValidationFailed:
    return _field_error(
        "sku", f"The SKU {sku!r} is already used in this store.", "unique"
    )


def product_check(*, store: Store, price: Decimal, category_id: UUID | None) -> None:
    """Check the catalog rules of a price and category (for forms before saving)."""
    _check_price(store=store, price=price)
    _category_of(store=store, category_id=category_id)


# --- Categories ------------------------------------------------------------------


def _category_named(*, store_id: UUID, name: str) -> Any:
    # Compare as the unique constraint does (LOWER), not as iexact (UPPER).
    return Category.objects.alias(lower_name=Lower("name")).filter(
        store_id=store_id, lower_name=name.lower()
    )


def _category_taken(name: str) -> ValidationFailed:
    return _field_error("name", f"A category named {name!r} exists.", "unique")


def category_create(
    *, store: Store, actor: User | None, name: str, description: str = ""
) -> Category:
    """Add a category to the store's catalog."""
    if _category_named(store_id=store.pk, name=name).exists():
        raise _category_taken(name)
    try:
        with transaction.atomic():
            category = Category.objects.create(
                store=store, name=name, description=description
            )
            catalog_bump(store_id=store.pk)
    except IntegrityError as exc:
        raise _category_taken(name) from exc
    return category


@transaction.atomic
def category_update(
    *, category: Category, actor: User | None, **changes: Any
) -> Category:
    """Rename or describe a category."""
    category = Category.objects.select_for_update().get(pk=category.pk)
    name = changes.get("name")
    if (
        name is not None
        and _category_named(store_id=category.store_id, name=name)
        .exclude(pk=category.pk)
        .exists()
    ):
        raise _category_taken(name)
    fields = [f for f in ("name", "description") if f in changes]
    for field in fields:
        setattr(category, field, changes[field])
    if fields:
        try:
            with transaction.atomic():
                category.save(update_fields=[*fields, "updated_at"])
        except IntegrityError as exc:  # a concurrent write took the name
            raise _category_taken(str(name)) from exc
        catalog_bump(store_id=category.store_id)
    return category


@transaction.atomic
def category_delete(*, category: Category, actor: User | None) -> None:
    """Delete a category; its products stay, without a category."""
    catalog_bump(store_id=category.store_id)
    category.delete()


# --- Products --------------------------------------------------------------------


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
    _check_price(store=store, price=price)
    category = _category_of(store=store, category_id=category_id)
    if Product.objects.filter(
        store=store, sku__iexact=sku, deleted_at__isnull=True
    ).exists():
        raise _sku_taken(sku)
    try:
        with transaction.atomic():
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
    except IntegrityError as exc:  # a concurrent create took the SKU
        raise _sku_taken(sku) from exc
    if initial_stock:
        product = product_stock_adjust(
            product=product, actor=actor, delta=initial_stock, reason=Reason.INITIAL
        ).product
    catalog_bump(store_id=store.pk)
    return product


PRODUCT_UPDATABLE_FIELDS = (
    "sku",
    "name",
    "description",
    "price",
    "category",
    "low_stock_threshold",
    "is_active",
)


@transaction.atomic
def product_update(*, product: Product, actor: User | None, **changes: Any) -> Product:
    """Change a product's catalog fields (never its stock: see product_stock_adjust)."""
    product = (
        Product.objects.select_for_update().select_related("store").get(pk=product.pk)
    )
    store = product.store
    if "price" in changes:
        _check_price(store=store, price=changes["price"])
    if "category_id" in changes:
        changes["category"] = _category_of(
            store=store, category_id=changes.pop("category_id")
        )
    sku = changes.get("sku")
    if (
        sku is not None
        and Product.objects.filter(
            store=store, sku__iexact=sku, deleted_at__isnull=True
        )
        .exclude(pk=product.pk)
        .exists()
    ):
        raise _sku_taken(sku)
    fields = [f for f in PRODUCT_UPDATABLE_FIELDS if f in changes]
    for field in fields:
        setattr(product, field, changes[field])
    if fields:
        try:
            with transaction.atomic():
                product.save(update_fields=[*fields, "updated_at"])
        except IntegrityError as exc:  # a concurrent write took the SKU
            raise _sku_taken(str(sku)) from exc
        catalog_bump(store_id=store.pk)
    return product


@transaction.atomic
def product_delete(*, product: Product, actor: User | None) -> None:
    """Soft-delete: the product leaves the catalog but past orders keep it."""
    updated = Product.objects.filter(pk=product.pk, deleted_at__isnull=True).update(
        deleted_at=timezone.now(), is_active=False, updated_at=timezone.now()
    )
    if not updated:
        raise NotFoundError("Not found.")
    catalog_bump(store_id=product.store_id)


# --- Stock -----------------------------------------------------------------------


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
        raise _field_error("delta", "A stock change cannot be zero.")
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
        {
            "field": f"lines.{row.line}.price",
            "code": "precision",
            "message": _precision_message(store),
        }
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
                    reason=Reason.ADJUSTMENT,
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

    try:
        with transaction.atomic():
            Product.objects.bulk_create(new_products)
    except IntegrityError as exc:  # a single product was created meanwhile
        raise ConflictError(
            "A product with one of these SKUs was created while importing; "
            "nothing was imported. Send the file again.",
            code="import_conflict",
        ) from exc
    movements += [
        StockMovement(
            product=p,
            delta=p.stock_quantity,
            reason=Reason.INITIAL,
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
    _update_imported(to_update)
    StockMovement.objects.bulk_create(movements)
    created = len(new_products)
    return created, updated, unchanged


IMPORT_UPDATE_FIELDS = (
    "name",
    "price",
    "category",
    "is_active",
    "stock_quantity",
    "updated_at",
)


def _update_imported(products: list[Product]) -> None:
    """Write the imported fields of locked products, in one statement per batch.

    Django's ``bulk_update`` builds one CASE expression per field and row, which
    costs about 2 ms a row in Python; on PostgreSQL an ``UPDATE ... FROM
    (VALUES ...)`` does the same in one short statement.
    """
    if not products:
        return
    if connection.vendor != "postgresql":
        Product.objects.bulk_update(products, IMPORT_UPDATE_FIELDS)
        return
    row = (
        "(%s::uuid, %s, %s::numeric, %s::uuid, %s::boolean, %s::integer, "
        "%s::timestamptz)"
    )
    params: list[Any] = []
    for p in products:
        params += [
            p.pk,
            p.name,
            p.price,
            p.category_id,
            p.is_active,
            p.stock_quantity,
            p.updated_at,
        ]
    table = connection.ops.quote_name(Product._meta.db_table)
    sql = (
        f"UPDATE {table} AS p SET name = v.name, price = v.price, "  # noqa: S608 - no input
        "category_id = v.category_id, is_active = v.is_active, "
        "stock_quantity = v.stock_quantity, updated_at = v.updated_at "
        f"FROM (VALUES {', '.join([row] * len(products))}) "
        "AS v(id, name, price, category_id, is_active, stock_quantity, updated_at) "
        "WHERE p.id = v.id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
