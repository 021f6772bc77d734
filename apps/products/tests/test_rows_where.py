"""rows_where on the columns the placement reads products by: the ORM's rows."""

from decimal import Decimal

import pytest
from django.utils import timezone

from apps.core.models import rows_where
from apps.products.models import Product
from apps.products.selectors import products_on_sale
from apps.stores.tests.factories import StoreFactory

from .factories import CategoryFactory, ProductFactory

pytestmark = pytest.mark.django_db


def _same(made: list[Product], loaded: list[Product]) -> None:
    assert [row.pk for row in made] == [row.pk for row in loaded]
    for one, other in zip(made, loaded, strict=True):
        for field in Product._meta.concrete_fields:  # values and their types
            assert getattr(one, field.attname) == getattr(other, field.attname)
            assert type(getattr(one, field.attname)) is type(
                getattr(other, field.attname)
            )


def test_a_foreign_key_a_boolean_a_null_and_ids_read_as_the_orm_reads_them():
    store, other_store = StoreFactory(), StoreFactory()
    category = CategoryFactory(store=store)  # a UUID column that is not the key
    on_sale = ProductFactory(store=store, category=category, price=Decimal("12.50"))
    inactive = ProductFactory(store=store, is_active=False)
    deleted = ProductFactory(store=store, deleted_at=timezone.now())
    plain = ProductFactory(store=store)
    elsewhere = ProductFactory(store=other_store)
    ids = [p.pk for p in (elsewhere, plain, deleted, inactive, on_sale)]

    # Each statement read three times with other values, and the same
    # conditions in another order (another statement, its parameters in that
    # order): each call gets its own rows.
    for store_id, active in (
        (store.pk, True),
        (other_store.pk, True),
        (store.pk, False),
    ):
        for equal in (
            {"store_id": store_id, "is_active": active, "deleted_at": None},
            {"deleted_at": None, "is_active": active, "store_id": store_id},
        ):
            orm = Product.objects.filter(
                store_id=store_id, is_active=active, deleted_at__isnull=True, pk__in=ids
            ).order_by("pk")
            _same(rows_where(Product, equal, pks=ids), list(orm))
    _same(
        rows_where(Product, {"category_id": category.pk}),
        list(Product.objects.filter(category=category)),
    )
    _same(
        rows_where(Product, {"store": store.pk, "deleted_at": None}, pks=[deleted.pk]),
        [],
    )


def test_products_on_sale_is_the_stores_active_products_only():
    store = StoreFactory()
    on_sale = ProductFactory(store=store)
    gone = [
        ProductFactory(store=store, is_active=False),
        ProductFactory(store=store, deleted_at=timezone.now()),
        ProductFactory(store=StoreFactory()),
    ]
    found = products_on_sale(
        store_id=store.pk, product_ids=[on_sale.pk, *(p.pk for p in gone)]
    )
    assert list(found) == [on_sale.pk]
    assert found[on_sale.pk].sku == on_sale.sku
