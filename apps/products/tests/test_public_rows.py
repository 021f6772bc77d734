"""The public product list's hand-rendered rows are what the serializer renders."""

import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.core.cache import cache

from apps.core.renderers import JSONRenderer
from apps.products.models import Product
from apps.products.serializers import (
    PRODUCT_PUBLIC_FIELDS,
    ProductPublicOutputSerializer,
    product_public_rows,
)
from apps.stores.tests.factories import StoreFactory

from .factories import CategoryFactory, ProductFactory

pytestmark = pytest.mark.django_db


def _json(data: object) -> object:
    return json.loads(JSONRenderer().render(data))


def _catalog(store):
    category = CategoryFactory(store=store, name="Zoë's tea")
    ProductFactory(store=store, category=category, stock=3, price=Decimal("12.5"))
    ProductFactory(store=store, category=None, price=Decimal("0.1"))  # out of stock
    bare = ProductFactory(store=store, description="Line one\nline two \u2028")
    Product.objects.filter(pk=bare.pk).update(
        created_at=datetime(2026, 3, 29, 1, 30, tzinfo=UTC)  # no microseconds
    )
    return (
        Product.objects.filter(store=store).select_related("category").order_by("-id")
    )


@pytest.mark.parametrize("currency", ["EUR", "JPY", "KWD"])
def test_rows_match_the_serializer_for_every_shape_of_product(currency):
    store = StoreFactory(currency=currency)
    products = _catalog(store)
    expected = _json(
        ProductPublicOutputSerializer(
            products, many=True, context={"currency": currency}
        ).data
    )
    rows = _json(
        product_public_rows(products.values(*PRODUCT_PUBLIC_FIELDS), currency=currency)
    )
    assert rows == expected
    assert {row["in_stock"] for row in rows} == {True, False}
    assert any(row["category"] is None for row in rows)


def test_the_public_list_answers_what_the_serializer_renders(api_client):
    store = StoreFactory(currency="EUR")
    products = _catalog(store)
    ProductFactory(store=store, is_active=False)  # not for the public
    cache.clear()
    response = api_client.get(f"/api/v1/stores/{store.slug}/products/?page_size=2")
    assert response.status_code == 200
    assert response["X-Cache"] == "MISS"
    page = response.json()
    expected = ProductPublicOutputSerializer(
        products.filter(is_active=True)[:2], many=True, context={"currency": "EUR"}
    ).data
    assert page["results"] == _json(expected)
    assert page["next"] is not None
    following = api_client.get(page["next"]).json()
    assert [row["id"] for row in following["results"]] == [
        str(product.pk) for product in products.filter(is_active=True)[2:]
    ]
