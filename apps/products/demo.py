"""Demo catalog for ``make run``: categories and about fifty products with stock.

Idempotent: products are matched by SKU; stock is set through the ledger only
when a product is first created, so running it again changes nothing.
"""

from decimal import Decimal

from django.contrib.auth.models import Group, Permission

from apps.stores.demo import ADMIN_GROUP, DEMO_STORE_SLUG
from apps.stores.models import Store

from . import services
from .models import Category, Product

CATALOG = {
    "Coffee beans": [
        ("Ethiopia Yirgacheffe", "14.50"),
        ("Colombia Huila", "12.90"),
        ("Kenya AA", "16.00"),
        ("Brazil Cerrado", "10.50"),
        ("Guatemala Antigua", "13.20"),
        ("Sumatra Mandheling", "13.80"),
        ("Costa Rica Tarrazú", "14.90"),
        ("Rwanda Bourbon", "15.40"),
        ("House espresso blend", "11.00"),
        ("Decaf Swiss water", "12.00"),
        ("Panama Geisha", "39.00"),
        ("Yemen Mocha", "27.50"),
    ],
    "Brewing gear": [
        ("Pour-over dripper", "24.00"),
        ("Paper filters (100)", "6.50"),
        ("Gooseneck kettle", "59.00"),
        ("French press 1 l", "32.00"),
        ("AeroPress", "39.90"),
        ("Moka pot 6 cups", "35.00"),
        ("Cold brew jar", "28.00"),
        ("Milk frother", "19.90"),
        ("Digital scale", "29.00"),
        ("Burr grinder", "119.00"),
        ("Hand grinder", "64.00"),
        ("Tamper 58 mm", "22.00"),
    ],
    "Tea": [
        ("Sencha", "9.50"),
        ("Earl Grey", "7.90"),
        ("Darjeeling first flush", "14.00"),
        ("Jasmine pearls", "16.50"),
        ("Rooibos vanilla", "8.20"),
        ("Chamomile", "6.90"),
        ("Matcha ceremonial", "29.00"),
        ("Oolong Tieguanyin", "18.00"),
        ("English breakfast", "7.50"),
        ("Masala chai", "8.80"),
    ],
    "Mugs and cups": [
        ("Stoneware mug", "15.00"),
        ("Glass cup 250 ml", "9.00"),
        ("Espresso cups (2)", "18.00"),
        ("Travel tumbler", "26.00"),
        ("Latte bowl", "17.00"),
        ("Double-wall glass", "14.00"),
        ("Enamel camping mug", "12.00"),
        ("Porcelain teacup", "16.00"),
    ],
    "Gifts": [
        ("Tasting set (4 coffees)", "45.00"),
        ("Gift card 25", "25.00"),
        ("Gift card 50", "50.00"),
        ("Barista course voucher", "89.00"),
        ("Coffee subscription (3 months)", "99.00"),
        ("Tea sampler", "32.00"),
        ("Tote bag", "12.00"),
        ("Recipe book", "21.00"),
    ],
}


ADMIN_PERMISSIONS = [
    "view_product",
    "add_product",
    "change_product",
    "delete_product",
    "view_category",
    "add_category",
    "change_category",
    "view_stockmovement",
]


def seed() -> list[str]:
    """Create the demo catalog if missing; return lines to print."""
    store = Store.objects.get(slug=DEMO_STORE_SLUG)
    Group.objects.get(name=ADMIN_GROUP).permissions.add(
        *Permission.objects.filter(
            content_type__app_label="products", codename__in=ADMIN_PERMISSIONS
        )
    )
    number = 0
    for category_name, items in CATALOG.items():
        category = Category.objects.filter(store=store, name=category_name).first()
        if category is None:
            category = services.category_create(store=store, name=category_name)
        for name, price in items:
            number += 1
            sku = f"DEMO-{number:03d}"
            if Product.objects.filter(store=store, sku=sku).exists():
                continue
            # A few products start low or out of stock, to show the highlights.
            stock = (number * 7) % 40 if number % 9 else number % 3
            services.product_create(
                store=store,
                actor=None,
                sku=sku,
                name=name,
                price=Decimal(price),
                category_id=category.pk,
                initial_stock=stock,
                is_active=number % 17 != 0,
            )
    total = Product.objects.filter(store=store, deleted_at__isnull=True).count()
    return [f"  catalog:   {total} products in {len(CATALOG)} categories"]
