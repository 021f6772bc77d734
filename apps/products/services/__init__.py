"""Writes on the catalog and the inventory ledger.

Invariants:
- Stock changes only in this package, under a lock on the product row, and
  always together with a ``StockMovement`` whose ``balance_after`` is the new
  stock: ``product_stock_adjust`` for single changes, ``product_import`` for a
  CSV batch. Stock never goes below zero (the database refuses too, by
  constraint) nor above ``STOCK_LIMIT``, and the ledger of a product always
  sums to its stock on hand. Orders take and give back stock for several
  products at once through ``reservations``, which locks the rows in primary
  key order.
- Prices are Decimals with no more decimals than the store currency allows.
- A SKU is unique per store, whatever its casing, among products not deleted;
  a category name is unique per store, whatever its casing.
- Every catalog write invalidates the store's cached storefront pages after
  commit; stock changes do so when a product goes in or out of stock.
- Updates and deletes take the caller's ``If-Match`` and compare it under the
  row lock they take, before changing anything (``apps.core.preconditions``).

Modules, by sub-domain: ``rules`` (the checks every write shares),
``categories``, ``catalog`` (products), ``stock`` (the ledger),
``reservations`` (stock for orders), ``imports``
(CSV upserts), ``alerts`` (the daily drift alert and low-stock digest, which
change no stock) and ``bulk_sql`` (the vendor-specific statements).
"""

from .alerts import low_stock_digests_send, stock_drift_alerts_send
from .catalog import ProductChanges, product_create, product_delete, product_update
from .categories import (
    CategoryChanges,
    category_create,
    category_delete,
    category_update,
)
from .imports import IMPORT_BATCH_SIZE, ImportResult, ImportRow, product_import
from .reservations import StockLine, stock_release, stock_reserve
from .rules import product_check
from .stock import STOCK_LIMIT, product_stock_adjust

__all__ = [
    "IMPORT_BATCH_SIZE",
    "STOCK_LIMIT",
    "CategoryChanges",
    "ImportResult",
    "ImportRow",
    "ProductChanges",
    "StockLine",
    "category_create",
    "category_delete",
    "category_update",
    "low_stock_digests_send",
    "product_check",
    "product_create",
    "product_delete",
    "product_import",
    "product_stock_adjust",
    "product_update",
    "stock_drift_alerts_send",
    "stock_release",
    "stock_reserve",
]
