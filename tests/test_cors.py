"""CORS answers as a browser reads them: preflights, exposed headers, the API only.

The allow-list comes from ``CORS_ALLOWED_ORIGINS`` (the environment; empty by
default, see apps/core/tests/test_settings.py); a real browser is driven in
tests/e2e/test_cors_browser.py (ADR 0037).
"""

import pytest

from apps.products.tests.factories import ProductFactory

pytestmark = pytest.mark.django_db

ALLOWED = "https://shop.example"
ITEM = "/api/v1/stores/shop/products/01950000-0000-7000-8000-000000000000/"
# What a frontend sends beyond the headers every browser may send unasked.
REQUEST_HEADERS = {
    "authorization",
    "content-type",
    "idempotency-key",
    "if-match",
    "if-none-match",
    "x-request-id",
}
EXPOSED = {"ETag", "Idempotent-Replayed", "Location", "Retry-After", "X-Request-ID"}


@pytest.fixture(autouse=True)
def _allow_one_origin(settings):
    settings.CORS_ALLOWED_ORIGINS = [ALLOWED]


def _listed(value):
    return {item.strip() for item in value.split(",")}


def _preflight(client, origin, method="PATCH"):
    return client.options(
        ITEM,
        HTTP_ORIGIN=origin,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD=method,
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS=", ".join(sorted(REQUEST_HEADERS)),
    )


@pytest.mark.parametrize("method", ["PATCH", "DELETE", "POST"])
def test_a_preflight_from_an_allowed_origin_allows_what_the_api_reads(client, method):
    answer = _preflight(client, ALLOWED, method)
    assert answer.status_code == 200
    assert answer["Access-Control-Allow-Origin"] == ALLOWED
    assert method in _listed(answer["Access-Control-Allow-Methods"])
    assert _listed(answer["Access-Control-Allow-Headers"]) >= REQUEST_HEADERS


@pytest.mark.parametrize("origin", ["https://evil.example", "http://shop.example"])
def test_a_preflight_from_any_other_origin_allows_nothing(client, origin):
    answer = _preflight(client, origin)
    assert "Access-Control-Allow-Origin" not in answer
    assert "Access-Control-Allow-Headers" not in answer


def test_an_answer_to_an_allowed_origin_exposes_what_a_frontend_reads(client):
    product = ProductFactory(store__slug="shop")
    answer = client.get(
        f"/api/v1/stores/shop/products/{product.pk}/", HTTP_ORIGIN=ALLOWED
    )
    assert answer.status_code == 200
    assert answer["Access-Control-Allow-Origin"] == ALLOWED
    assert _listed(answer["Access-Control-Expose-Headers"]) >= EXPOSED
    assert "origin" in _listed(answer["Vary"].lower())


def test_errors_carry_the_cors_headers_so_scripts_can_read_the_problem(client):
    answer = client.get(ITEM, HTTP_ORIGIN=ALLOWED)
    assert answer.status_code == 404
    assert answer["Access-Control-Allow-Origin"] == ALLOWED


@pytest.mark.parametrize("path", ["/health/live/", "/api/v1/"])
def test_only_the_api_answers_cross_origin_requests(client, path):
    answer = client.get(path, HTTP_ORIGIN=ALLOWED)
    assert ("Access-Control-Allow-Origin" in answer) is path.startswith("/api/")
