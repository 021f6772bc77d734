"""ETag and If-Match on every editable item: products, categories, customers,
addresses, the store and orders (ADR 0036).

Each write is tried with the tag of the caller's last read (it goes through and
answers the new tag, the one a read then answers), with a tag that is not the
current one, a weak one or a malformed one (412 ``precondition_failed``, and
the rows are as they were), with ``*`` and without the header (it goes
through). The last tests race two editors holding one tag on PostgreSQL.
"""

import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import pytest

from apps.core.caching import ConditionalWriteMixin
from apps.core.testing import run_concurrently
from apps.customers.models import Address, Customer
from apps.customers.tests.factories import AddressFactory, CustomerFactory
from apps.orders.models import Order
from apps.orders.services import order_pay, order_ship
from apps.orders.tests.factories import place_order
from apps.products.models import Category, Product
from apps.products.tests.factories import CategoryFactory, ProductFactory
from apps.stores.models import Store
from apps.stores.tests.factories import MembershipFactory, StoreFactory
from apps.users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

STORE = "/api/v1/stores/shop/"
NOT_CURRENT = '"' + "0" * 32 + '"'


@dataclass(frozen=True)
class Case:
    """One write on one item: who sends it, where, and what must not change."""

    role: str
    read: str
    method: str
    url: str
    body: dict[str, Any] | None
    rows: Callable[[], Any]


def _row(model, pk):
    return lambda: model.objects.filter(pk=pk).values().first()


def _order_rows(order):
    return lambda: (
        Order.objects.filter(pk=order.pk).values().first(),
        order.events.count(),
        sorted(Product.objects.filter(store=order.store).values_list("stock_quantity")),
    )


def _order_in(world, status):
    order = place_order(customer=world.customer)
    if status in ("paid", "shipped"):
        order = order_pay(order=order, actor=None)
    if status == "shipped":
        order = order_ship(order=order, actor=None)
    return order


def _order_verb(verb, status, body=None):
    def build(world):
        order = _order_in(world, status)
        read = f"{STORE}orders/{order.pk}/"
        return Case("owner", read, "post", f"{read}{verb}/", body, _order_rows(order))

    return build


def _item(role, route, model, obj, method="patch", body=None, action=""):
    read = f"{STORE}{route}/{obj.pk}/" if route else STORE
    return Case(role, read, method, read + action, body, _row(model, obj.pk))


CASES: dict[str, Callable[[SimpleNamespace], Case]] = {
    "product-patch": lambda w: _item(
        "manager", "products", Product, w.product, body={"name": "Renamed"}
    ),
    "product-delete": lambda w: _item(
        "manager", "products", Product, w.product, method="delete"
    ),
    "category-patch": lambda w: _item(
        "manager", "categories", Category, w.category, body={"description": "Mugs"}
    ),
    "category-delete": lambda w: _item(
        "manager", "categories", Category, w.category, method="delete"
    ),
    "customer-patch": lambda w: _item(
        "manager", "customers", Customer, w.customer, body={"phone": "+33 1 2345"}
    ),
    "customer-link-account": lambda w: _item(
        "manager",
        "customers",
        Customer,
        w.customer,
        method="post",
        body={},
        action="link-account/",
    ),
    "address-patch": lambda w: _item(
        "manager",
        f"customers/{w.customer.pk}/addresses",
        Address,
        w.address,
        body={"line2": "Building B"},
    ),
    "address-delete": lambda w: _item(
        "manager",
        f"customers/{w.customer.pk}/addresses",
        Address,
        w.address,
        method="delete",
    ),
    "my-profile-patch": lambda w: Case(
        "shopper",
        f"{STORE}customers/me/",
        "patch",
        f"{STORE}customers/me/",
        {"first_name": "Ada"},
        _row(Customer, w.own.pk),
    ),
    "my-address-patch": lambda w: _item(
        "shopper",
        "customers/me/addresses",
        Address,
        w.own_address,
        body={"city": "Nice"},
    ),
    "store-patch": lambda w: _item(
        "owner", "", Store, w.store, body={"low_stock_threshold": 3}
    ),
    "order-pay": _order_verb("pay", "pending"),
    "order-ship": _order_verb("ship", "paid", {"carrier": "UPS"}),
    "order-deliver": _order_verb("deliver", "shipped"),
    "order-cancel": _order_verb("cancel", "pending", {"reason": "Out of time"}),
    "order-refund": _order_verb("refund", "shipped", {"reason": "Broken"}),
}


@pytest.fixture
def world(auth_client):
    store = StoreFactory(slug="shop", currency="EUR")
    users = {
        role: MembershipFactory(store=store, role=role).user
        for role in ("owner", "manager")
    }
    users["shopper"] = UserFactory()
    own = CustomerFactory(
        store=store, user=users["shopper"], email=users["shopper"].email
    )
    customer = CustomerFactory(store=store)
    UserFactory(email=customer.email)  # an account that link-account can link
    return SimpleNamespace(
        store=store,
        clients={role: auth_client(user) for role, user in users.items()},
        product=ProductFactory(store=store, stock=10),
        category=CategoryFactory(store=store),
        customer=customer,
        address=AddressFactory(customer=customer),
        own=own,
        own_address=AddressFactory(customer=own),
    )


@pytest.fixture(params=list(CASES))
def case(request, world):
    built = CASES[request.param](world)
    return SimpleNamespace(
        **vars(built), client=world.clients[built.role], name=request.param
    )


def _read(case, **headers):
    return case.client.get(case.read, **headers)


def _write(case, if_match=None):
    headers = {} if if_match is None else {"HTTP_IF_MATCH": if_match}
    send = getattr(case.client, case.method)
    if case.body is None:
        return send(case.url, **headers)
    return send(case.url, case.body, format="json", **headers)


def _assert_refused(case, response, before):
    assert response.status_code == 412, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "precondition_failed"
    assert case.rows() == before


def test_a_read_carries_a_strong_etag_and_answers_304_to_it(case):
    read = _read(case)
    assert read.status_code == 200
    etag = read["ETag"]
    assert re.fullmatch(r'"[0-9a-f]{32}"', etag)  # strong: no W/
    assert _read(case, HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_the_current_etag_lets_the_write_through_and_it_answers_the_new_one(case):
    etag = _read(case)["ETag"]
    written = _write(case, if_match=etag)
    assert written.status_code in (200, 204), written.content
    after = _read(case)
    if written.status_code == 204:
        assert after.status_code == 404  # deleted
        return
    assert written["ETag"] == after["ETag"] != etag
    assert written.json() == after.json()


def test_a_tag_that_is_not_the_current_one_is_412_and_changes_nothing(case):
    before, etag = case.rows(), _read(case)["ETag"]
    _assert_refused(case, _write(case, if_match=NOT_CURRENT), before)
    assert _read(case)["ETag"] == etag


@pytest.mark.parametrize(
    "spoil",
    [
        lambda etag: f"W/{etag}",  # weak: never matches (strong comparison)
        lambda etag: etag.strip('"'),  # not quoted
    ],
    ids=["weak", "unquoted"],
)
def test_a_weak_or_malformed_if_match_is_412_and_changes_nothing(case, spoil):
    before = case.rows()
    _assert_refused(case, _write(case, if_match=spoil(_read(case)["ETag"])), before)


def test_without_if_match_the_write_goes_through_as_before(case):
    before = case.rows()
    assert _write(case).status_code in (200, 204)
    assert case.rows() != before


def test_if_match_star_matches_the_existing_item(case):
    before = case.rows()
    assert _write(case, if_match="*").status_code in (200, 204)
    assert case.rows() != before


# --- Changes by other services change the tag ----------------------------------


def test_a_stock_adjustment_changes_the_products_etag(world):
    manager = world.clients["manager"]
    url = f"{STORE}products/{world.product.pk}/"
    etag = manager.get(url)["ETag"]
    adjusted = manager.post(
        f"{url}stock-adjustments/", {"delta": -1, "reason": "adjustment"}, format="json"
    )
    assert adjusted.status_code == 201
    assert manager.get(url)["ETag"] != etag
    renamed = manager.patch(url, {"name": "Renamed"}, format="json", HTTP_IF_MATCH=etag)
    assert renamed.status_code == 412
    world.product.refresh_from_db()
    assert world.product.name != "Renamed"


def test_a_verb_with_the_tag_of_a_state_that_has_moved_on_is_412_not_409(world):
    owner = world.clients["owner"]
    order = place_order(customer=world.customer)
    url = f"{STORE}orders/{order.pk}/"
    pending = owner.get(url)["ETag"]
    assert owner.post(f"{url}pay/", HTTP_IF_MATCH=pending).status_code == 200
    # Whoever still sees the pending order is told it changed, not that
    # "cancel" is not allowed: they must look again before deciding anything.
    refused = owner.post(f"{url}cancel/", {}, format="json", HTTP_IF_MATCH=pending)
    assert refused.status_code == 412
    assert "order has changed" in refused.json()["detail"]
    order.refresh_from_db()
    assert order.status == "paid"


# --- Two editors, one tag (PostgreSQL: real row locks) ---------------------------


@pytest.fixture
def slow_comparison(monkeypatch):
    """Hold every comparison a moment, so that both editors are at it together.

    With the comparison under the row lock the second editor waits for the
    first to commit and then sees its change; a comparison made before the
    lock would let both editors pass it and both write.
    """
    compute = ConditionalWriteMixin.etag_of

    def slowly(self, instance):
        etag = compute(self, instance)
        time.sleep(0.3)
        return etag

    monkeypatch.setattr(ConditionalWriteMixin, "etag_of", slowly)


def _race(client_of, *requests):
    statuses: list[int] = []
    lock = threading.Lock()

    def editor(send):
        def run():
            response = send(client_of())
            with lock:
                statuses.append(response.status_code)

        return run

    outcomes = run_concurrently(*[editor(send) for send in requests])
    assert outcomes == ["ok"] * len(requests), outcomes
    return sorted(statuses)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_editors_with_one_etag_cannot_both_change_a_product(
    auth_client, slow_comparison
):
    product = ProductFactory(name="Mug")
    manager = MembershipFactory(store=product.store, role="manager").user
    url = f"/api/v1/stores/{product.store.slug}/products/{product.pk}/"
    etag = auth_client(manager).get(url)["ETag"]

    def rename(name):
        return lambda client: client.patch(
            url, {"name": name}, format="json", HTTP_IF_MATCH=etag
        )

    statuses = _race(lambda: auth_client(manager), rename("Cup"), rename("Bowl"))

    assert statuses == [200, 412]
    product.refresh_from_db()
    assert product.name in ("Cup", "Bowl")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_cancel_and_pay_with_one_etag_cannot_both_move_an_order(
    auth_client, slow_comparison
):
    order = place_order()
    owner = MembershipFactory(store=order.store, role="owner").user
    url = f"/api/v1/stores/{order.store.slug}/orders/{order.pk}/"
    etag = auth_client(owner).get(url)["ETag"]

    def verb(name):
        return lambda client: client.post(f"{url}{name}/", HTTP_IF_MATCH=etag)

    statuses = _race(lambda: auth_client(owner), verb("cancel"), verb("pay"))

    assert statuses == [200, 412]
    order.refresh_from_db()
    assert order.status in ("cancelled", "paid")
    assert order.events.count() == 2  # placed, and the winner's move
