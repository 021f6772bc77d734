"""The remembering resolver answers what Django's walk through the routes answers."""

import pytest
from django.conf import settings
from django.urls import Resolver404, URLResolver, get_resolver, resolve, reverse
from django.urls.resolvers import RegexPattern

from apps.core.resolvers import RememberingResolver

ORDER = "3f1c2a6e-9b1d-4c55-8c1e-2f1f5b7a9d10"
PATHS = [
    "/",
    "/health/ready/",
    "/api/v1/",
    "/api/v1/auth/token/",
    "/api/v1/stores/",
    "/api/v1/stores/corner-shop/",
    "/api/v1/stores/corner-shop/members/",
    "/api/v1/stores/corner-shop/products/",
    "/api/v1/stores/corner-shop/customers/",
    "/api/v1/stores/corner-shop/orders/",
    f"/api/v1/stores/corner-shop/orders/{ORDER}/",
    f"/api/v1/stores/corner-shop/orders/{ORDER}/cancel/",
    "/api/v1/stores/corner-shop/payments/webhook/",
    f"/api/v1/stores/corner-shop/customers/{ORDER}/addresses/",  # a uuid prefix
    "/api/v1/stores/corner-shop/reports/daily/2026-02-28/",  # an isodate
    "/api/v1/stores/corner-shop/reports/daily/2026-02-30/",  # none: the catch-all
    "/api/schema/",
    "/api/v1/no-such-thing/",  # the API's problem+json 404, a route too
    f"/{settings.ADMIN_URL}",
    f"/{settings.ADMIN_URL}no/such/page/",  # the admin's catch-all
]


def _routes():
    """The project's routes, as the remembering resolver holds them."""
    [resolver] = get_resolver().url_patterns
    return resolver.url_patterns


def _described(match):
    return (
        match.func,
        match.args,
        match.kwargs,
        match.url_name,
        match.app_names,
        match.namespaces,
        match.route,
        match.view_name,
        match.captured_kwargs,
        match.extra_kwargs,
    )


def test_the_site_resolves_through_it():
    [resolver] = get_resolver().url_patterns
    assert isinstance(resolver, RememberingResolver)


@pytest.mark.parametrize("path", PATHS)
def test_each_path_resolves_as_djangos_walk_resolves_it(path):
    walked = URLResolver(RegexPattern(r"^/"), _routes()).resolve(path)
    [site] = get_resolver().url_patterns
    first = resolve(path)
    hits = site._remembered.cache_info().hits
    again = resolve(path)
    assert site._remembered.cache_info().hits == hits + 1  # from memory
    assert _described(first) == _described(walked)
    assert _described(again) == _described(walked)
    assert again.kwargs is not first.kwargs  # each request its own arguments


def test_a_path_seen_before_is_not_walked_again():
    resolver = RememberingResolver(_routes(), size=2)
    resolver.resolve("api/v1/stores/corner-shop/orders/")
    before = resolver._remembered.cache_info()
    resolver.resolve("api/v1/stores/corner-shop/orders/")
    after = resolver._remembered.cache_info()
    assert (after.hits, after.misses) == (before.hits + 1, before.misses)


def test_only_the_last_paths_are_kept():
    resolver = RememberingResolver(_routes(), size=2)
    for shop in ("a", "b", "c", "d"):
        resolver.resolve(f"api/v1/stores/{shop}/orders/")
    assert resolver._remembered.cache_info().currsize == 2


def test_a_path_that_matches_nothing_is_not_remembered():
    resolver = RememberingResolver(_routes(), size=8)
    for _ in range(2):
        with pytest.raises(Resolver404) as missing:
            resolver.resolve("nowhere/")
        assert missing.value.args[0]["tried"]  # the debug page's list, as before
    assert resolver._remembered.cache_info().currsize == 0


def test_names_reverse_through_it():
    assert reverse("v1:root") == "/api/v1/"
    assert reverse("v1:orders:order-list", kwargs={"store_slug": "s"}) == (
        "/api/v1/stores/s/orders/"
    )
