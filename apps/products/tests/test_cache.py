"""The storefront cache: hits run no catalog SQL, writes show on the next read,
and staff-only data never reaches the shared cache."""

from decimal import Decimal

import pytest

from apps.core.testing import count_queries
from apps.products import services
from apps.products.models import StockMovement

from .factories import CategoryFactory, ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def product(store):
    return ProductFactory(store=store, price=Decimal("10.00"), stock=3)


def _list(store):
    return f"/api/v1/stores/{store.slug}/products/"


def _detail(product):
    return f"/api/v1/stores/{product.store.slug}/products/{product.pk}/"


def _catalog_queries(queries):
    return [q for q in queries if "products_" in q["sql"]]


def _sql_of(client, url, **headers):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as context:
        response = client.get(url, **headers)
    return response, context.captured_queries


@pytest.mark.parametrize("url_of", [lambda p: _list(p.store), _detail])
def test_a_second_identical_read_runs_no_catalog_sql(api_client, product, url_of):
    url = url_of(product)
    first, first_sql = _sql_of(api_client, url)
    second, second_sql = _sql_of(api_client, url)
    assert (first["X-Cache"], second["X-Cache"]) == ("MISS", "HIT")
    assert _catalog_queries(first_sql)
    assert _catalog_queries(second_sql) == []
    assert second_sql == []  # the store's id from its slug, remembered (ADR 0067)
    assert first.content == second.content


def test_shoppers_with_a_token_share_the_anonymous_cache(
    api_client, auth_client, product, user
):
    api_client.get(_list(product.store))
    response = auth_client(user).get(_list(product.store))  # a user who is not a member
    assert response["X-Cache"] == "HIT"


def test_a_price_change_is_visible_on_the_very_next_read(
    api_client, product, user, django_capture_on_commit_callbacks
):
    assert api_client.get(_detail(product)).json()["price"] == "10.00"
    api_client.get(_list(product.store))
    with django_capture_on_commit_callbacks(execute=True):  # the write commits
        services.product_update(product=product, price=Decimal("12.00"))
    detail = api_client.get(_detail(product))
    assert (detail["X-Cache"], detail.json()["price"]) == ("MISS", "12.00")
    listing = api_client.get(_list(product.store))
    assert listing.json()["results"][0]["price"] == "12.00"


def test_writes_invalidate_only_after_commit(
    api_client, product, user, django_capture_on_commit_callbacks
):
    api_client.get(_detail(product))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.product_update(product=product, name="Renamed")
    assert api_client.get(_detail(product))["X-Cache"] == "HIT"  # not committed yet
    for callback in callbacks:
        callback()
    assert api_client.get(_detail(product)).json()["name"] == "Renamed"


@pytest.mark.parametrize(
    "write",
    [
        lambda p, u: services.product_update(product=p, is_active=False),
        lambda p, u: services.product_delete(product=p),
        lambda p, u: services.category_update(category=p.category, name="Renamed"),
        lambda p, u: services.product_stock_adjust(
            product=p, actor=u, delta=-3, reason=StockMovement.Reason.ADJUSTMENT
        ),
    ],
)
def test_every_kind_of_catalog_write_refreshes_the_list(
    api_client, store, user, write, django_capture_on_commit_callbacks
):
    product = ProductFactory(
        store=store, category=CategoryFactory(store=store), stock=3
    )
    before = api_client.get(_list(store)).json()
    with django_capture_on_commit_callbacks(execute=True):
        write(product, user)
    after = api_client.get(_list(store))
    assert after["X-Cache"] == "MISS"
    assert after.json() != before


def test_a_stock_change_that_keeps_the_product_in_stock_keeps_the_cache(
    api_client, product, user
):
    api_client.get(_list(product.store))
    services.product_stock_adjust(
        product=product, actor=user, delta=1, reason=StockMovement.Reason.RESTOCK
    )
    assert api_client.get(_list(product.store))["X-Cache"] == "HIT"


def test_staff_reads_bypass_the_cache_and_never_fill_it(
    api_client, auth_client, member_of, product
):
    staff = member_of(product.store, "staff")
    staff_response = auth_client(staff).get(_detail(product))
    assert staff_response["X-Cache"] == "BYPASS"
    assert staff_response.json()["stock_quantity"] == 3
    public = api_client.get(_detail(product))
    assert public["X-Cache"] == "MISS"
    assert "stock_quantity" not in public.json()
    # And the other way round: a cached public page is never served to staff.
    assert "stock_quantity" in auth_client(staff).get(_detail(product)).json()


def test_no_staff_only_field_is_stored_in_the_shared_cache(
    api_client, auth_client, member_of, product
):
    from apps.core.caching import SharedPage, page_get
    from apps.products.cache import page_key, version_key

    auth_client(member_of(product.store, "owner")).get(_list(product.store))
    api_client.get(_list(product.store))
    key = page_key(
        store_id=product.store.pk,
        view="list",
        url=f"http://testserver{_list(product.store)}",
    )
    shared = SharedPage(
        key=key, timeout=60, version_key=version_key(store_id=product.store.pk)
    )
    page, _ = page_get(shared)
    assert page is not None
    for field in ("stock_quantity", "is_low_stock", "is_active", "low_stock_threshold"):
        assert field.encode() not in page.body


def test_detail_supports_if_none_match(
    api_client, product, user, django_capture_on_commit_callbacks
):
    first = api_client.get(_detail(product))
    etag = first["ETag"]
    not_modified = api_client.get(_detail(product), HTTP_IF_NONE_MATCH=etag)
    assert not_modified.status_code == 304
    assert not_modified.content == b""
    with django_capture_on_commit_callbacks(execute=True):
        services.product_update(product=product, name="Changed")
    changed = api_client.get(_detail(product), HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag


def test_cache_hit_query_count_is_constant(api_client, store):
    for _ in range(30):
        ProductFactory(store=store)
    api_client.get(f"{_list(store)}?page_size=30")
    queries, response = count_queries(
        lambda: api_client.get(f"{_list(store)}?page_size=30")
    )
    assert response["X-Cache"] == "HIT"
    assert queries == 0  # the store's id from its slug is remembered (ADR 0067)


def test_a_hit_once_the_store_id_is_forgotten_reads_it_again(
    api_client, store, settings
):
    settings.STORE_ID_MEMORY_SECONDS = 0
    ProductFactory(store=store)
    api_client.get(_list(store))
    queries, response = count_queries(lambda: api_client.get(_list(store)))
    assert response["X-Cache"] == "HIT"
    assert queries == 1


@pytest.mark.parametrize(
    "header",
    ["*", "{etag}", "W/{etag}", '"other", {etag}', '"other",W/{etag}'],
)
@pytest.mark.parametrize("url_of", [lambda p: _list(p.store), _detail])
def test_if_none_match_answers_304_for_the_current_tag_or_a_star(
    api_client, product, url_of, header
):
    etag = api_client.get(url_of(product))["ETag"]
    response = api_client.get(
        url_of(product), HTTP_IF_NONE_MATCH=header.format(etag=etag)
    )
    assert response.status_code == 304
    assert response["ETag"] == etag


@pytest.mark.parametrize("header", ['"other"', 'W/"other"', "", "garbage"])
def test_if_none_match_with_another_tag_answers_the_body(api_client, product, header):
    response = api_client.get(_detail(product), HTTP_IF_NONE_MATCH=header)
    assert response.status_code == 200
    assert response.json()["id"] == str(product.pk)


def test_if_none_match_star_on_a_missing_product_is_404(api_client, store):
    missing = "01900000-0000-7000-8000-000000000000"
    response = api_client.get(
        f"/api/v1/stores/{store.slug}/products/{missing}/", HTTP_IF_NONE_MATCH="*"
    )
    assert response.status_code == 404


@pytest.mark.parametrize("url_of", [lambda p: _list(p.store), _detail])
def test_member_reads_carry_a_tag_and_answer_304_without_being_shared(
    auth_client, member_of, product, url_of
):
    client = auth_client(member_of(product.store, "staff"))
    first = client.get(url_of(product))
    assert first["X-Cache"] == "BYPASS"
    assert "Authorization" in first["Vary"]
    assert first["Cache-Control"] == "no-cache"
    again = client.get(url_of(product), HTTP_IF_NONE_MATCH=first["ETag"])
    assert (again.status_code, again["X-Cache"]) == (304, "BYPASS")
