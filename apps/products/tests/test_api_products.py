"""The catalog API: public storefront reads, staff management, the ledger."""

from decimal import Decimal

import pytest

from apps.core.testing import assert_request_queries
from apps.products.models import STOCK_LIMIT, Product, StockMovement
from apps.stores.tests.factories import MembershipFactory, StoreFactory

from .factories import CategoryFactory, ProductFactory

pytestmark = pytest.mark.django_db

PUBLIC_FIELDS = {
    "id",
    "sku",
    "name",
    "description",
    "price",
    "currency",
    "category",
    "in_stock",
    "created_at",
    "updated_at",
}
STAFF_ONLY = {"stock_quantity", "low_stock_threshold", "is_low_stock", "is_active"}


@pytest.fixture
def shop():
    return StoreFactory(slug="shop", currency="EUR", low_stock_threshold=3)


def _products(store):
    return f"/api/v1/stores/{store.slug}/products/"


def test_anonymous_callers_see_active_products_without_stock_levels(api_client, shop):
    active = ProductFactory(store=shop, stock=4)
    ProductFactory(store=shop, is_active=False)
    ProductFactory(store=StoreFactory())  # another store's
    response = api_client.get(_products(shop))
    assert response.status_code == 200
    results = response.json()["results"]
    assert [p["id"] for p in results] == [str(active.pk)]
    assert set(results[0]) == PUBLIC_FIELDS
    assert results[0]["in_stock"] is True
    assert results[0]["price"] == "9.90"
    assert results[0]["currency"] == "EUR"


def test_members_see_inactive_products_and_stock_levels(auth_client, member_of, shop):
    ProductFactory(store=shop, is_active=False, stock=2)
    staff = member_of(shop, "staff")
    results = auth_client(staff).get(_products(shop)).json()["results"]
    assert len(results) == 1
    assert set(results[0]) == PUBLIC_FIELDS | STAFF_ONLY
    assert results[0]["stock_quantity"] == 2
    assert results[0]["is_low_stock"] is True  # 2 <= the store's threshold of 3


def test_an_inactive_or_deleted_product_is_404_for_the_public(
    api_client, auth_client, member_of, shop
):
    inactive = ProductFactory(store=shop, is_active=False)
    assert api_client.get(f"{_products(shop)}{inactive.pk}/").status_code == 404
    manager = member_of(shop, "manager")
    assert (
        auth_client(manager).get(f"{_products(shop)}{inactive.pk}/").status_code == 200
    )
    assert (
        auth_client(manager).delete(f"{_products(shop)}{inactive.pk}/").status_code
        == 204
    )
    assert (
        auth_client(manager).get(f"{_products(shop)}{inactive.pk}/").status_code == 404
    )
    assert Product.objects.filter(pk=inactive.pk).exists()  # soft delete


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("search=mug", {"MUG-1", "CUP-2"}),
        ("search=cup-2", {"CUP-2"}),
        ("price_min=10", {"CUP-2", "TEA-3"}),
        ("price_max=10", {"MUG-1", "CUP-2"}),
        ("price_min=5&price_max=10", {"CUP-2"}),
        ("category={cat}", {"MUG-1"}),
    ],
)
def test_list_filters(api_client, shop, query, expected):
    category = CategoryFactory(store=shop)
    ProductFactory(
        store=shop,
        sku="MUG-1",
        name="Blue mug",
        price=Decimal("4.00"),
        category=category,
    )
    ProductFactory(store=shop, sku="CUP-2", name="Mug cup", price=Decimal("10.00"))
    ProductFactory(store=shop, sku="TEA-3", name="Tea", price=Decimal("20.00"))
    response = api_client.get(f"{_products(shop)}?{query.format(cat=category.pk)}")
    assert response.status_code == 200
    assert {p["sku"] for p in response.json()["results"]} == expected


def test_low_stock_filter_is_for_members_only(api_client, auth_client, member_of, shop):
    ProductFactory(store=shop, sku="LOW", stock=1)
    ProductFactory(store=shop, sku="OK", stock=50)
    ProductFactory(store=shop, sku="OWN", stock=6, low_stock_threshold=10)
    staff = member_of(shop, "staff")
    low = auth_client(staff).get(f"{_products(shop)}?low_stock=true").json()["results"]
    assert {p["sku"] for p in low} == {"LOW", "OWN"}
    public = api_client.get(f"{_products(shop)}?low_stock=true").json()["results"]
    assert len(public) == 3  # ignored: stock levels are not public


def test_bad_filter_values_are_400(api_client, shop):
    response = api_client.get(f"{_products(shop)}?price_min=cheap")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "price_min"


def test_manager_creates_updates_and_adjusts_stock(auth_client, member_of, shop):
    manager = member_of(shop, "manager")
    client = auth_client(manager)
    category = CategoryFactory(store=shop)
    response = client.post(
        _products(shop),
        {
            "sku": "NEW-1",
            "name": "New",
            "price": "12.50",
            "category_id": str(category.pk),
            "initial_stock": 4,
        },
    )
    assert response.status_code == 201, response.json()
    product = response.json()
    assert (product["stock_quantity"], product["price"], product["category"]["id"]) == (
        4,
        "12.50",
        str(category.pk),
    )
    url = f"{_products(shop)}{product['id']}/"

    assert (
        client.patch(url, {"price": "13.00", "is_active": False}).json()["is_active"]
        is False
    )
    adjusted = client.post(
        f"{url}stock-adjustments/",
        {"delta": -3, "reason": "adjustment", "note": "damaged"},
    )
    assert adjusted.status_code == 201
    assert adjusted.json()["balance_after"] == 1
    assert adjusted.json()["actor"]["email"] == manager.email

    refused = client.post(
        f"{url}stock-adjustments/", {"delta": -2, "reason": "adjustment"}
    )
    assert refused.status_code == 409
    assert refused.json()["code"] == "insufficient_stock"
    assert refused.json()["available"] == 1

    movements = client.get(f"{url}stock-movements/").json()["results"]
    assert [(m["delta"], m["reason"]) for m in movements] == [
        (-3, "adjustment"),
        (4, "initial"),
    ]


def test_stock_cannot_be_set_through_product_updates(auth_client, member_of, shop):
    product = ProductFactory(store=shop, stock=5)
    client = auth_client(member_of(shop, "owner"))
    response = client.patch(f"{_products(shop)}{product.pk}/", {"stock_quantity": 999})
    assert response.status_code == 400
    product.refresh_from_db()
    assert product.stock_quantity == 5


@pytest.mark.parametrize(
    "payload",
    [
        {"delta": 0, "reason": "restock"},
        {"delta": 5, "reason": "order_placed"},
        {"delta": 10**12, "reason": "restock"},
        {"delta": "lots", "reason": "restock"},
    ],
)
def test_bad_stock_adjustments_are_400(auth_client, member_of, shop, payload):
    product = ProductFactory(store=shop, stock=5)
    response = auth_client(member_of(shop, "owner")).post(
        f"{_products(shop)}{product.pk}/stock-adjustments/", payload
    )
    assert response.status_code == 400
    assert product.stock_movements.count() == 1


def test_prices_are_rendered_with_the_currency_decimals(api_client):
    for currency, expected in (
        ("JPY", "1500"),
        ("EUR", "1500.00"),
        ("KWD", "1500.000"),
    ):
        store = StoreFactory(currency=currency)
        ProductFactory(store=store, price=Decimal("1500"))
        assert (
            api_client.get(_products(store)).json()["results"][0]["price"] == expected
        )


def test_a_jpy_store_refuses_fractional_prices(auth_client, member_of):
    store = StoreFactory(currency="JPY")
    response = auth_client(member_of(store, "owner")).post(
        _products(store), {"sku": "Y", "name": "Y", "price": "100.5"}
    )
    assert response.status_code == 400
    assert response.json()["errors"][0] == {
        "field": "price",
        "code": "precision",
        "message": "JPY amounts have at most 0 decimal place(s).",
    }


def test_duplicate_sku_is_a_field_error(auth_client, member_of, shop):
    ProductFactory(store=shop, sku="DUP")
    response = auth_client(member_of(shop, "owner")).post(
        _products(shop), {"sku": "dup", "name": "D", "price": "1"}
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "sku"


def test_categories_crud(api_client, auth_client, member_of, shop):
    client = auth_client(member_of(shop, "manager"))
    created = client.post(f"/api/v1/stores/{shop.slug}/categories/", {"name": "Mugs"})
    assert created.status_code == 201
    duplicate = client.post(f"/api/v1/stores/{shop.slug}/categories/", {"name": "MUGS"})
    assert duplicate.status_code == 400
    url = f"/api/v1/stores/{shop.slug}/categories/{created.json()['id']}/"
    assert client.patch(url, {"name": "Cups"}).json()["name"] == "Cups"
    assert [
        c["name"]
        for c in api_client.get(f"/api/v1/stores/{shop.slug}/categories/").json()[
            "results"
        ]
    ] == ["Cups"]
    assert client.delete(url).status_code == 204
    assert api_client.get(url).status_code == 404


def test_public_list_query_count_does_not_grow_with_the_page(api_client, shop):
    ProductFactory(store=shop, category=CategoryFactory(store=shop))
    # The cache is cold (a miss): the store's id (SharedPageMiddleware looks
    # for the page), the store, the page of products with their categories.
    assert_request_queries(api_client, f"{_products(shop)}?page_size=5", expected=3)
    for _ in range(40):
        ProductFactory(store=shop, category=CategoryFactory(store=shop))
    # Another miss: the store's id is remembered (ADR 0067).
    response = assert_request_queries(
        api_client, f"{_products(shop)}?page_size=40", expected=2
    )
    assert len(response.json()["results"]) == 40


def test_staff_list_and_ledger_query_counts_do_not_grow(auth_client, member_of, shop):
    client = auth_client(member_of(shop, "staff"))
    product = ProductFactory(store=shop, stock=1)
    # user with store + role, page
    assert_request_queries(client, _products(shop), expected=2)
    assert_request_queries(
        client, f"{_products(shop)}{product.pk}/stock-movements/", expected=3
    )
    for n in range(30):
        ProductFactory(store=shop, stock=n + 1)
        from apps.products.services import product_stock_adjust

        product_stock_adjust(product=product, actor=None, delta=1, reason="restock")
    assert_request_queries(client, f"{_products(shop)}?page_size=31", expected=2)
    ledger = assert_request_queries(
        client,
        f"{_products(shop)}{product.pk}/stock-movements/?page_size=31",
        expected=3,
    )
    assert len(ledger.json()["results"]) == 31


def test_a_member_of_another_store_gets_the_public_view(auth_client, shop):
    ProductFactory(store=shop, is_active=False)
    visible = ProductFactory(store=shop)
    other_owner = MembershipFactory(role="owner").user
    results = auth_client(other_owner).get(_products(shop)).json()["results"]
    assert [p["id"] for p in results] == [str(visible.pk)]
    assert "stock_quantity" not in results[0]


def test_category_list_query_count_does_not_grow(api_client, shop):
    url = f"/api/v1/stores/{shop.slug}/categories/"
    CategoryFactory(store=shop)
    assert_request_queries(api_client, url, expected=2)  # store, page
    for _ in range(30):
        CategoryFactory(store=shop)
    response = assert_request_queries(api_client, f"{url}?page_size=31", expected=2)
    assert len(response.json()["results"]) == 31


def test_stock_has_an_upper_limit(auth_client, member_of, shop, monkeypatch):
    from apps.products.services import stock as stock_services

    monkeypatch.setattr(stock_services, "STOCK_LIMIT", 100)
    product = ProductFactory(store=shop, stock=95)
    url = f"{_products(shop)}{product.pk}/stock-adjustments/"
    response = auth_client(member_of(shop, "manager")).post(
        url, {"delta": 6, "reason": "restock"}
    )
    assert response.status_code == 409
    assert response.json()["code"] == "stock_limit"
    product.refresh_from_db()
    assert product.stock_quantity == 95


def test_the_stock_ceiling_bounds_every_stock_figure_of_the_api(
    auth_client, member_of, shop
):
    client = auth_client(member_of(shop, "owner"))
    over = STOCK_LIMIT + 1
    for field in ("initial_stock", "low_stock_threshold"):
        response = client.post(
            _products(shop), {"sku": "BIG", "name": "Big", "price": "1", field: over}
        )
        assert response.status_code == 400
        assert response.json()["errors"][0]["field"] == field
        assert response.json()["errors"][0]["code"] == "max_value"
    created = client.post(
        _products(shop),
        {
            "sku": "BIG",
            "name": "Big",
            "price": "1",
            "initial_stock": STOCK_LIMIT,
            "low_stock_threshold": STOCK_LIMIT,
        },
    )
    assert created.status_code == 201
    assert created.json()["stock_quantity"] == STOCK_LIMIT
    url = f"{_products(shop)}{created.json()['id']}/"
    patched = client.patch(url, {"low_stock_threshold": over})
    assert patched.json()["errors"][0]["code"] == "max_value"

    adjustments = f"{url}stock-adjustments/"
    for delta in (over, -over):
        refused = client.post(adjustments, {"delta": delta, "reason": "adjustment"})
        assert refused.json()["errors"][0]["code"] in {"max_value", "min_value"}
    emptied = client.post(adjustments, {"delta": -STOCK_LIMIT, "reason": "adjustment"})
    assert emptied.json()["balance_after"] == 0
    refilled = client.post(adjustments, {"delta": STOCK_LIMIT, "reason": "restock"})
    assert refilled.json()["balance_after"] == STOCK_LIMIT
    beyond = client.post(adjustments, {"delta": 1, "reason": "restock"})
    assert (beyond.status_code, beyond.json()["code"]) == (409, "stock_limit")


def test_the_schema_states_the_stock_ceiling(api_client):
    document = api_client.get("/api/schema/?format=json").json()
    schemas = document["components"]["schemas"]
    create = schemas["ProductCreateInputRequest"]["properties"]
    assert create["initial_stock"]["maximum"] == STOCK_LIMIT
    assert create["low_stock_threshold"]["maximum"] == STOCK_LIMIT
    delta = schemas["StockAdjustmentInputRequest"]["properties"]["delta"]
    assert (delta["minimum"], delta["maximum"]) == (-STOCK_LIMIT, STOCK_LIMIT)


def test_category_names_compare_like_the_database_constraint(
    auth_client, member_of, shop
):
    """The Kelvin sign upper-cases to K but lower-cases to k: both checks must agree."""
    client = auth_client(member_of(shop, "manager"))
    categories = f"/api/v1/stores/{shop.slug}/categories/"
    assert client.post(categories, {"name": "k"}).status_code == 201
    other = client.post(categories, {"name": "other"}).json()["id"]
    renamed = client.patch(f"{categories}{other}/", {"name": "\u212a"})
    assert renamed.status_code in (200, 400)
    created = client.post(categories, {"name": "\u212a"})
    assert created.status_code in (201, 400)


def test_the_storefront_answers_when_the_cache_is_down(api_client, shop, settings):
    ProductFactory(store=shop)
    settings.DJANGO_REDIS_IGNORE_EXCEPTIONS = True  # as the settings do with REDIS_URL
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.2, "SOCKET_TIMEOUT": 0.2},
        }
    }
    for _ in range(2):
        response = api_client.get(_products(shop))
        assert response.status_code == 200
        assert response["X-Cache"] == "MISS"  # nothing is cached: every read is fresh
        assert len(response.json()["results"]) == 1


def test_the_ledger_records_who_created_and_who_imported_stock(auth_client, shop):
    creator = MembershipFactory(store=shop, role="manager").user
    importer = MembershipFactory(store=shop, role="owner").user
    created = auth_client(creator).post(
        _products(shop),
        {"sku": "LEDGER-1", "name": "Kettle", "price": "30.00", "initial_stock": 2},
        format="json",
    )
    assert created.status_code == 201, created.json()
    imported = auth_client(importer).generic(
        "POST",
        f"{_products(shop)}import/",
        b"sku,name,price,stock\nLEDGER-1,Kettle,30.00,5\nLEDGER-2,Pot,9.00,1\n",
        content_type="text/csv",
    )
    assert imported.status_code == 200, imported.json()
    ledger = {
        (m.product.sku, m.reason): m.actor
        for m in StockMovement.objects.filter(product__store=shop)
    }
    assert ledger == {
        ("LEDGER-1", "initial"): creator,
        ("LEDGER-1", "adjustment"): importer,
        ("LEDGER-2", "initial"): importer,
    }
