from decimal import Decimal

import factory

from apps.products.models import Category, Product, StockMovement
from apps.stores.tests.factories import StoreFactory


class CategoryFactory(factory.django.DjangoModelFactory[Category]):
    class Meta:
        model = Category

    store = factory.SubFactory(StoreFactory)
    name = factory.Sequence(lambda n: f"Category {n}")


class ProductFactory(factory.django.DjangoModelFactory[Product]):
    """A product; pass ``stock=N`` to give it stock through the ledger."""

    class Meta:
        model = Product
        skip_postgeneration_save = True

    store = factory.SubFactory(StoreFactory)
    sku = factory.Sequence(lambda n: f"SKU-{n:05d}")
    name = factory.Sequence(lambda n: f"Product {n}")
    price = Decimal("9.90")

    @factory.post_generation
    def stock(obj, create, extracted, **kwargs):
        if create and extracted:
            from apps.products.services import product_stock_adjust

            product_stock_adjust(
                product=obj,
                actor=None,
                delta=extracted,
                reason=StockMovement.Reason.INITIAL,
            )
            obj.refresh_from_db()
