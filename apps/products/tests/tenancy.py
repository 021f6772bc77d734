"""Store-scoped endpoints of the products app, for the tenancy matrix (tests/).

The catalog is public: anyone, including members of other stores, reads the
active products and the categories. Stock levels, the ledger and every write
belong to the store's members (writes: owner and manager).
"""

from decimal import Decimal

from apps.core.testing import expect, members_only

from .factories import CategoryFactory, ProductFactory

PRODUCTS = "api/v1/stores/<str:store_slug>/products/"
IMPORT = "api/v1/stores/<str:store_slug>/products/import/"
PRODUCT = "api/v1/stores/<str:store_slug>/products/<uuid:product_id>/"
ADJUST = "api/v1/stores/<str:store_slug>/products/<uuid:product_id>/stock-adjustments/"
MOVEMENTS = "api/v1/stores/<str:store_slug>/products/<uuid:product_id>/stock-movements/"
CATEGORIES = "api/v1/stores/<str:store_slug>/categories/"
CATEGORY = "api/v1/stores/<str:store_slug>/categories/<uuid:category_id>/"

PUBLIC = expect(
    owner=200, manager=200, staff=200, shopper=200, outsider=200, anonymous=200
)
# Writes: non-members are told the store's private side does not exist.
MANAGERS = members_only


def _new_product(world):
    return {"sku": world.make_sku(), "name": "New", "price": "4.50", "initial_stock": 3}


ENDPOINTS = [
    ("GET", PRODUCTS, None, PUBLIC),
    ("POST", PRODUCTS, _new_product, MANAGERS(201, 201)),
    (
        "POST",
        IMPORT,
        lambda world: {
            "csv_text": f"sku,name,price\n{world.make_sku()},Imported,1.00\n"
        },
        MANAGERS(200, 200),
    ),
    ("GET", PRODUCT, None, PUBLIC),
    ("PATCH", PRODUCT, lambda world: {"price": "12.00"}, MANAGERS(200, 200)),
    ("DELETE", PRODUCT, None, MANAGERS(204, 204)),
    (
        "POST",
        ADJUST,
        lambda world: {"delta": 5, "reason": "restock", "note": "delivery"},
        MANAGERS(201, 201),
    ),
    ("GET", MOVEMENTS, None, members_only(200, 200, 200)),
    ("GET", CATEGORIES, None, PUBLIC),
    ("POST", CATEGORIES, lambda world: {"name": world.make_sku()}, MANAGERS(201, 201)),
    ("GET", CATEGORY, None, PUBLIC),
    ("PATCH", CATEGORY, lambda world: {"description": "Fresh"}, MANAGERS(200, 200)),
    ("DELETE", CATEGORY, None, MANAGERS(204, 204)),
]


def build(world):
    """An active product with stock and a category in each store."""
    for store, target in (
        (world.store_a, world.params),
        (world.store_b, world.foreign),
    ):
        category = CategoryFactory(store=store)
        target["category_id"] = category.pk
        target["product_id"] = ProductFactory(
            store=store, category=category, price=Decimal("10.00"), stock=10
        ).pk
