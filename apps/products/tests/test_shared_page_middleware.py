"""SharedPageMiddleware: a storefront hit answered before DRF, exactly as the
view answers it, and nothing else answered there (ADR 0065)."""

import logging
from decimal import Decimal

import pytest
from django.conf import settings as django_settings
from rest_framework.test import APIClient

from apps.core.testing import record_redis_commands
from apps.core.throttling import AnonRateThrottle, UserRateThrottle
from apps.products import services
from apps.products.views import ProductViewSet
from apps.stores.tests.factories import StoreFactory

from .factories import ProductFactory

pytestmark = pytest.mark.django_db

EDGE = "apps.core.caching.SharedPageMiddleware"


@pytest.fixture
def product(store):
    return ProductFactory(store=store, price=Decimal("10.00"), stock=3)


@pytest.fixture
def views_entered(monkeypatch):
    """The requests that reached the product viewset (DRF's dispatch)."""
    entered = []
    real = ProductViewSet.initial

    def initial(self, request, *args, **kwargs):
        entered.append(request.method)
        return real(self, request, *args, **kwargs)

    monkeypatch.setattr(ProductViewSet, "initial", initial)
    return entered


@pytest.fixture
def without_edge(settings):
    """A client of the stack without the middleware (a client loads it once)."""

    def client():
        settings.MIDDLEWARE = [m for m in django_settings.MIDDLEWARE if m != EDGE]
        return APIClient()

    return client


def _urls(product):
    base = f"/api/v1/stores/{product.store.slug}/products/"
    return [base, f"{base}?ordering=-price&page_size=5", f"{base}{product.pk}/"]


def _answer(response):
    """Everything a caller sees, but the request's own id."""
    headers = {k: v for k, v in response.items() if k != "X-Request-ID"}
    return response.status_code, headers, response.content


ORIGIN = "https://shop.example.com"


@pytest.mark.parametrize("index", [0, 1, 2])
@pytest.mark.parametrize("conditional", [False, True])
@pytest.mark.parametrize("origin", [None, ORIGIN])
def test_a_hit_is_answered_before_the_view_as_the_view_answers_it(
    api_client,
    product,
    views_entered,
    without_edge,
    settings,
    index,
    conditional,
    origin,
):
    settings.CORS_ALLOWED_ORIGINS = [ORIGIN]
    url = _urls(product)[index]
    miss = api_client.get(url)
    assert miss["X-Cache"] == "MISS"
    headers = {"HTTP_IF_NONE_MATCH": miss["ETag"]} if conditional else {}
    if origin:
        headers["HTTP_ORIGIN"] = origin  # a storefront in a browser: CORS applies
    entered = len(views_entered)
    edge = api_client.get(url, **headers)
    assert len(views_entered) == entered  # the viewset never ran
    view = without_edge().get(url, **headers)
    assert len(views_entered) == entered + 1
    assert edge["X-Cache"] == "HIT"
    assert edge.status_code == (304 if conditional else 200)
    assert _answer(edge) == _answer(view)
    assert all(name in edge for name in ("Allow", "X-Frame-Options", "X-Request-ID"))
    assert (edge.get("Access-Control-Allow-Origin") == ORIGIN) == bool(origin)


def test_a_hit_runs_no_sql_and_is_logged_with_its_store(
    api_client, product, views_entered, django_assert_num_queries, caplog
):
    url = _urls(product)[0]
    api_client.get(url)
    with (
        django_assert_num_queries(0),  # the store's id from its slug, remembered
        caplog.at_level(logging.INFO, logger="orderly.access"),
    ):
        response = api_client.get(url)
    assert response["X-Cache"] == "HIT"
    record = next(r for r in caplog.records if r.name == "orderly.access")
    assert (record.store, record.status, record.user_id) == (
        product.store.slug,
        200,
        None,
    )


def test_a_miss_goes_to_the_view_which_shares_the_page(
    api_client, product, views_entered, django_capture_on_commit_callbacks
):
    url = _urls(product)[0]
    assert api_client.get(url)["X-Cache"] == "MISS"
    assert views_entered == ["GET"]
    with django_capture_on_commit_callbacks(execute=True):
        services.product_update(product=product, price=Decimal("12.00"))
    after = api_client.get(url)  # the catalog changed: the old page is stale
    assert (after["X-Cache"], views_entered) == ("MISS", ["GET", "GET"])
    assert after.json()["results"][0]["price"] == "12.00"


@pytest.mark.parametrize(
    ("headers", "status", "cache_state"),
    [
        ({"HTTP_ACCEPT": "text/html"}, 406, None),  # DRF negotiates and refuses
        ({"HTTP_ACCEPT": ""}, 406, None),  # an empty header is not an absent one
        ({"HTTP_COOKIE": "sessionid=stale"}, 200, "HIT"),  # sessions answer cookies
        ({"HTTP_ACCEPT": "application/json; indent=4"}, 200, "HIT"),
        ({"HTTP_AUTHORIZATION": "Bearer not-a-token"}, 401, None),
        ({"HTTP_AUTHORIZATION": ""}, 200, "HIT"),
    ],
)
def test_anything_the_edge_does_not_answer_the_view_does(
    api_client, product, views_entered, headers, status, cache_state
):
    url = _urls(product)[0]
    api_client.get(url)
    response = api_client.get(url, **headers)
    assert views_entered == ["GET", "GET"]
    assert response.status_code == status
    assert response.get("X-Cache") == cache_state


def test_members_unknown_stores_and_writes_reach_the_view(
    api_client, auth_client, member_of, product, views_entered
):
    url = _urls(product)[0]
    api_client.get(url)
    owner = member_of(product.store, "owner")
    assert auth_client(owner).get(url)["X-Cache"] == "BYPASS"
    missing = api_client.get("/api/v1/stores/no-such-store/products/")
    assert missing.status_code == 404
    assert missing["Content-Type"] == "application/problem+json"
    assert api_client.post(url, {"name": "x"}, format="json").status_code == 401
    assert api_client.head(url).status_code == 200
    # The first read's miss, the owner's, the unknown store's, the write, HEAD.
    assert views_entered == ["GET", "GET", "GET", "POST", "HEAD"]


@pytest.fixture
def anon_three_per_minute(monkeypatch):
    for throttle in (AnonRateThrottle, UserRateThrottle):
        rates = {**throttle.THROTTLE_RATES, "anon": "3/min"}
        monkeypatch.setattr(throttle, "THROTTLE_RATES", rates)


def test_hits_count_against_the_anonymous_rate_with_the_views_own(
    clock,
    api_client,
    product,
    views_entered,
    anon_three_per_minute,
    django_assert_num_queries,
):
    url = _urls(product)[0]
    answers = [api_client.get(url) for _ in range(3)]
    with django_assert_num_queries(0):  # refused before anything is read
        answers.append(api_client.get(url))
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert [a.get("X-Cache") for a in answers[:3]] == ["MISS", "HIT", "HIT"]
    # The miss went through the view (counted once: a second count would have
    # refused the third request), the two hits not; the refused request fell
    # through to the view, which refused it with its problem document.
    assert views_entered == ["GET", "GET"]
    assert answers[3]["Content-Type"] == "application/problem+json"
    assert int(answers[3]["Retry-After"]) >= 1
    # Another address has a count of its own, and its hit is served here.
    other = api_client.get(url, REMOTE_ADDR="10.9.9.9")
    assert (other.status_code, other["X-Cache"]) == (200, "HIT")
    assert views_entered == ["GET", "GET"]


def test_callers_over_the_rate_cost_no_query_even_for_unknown_stores(
    api_client, anon_three_per_minute, django_assert_num_queries, clock
):
    url = "/api/v1/stores/no-such-store/products/"
    assert [api_client.get(url).status_code for _ in range(3)] == [404] * 3
    with django_assert_num_queries(0):
        assert api_client.get(url).status_code == 429


def test_one_stores_page_is_never_answered_for_another(api_client, product):
    other = ProductFactory(store=StoreFactory(), name="Other store's only product")
    mine = f"/api/v1/stores/{product.store.slug}/products/"
    theirs = f"/api/v1/stores/{other.store.slug}/products/"
    assert api_client.get(mine)["X-Cache"] == "MISS"
    assert api_client.get(mine)["X-Cache"] == "HIT"
    answer = api_client.get(theirs)  # same path shape, same query: its own page
    assert answer["X-Cache"] == "MISS"
    assert [p["id"] for p in answer.json()["results"]] == [str(other.pk)]
    hit = api_client.get(theirs)
    assert (hit["X-Cache"], hit.content) == ("HIT", answer.content)
    assert str(product.pk) not in hit.content.decode()


def test_a_members_answer_is_never_served_to_anonymous_callers(
    api_client, auth_client, member_of, product
):
    product_hidden = ProductFactory(store=product.store, is_active=False)
    url = _urls(product)[0]
    staff = auth_client(member_of(product.store, "owner")).get(url)
    assert staff["X-Cache"] == "BYPASS"
    assert str(product_hidden.pk) in staff.content.decode()
    anonymous = [api_client.get(url) for _ in range(2)]
    assert [a["X-Cache"] for a in anonymous] == ["MISS", "HIT"]
    assert all(str(product_hidden.pk) not in a.content.decode() for a in anonymous)


@pytest.mark.redis
def test_a_hit_is_one_round_trip_to_redis(api_client, product, monkeypatch):
    """The caller's counter and the page with its version: one script (ADR 0067)."""
    url = _urls(product)[0]
    api_client.get(url)
    api_client.get(url)  # the store's id is remembered, the script loaded
    sent = record_redis_commands(monkeypatch)
    assert api_client.get(url)["X-Cache"] == "HIT"
    assert sent == ["EVALSHA"]


def test_a_deleted_store_is_answered_from_the_cache_no_longer_than_the_memory(
    api_client, settings, monkeypatch
):
    from apps.stores import selectors

    settings.STORE_ID_MEMORY_SECONDS = 5
    store = StoreFactory()  # a catalog with nothing in it yet: deletable
    url = f"/api/v1/stores/{store.slug}/products/"
    assert [api_client.get(url)["X-Cache"] for _ in range(2)] == ["MISS", "HIT"]
    now = selectors.time.monotonic()
    store.delete()
    # Within the memory, the page its id names may still be served ...
    monkeypatch.setattr(selectors.time, "monotonic", lambda: now + 4.9)
    assert api_client.get(url)["X-Cache"] == "HIT"
    # ... and never after it: the slug names no store any more.
    monkeypatch.setattr(selectors.time, "monotonic", lambda: now + 5.1)
    gone = api_client.get(url)
    assert gone.status_code == 404
    assert gone["Content-Type"] == "application/problem+json"
