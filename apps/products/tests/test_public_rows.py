"""The public product list's hand-rendered rows are what the serializer renders."""

import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.utils import timezone

from apps.core.caching import make_etag
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


def _bytes(data: object) -> bytes:
    return JSONRenderer().render(data)


@pytest.mark.parametrize("currency", ["EUR", "JPY", "KWD"])
@pytest.mark.parametrize("zone", ["UTC", "Europe/Paris"])
def test_rows_match_the_serializer_byte_for_byte(currency, zone):
    """Bytes, not parsed JSON: a shared page's body and ETag depend on key order."""
    store = StoreFactory(currency=currency)
    products = _catalog(store)
    with timezone.override(zone):
        expected = ProductPublicOutputSerializer(
            products, many=True, context={"currency": currency}
        ).data
        rows = product_public_rows(
            products.values(*PRODUCT_PUBLIC_FIELDS), currency=currency
        )
    assert _bytes(rows) == _bytes(expected)
    parsed = json.loads(_bytes(rows))
    assert {row["in_stock"] for row in parsed} == {True, False}
    assert any(row["category"] is None for row in parsed)


def test_the_public_list_answers_what_the_serializer_renders(api_client):
    store = StoreFactory(currency="EUR")
    products = list(_catalog(store))
    ProductFactory(store=store, is_active=False)  # not for the public
    cache.clear()

    def serialized(chosen):
        return ProductPublicOutputSerializer(
            chosen, many=True, context={"currency": "EUR"}
        ).data

    first = api_client.get(f"/api/v1/stores/{store.slug}/products/?page_size=2")
    assert first.status_code == 200
    assert first["X-Cache"] == "MISS"
    page = first.json()
    assert page["next"] is not None
    assert first.content == _bytes(
        {"next": page["next"], "previous": None, "results": serialized(products[:2])}
    )
    assert first["ETag"] == make_etag(first.content)

    second = api_client.get(page["next"])
    following = second.json()
    assert second.content == _bytes(
        {
            "next": None,
            "previous": following["previous"],
            "results": serialized(products[2:]),
        }
    )
    back = api_client.get(following["previous"]).json()
    assert back["results"] == json.loads(_bytes(serialized(products[:2])))
