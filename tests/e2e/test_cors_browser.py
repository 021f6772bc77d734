"""CORS in headless Chromium: a frontend of another origin calls the API.

Two tiny static pages, each served from 127.0.0.1 on a port of its own, stand
for two frontends; only the first origin is in ``CORS_ALLOWED_ORIGINS``. From
each page, ``fetch`` calls the API (the live server, another origin) with a
bearer token, as a single-page app does. The browser, not this test, decides
what the page may send and read: the allowed page's preflighted requests go
through and its script reads the exposed headers; the other page's calls
reject and its writes never reach the server (ADR 0037).
"""

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from apps.customers.tests.factories import CustomerFactory
from apps.orders.models import Order
from apps.orders.tests.factories import ADDRESS
from apps.products.tests.factories import ProductFactory
from apps.stores.tests.factories import MembershipFactory, StoreFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PAGE = b"<!doctype html><meta charset=utf-8><title>A frontend</title><p>Hello."


class _StaticPage(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(PAGE)))
        self.end_headers()
        self.wfile.write(PAGE)

    def log_message(self, format, *args):
        pass  # quiet: the test output is about the API


@contextmanager
def _frontend() -> Iterator[str]:
    """Serve PAGE on 127.0.0.1 at a free port; yield its origin."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _StaticPage)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def origins(settings):
    """Two frontend origins: the first allowed, the second not."""
    with _frontend() as allowed, _frontend() as refused:
        settings.CORS_ALLOWED_ORIGINS = [allowed]
        yield allowed, refused


@pytest.fixture
def shop(live_server):
    from apps.users.services import user_tokens_issue

    store = StoreFactory(slug="corner-shop", currency="EUR")
    manager = MembershipFactory(store=store, role="manager").user
    product = ProductFactory(store=store, name="Mug", stock=5)
    api = f"{live_server.url}/api/v1/stores/{store.slug}/"
    return {
        "product": product,
        "customer": CustomerFactory(store=store),
        "token": user_tokens_issue(user=manager)["access"],
        "product_url": f"{api}products/{product.pk}/",
        "orders_url": f"{api}orders/",
    }


@pytest.fixture
def frontend_page(browser):
    """Open a page at ``origin`` in a fresh browser context."""
    contexts = []

    def open_at(origin):
        context = browser.new_context()
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.goto(origin)
        return page

    yield open_at
    for context in contexts:
        context.close()


# Runs in the page: read the product, change it with If-Match, try again with
# the old tag, place an order twice with one Idempotency-Key.
EDIT_AND_ORDER = """
async ({productUrl, ordersUrl, token, order}) => {
  const auth = {Authorization: `Bearer ${token}`};
  const json = {...auth, "Content-Type": "application/json"};
  const read = await fetch(productUrl, {headers: auth});
  const etag = read.headers.get("ETag");
  const patch = (name) => fetch(productUrl, {
    method: "PATCH", headers: {...json, "If-Match": etag},
    body: JSON.stringify({name}),
  });
  const changed = await patch("Renamed from the browser");
  const stale = await patch("A lost update");
  const place = () => fetch(ordersUrl, {
    method: "POST", headers: {...json, "Idempotency-Key": "browser-order-1"},
    body: JSON.stringify(order),
  });
  const first = await place();
  const again = await place();
  return {
    read: read.status, etag, requestId: read.headers.get("X-Request-ID"),
    changed: changed.status, newEtag: changed.headers.get("ETag"),
    name: (await changed.json()).name,
    stale: stale.status, staleCode: (await stale.json()).code,
    placed: [first.status, again.status],
    replayed: [first, again].map((r) => r.headers.get("Idempotent-Replayed")),
    sameOrder: (await first.json()).id === (await again.json()).id,
  };
}
"""

# Runs in the page: each call either answers (its status) or rejects.
TRY_CALLS = """
async ({productUrl, token}) => {
  const auth = {Authorization: `Bearer ${token}`};
  const calls = {
    read: {headers: auth},
    change: {
      method: "PATCH",
      headers: {...auth, "Content-Type": "application/json", "If-Match": "*"},
      body: JSON.stringify({name: "Changed from a foreign page"}),
    },
  };
  const outcomes = {};
  for (const [name, init] of Object.entries(calls)) {
    try {
      outcomes[name] = `answered ${(await fetch(productUrl, init)).status}`;
    } catch (error) {
      outcomes[name] = `rejected: ${error.name}`;
    }
  }
  return outcomes;
}
"""


def _arguments(shop):
    return {
        "productUrl": shop["product_url"],
        "ordersUrl": shop["orders_url"],
        "token": shop["token"],
        "order": {
            "customer": str(shop["customer"].pk),
            "lines": [{"product": str(shop["product"].pk), "quantity": 1}],
            "shipping_address": ADDRESS,
        },
    }


@pytest.fixture
def served(caplog):
    """Return the (method, status) of each request the API has answered so far."""
    caplog.set_level(logging.INFO, logger="orderly.access")
    return lambda: [
        (record.method, record.status)
        for record in caplog.records
        if record.name == "orderly.access"
    ]


def test_an_allowed_origin_edits_with_if_match_and_reads_the_exposed_headers(
    origins, shop, frontend_page, served
):
    result = frontend_page(origins[0]).evaluate(EDIT_AND_ORDER, _arguments(shop))

    assert result["read"] == 200
    assert result["etag"]  # exposed: scripts can read it
    assert result["requestId"]
    assert (result["changed"], result["name"]) == (200, "Renamed from the browser")
    assert result["newEtag"] not in (None, result["etag"])
    assert (result["stale"], result["staleCode"]) == (412, "precondition_failed")
    assert result["placed"] == [201, 201]
    assert result["replayed"] == ["false", "true"]
    assert result["sameOrder"] is True
    assert Order.objects.filter(customer=shop["customer"]).count() == 1
    shop["product"].refresh_from_db()
    assert shop["product"].name == "Renamed from the browser"
    # The browser asked first (preflight) before sending the PATCHes and POSTs.
    assert ("OPTIONS", 200) in served()


def test_another_origin_is_refused_by_the_browser_and_changes_nothing(
    origins, shop, frontend_page, served
):
    outcomes = frontend_page(origins[1]).evaluate(TRY_CALLS, _arguments(shop))

    assert outcomes == {"read": "rejected: TypeError", "change": "rejected: TypeError"}
    shop["product"].refresh_from_db()
    assert shop["product"].name == "Mug"
    # The preflight was answered without permission, so no PATCH was ever sent.
    assert "PATCH" not in {method for method, _ in served()}
