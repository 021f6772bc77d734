"""The newcomer's first requests: the API root, the home redirect, OPTIONS."""

import pytest

pytestmark = pytest.mark.django_db


def test_the_api_root_links_to_the_docs_and_top_level_resources(api_client):
    response = api_client.get("/api/v1/")
    assert response.status_code == 200
    links = response.json()["links"]
    assert links["docs"] == "http://testserver/api/docs/"
    assert links["schema"] == "http://testserver/api/schema/"
    assert links["stores"] == "http://testserver/api/v1/stores/"
    assert links["token"] == "http://testserver/api/v1/auth/token/"


def test_every_link_of_the_api_root_answers(api_client):
    links = api_client.get("/api/v1/").json()["links"].values()
    for url in links:
        status = api_client.get(url).status_code
        # Reading an auth endpoint with GET is a 405, a private one a 401.
        assert status in (200, 401, 405), (url, status)


def test_the_server_root_leads_to_the_api_root(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/api/v1/"


def test_the_admin_view_site_link_leads_to_a_page(client):
    from django.contrib import admin

    assert client.get(admin.site.site_url).status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/",
        "/api/v1/auth/register/",
        "/api/v1/auth/token/",
        "/api/v1/stores/{slug}/products/",
        "/api/v1/stores/{slug}/products/{product}/",
        "/api/v1/stores/{slug}/categories/",
        "/api/v1/stores/{slug}/categories/{category}/",
    ],
)
def test_anonymous_options_on_a_public_endpoint_is_not_401(api_client, store, path):
    from apps.products.tests.factories import CategoryFactory, ProductFactory

    category = CategoryFactory(store=store)
    product = ProductFactory(store=store, category=category)
    url = path.format(slug=store.slug, product=product.pk, category=category.pk)
    response = api_client.options(url)
    assert response.status_code == 200, response.content
    assert "GET" in response["Allow"] or "POST" in response["Allow"]
