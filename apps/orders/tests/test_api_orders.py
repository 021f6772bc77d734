"""The orders API: placement with Idempotency-Key, reads per caller, verbs, summary."""

from decimal import Decimal

import pytest
from django.core.cache import cache

from apps.core.testing import count_queries, record_redis_commands
from apps.customers.tests.factories import CustomerFactory
from apps.orders.models import IdempotencyKey, Order
from apps.orders.views import OrderPlacementThrottle
from apps.products.tests.factories import ProductFactory
from apps.stores.tests.factories import MembershipFactory, StoreFactory
from apps.users.tests.factories import UserFactory

from .factories import ADDRESS, place_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def store():
    return StoreFactory(slug="shop", currency="EUR")


@pytest.fixture
def product(store):
    return ProductFactory(store=store, stock=20, price=Decimal("21"))


def _url(suffix=""):
    return f"/api/v1/stores/shop/orders/{suffix}"


def _body(product, quantity=1):
    return {
        "lines": [{"product": str(product.pk), "quantity": quantity}],
        "shipping_address": ADDRESS,
    }


def test_a_shopper_places_reads_and_cancels_their_order(auth_client, product):
    client = auth_client(UserFactory())
    placed = client.post(_url(), _body(product, 2), format="json")
    assert placed.status_code == 201, placed.content
    order = placed.json()
    assert order["status"] == "pending"
    assert order["total"] == "42.00"  # EUR: two decimals
    assert order["items"][0]["unit_price"] == "21.00"
    assert order["allowed_actions"] == ["pay", "cancel"]
    assert [e["type"] for e in order["events"]] == ["placed"]

    assert order["item_count"] == 2

    listed = client.get(_url()).json()["results"]
    assert [o["id"] for o in listed] == [order["id"]]
    assert listed[0]["item_count"] == 2  # the list shows it without the lines
    assert client.get(_url(f"{order['id']}/")).status_code == 200

    cancelled = client.post(_url(f"{order['id']}/cancel/"), {}, format="json")
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    product.refresh_from_db()
    assert product.stock_quantity == 20


def test_a_shopper_never_sees_another_customers_order(auth_client, store, product):
    someone = place_order(store=store, products=[(product, 1)])
    client = auth_client(UserFactory())
    assert client.get(_url()).json()["results"] == []
    response = client.get(_url(f"{someone.pk}/"))
    assert response.status_code == 404
    assert (
        client.post(_url(f"{someone.pk}/cancel/"), {}, format="json").status_code == 404
    )
    someone.refresh_from_db()
    assert someone.status == "pending"


def test_prices_totals_and_status_are_never_taken_from_input(auth_client, product):
    body = {**_body(product), "total": "0.01", "status": "paid"}
    response = auth_client(UserFactory()).post(_url(), body, format="json")
    assert response.status_code == 400
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {"total", "status"}
    line = {"product": str(product.pk), "quantity": 1, "unit_price": "0.01"}
    response = auth_client(UserFactory()).post(
        _url(), {**_body(product), "lines": [line]}, format="json"
    )
    assert response.status_code == 400
    assert not Order.objects.exists()


def test_a_retry_with_the_same_key_replays_the_first_answer(auth_client, product):
    client = auth_client(UserFactory())
    first = client.post(
        _url(), _body(product), format="json", HTTP_IDEMPOTENCY_KEY="k1"
    )
    again = client.post(
        _url(), _body(product), format="json", HTTP_IDEMPOTENCY_KEY="k1"
    )
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert (first["Idempotent-Replayed"], again["Idempotent-Replayed"]) == (
        "false",
        "true",
    )
    assert Order.objects.count() == 1
    product.refresh_from_db()
    assert product.stock_quantity == 19


def test_a_key_reused_for_another_body_is_422(auth_client, product):
    client = auth_client(UserFactory())
    client.post(_url(), _body(product), format="json", HTTP_IDEMPOTENCY_KEY="k1")
    other = client.post(
        _url(), _body(product, 2), format="json", HTTP_IDEMPOTENCY_KEY="k1"
    )
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"
    assert Order.objects.count() == 1


def test_keys_are_scoped_to_the_caller(auth_client, product):
    for _ in range(2):
        response = auth_client(UserFactory()).post(
            _url(), _body(product), format="json", HTTP_IDEMPOTENCY_KEY="same"
        )
        assert response.status_code == 201
    assert Order.objects.count() == 2


def test_a_failed_request_releases_its_key(auth_client, product):
    client = auth_client(UserFactory())
    short = client.post(
        _url(), _body(product, 50), format="json", HTTP_IDEMPOTENCY_KEY="k"
    )
    assert short.status_code == 409
    assert short.json()["code"] == "insufficient_stock"
    assert short.json()["errors"][0]["field"] == "lines.0.quantity"
    assert not IdempotencyKey.objects.exists()
    ok = client.post(
        _url(), _body(product, 50), format="json", HTTP_IDEMPOTENCY_KEY="k"
    )
    assert ok.status_code == 409  # still short, run again rather than replayed


@pytest.mark.parametrize(
    "key", ["", " padded ", "tail ", "x" * 256, "caf\u00e9", "tab\tkey"]
)
def test_a_malformed_key_is_400(auth_client, product, key):
    response = auth_client(UserFactory()).post(
        _url(), _body(product), format="json", HTTP_IDEMPOTENCY_KEY=key
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "Idempotency-Key"
    assert not Order.objects.exists()


def test_staff_place_for_a_customer_and_run_the_lifecycle(auth_client, store, product):
    manager = auth_client(MembershipFactory(store=store, role="manager").user)
    staff = auth_client(MembershipFactory(store=store, role="staff").user)
    customer = CustomerFactory(store=store)
    body = {**_body(product), "customer": str(customer.pk)}
    order = manager.post(_url(), body, format="json").json()
    oid = order["id"]
    assert staff.post(_url(f"{oid}/pay/")).status_code == 403
    assert manager.post(_url(f"{oid}/pay/")).json()["status"] == "paid"
    shipped = staff.post(
        _url(f"{oid}/ship/"), {"carrier": "DHL", "tracking_number": "1Z"}, format="json"
    )
    assert shipped.json()["tracking_number"] == "1Z"
    assert staff.post(_url(f"{oid}/deliver/")).json()["status"] == "delivered"
    again = staff.post(_url(f"{oid}/deliver/"))
    assert again.status_code == 409
    refused = again.json()
    assert refused["code"] == "invalid_transition"
    assert (refused["status"], refused["order_status"]) == (409, "delivered")
    assert refused["allowed"] == ["refund"]
    item = order["items"][0]["id"]
    refunded = manager.post(
        _url(f"{oid}/refund/"),
        {"restock": [{"item": item, "quantity": 1}], "reason": "Returned"},
        format="json",
    ).json()
    assert refunded["status"] == "refunded"
    assert [e["type"] for e in refunded["events"]] == [
        "placed",
        "paid",
        "shipped",
        "delivered",
        "refunded",
    ]
    product.refresh_from_db()
    assert product.stock_quantity == 20


def test_filters_and_summary(auth_client, store, product):
    manager = auth_client(MembershipFactory(store=store, role="manager").user)
    orders = [place_order(store=store, products=[(product, n)]) for n in (1, 2, 3)]
    manager.post(_url(f"{orders[0].pk}/pay/"))
    paid = manager.get(_url(), {"status": "paid"}).json()["results"]
    assert [o["number"] for o in paid] == [orders[0].number]
    by_number = manager.get(_url(), {"number": orders[2].number}).json()["results"]
    assert [o["id"] for o in by_number] == [str(orders[2].pk)]
    big = manager.get(_url(), {"total_min": "42"}).json()["results"]
    assert {o["number"] for o in big} == {orders[1].number, orders[2].number}
    assert manager.get(_url(), {"created_after": "2020-01-01"}).status_code == 400

    summary = manager.get(_url("summary/")).json()
    rows = {row["status"]: row for row in summary["statuses"]}
    assert summary["currency"] == "EUR"
    assert (rows["paid"]["count"], rows["paid"]["total"]) == (1, "21.00")
    assert (rows["pending"]["count"], rows["pending"]["total"]) == (2, "105.00")
    assert rows["refunded"]["count"] == 0


@pytest.mark.parametrize(
    ("currency", "price", "total", "summed", "zero"),
    [
        ("EUR", "21", "21.00", "42.00", "0.00"),
        ("JPY", "1500", "1500", "3000", "0"),
        ("KWD", "1.25", "1.250", "2.500", "0.000"),
    ],
)
def test_amounts_are_rendered_with_the_order_currency(
    auth_client, currency, price, total, summed, zero
):
    store = StoreFactory(slug="shop", currency=currency)
    product = ProductFactory(store=store, stock=5, price=Decimal(price))
    orders = [place_order(store=store, products=[(product, 1)]) for _ in range(2)]
    manager = auth_client(MembershipFactory(store=store, role="manager").user)
    detail = manager.get(_url(f"{orders[0].pk}/")).json()
    assert (detail["currency"], detail["subtotal"], detail["total"]) == (
        currency,
        total,
        total,
    )
    item = detail["items"][0]
    assert (item["unit_price"], item["line_total"]) == (total, total)
    listed = manager.get(_url()).json()["results"]
    assert {o["total"] for o in listed} == {total}
    summary = manager.get(_url("summary/")).json()
    rows = {row["status"]: row for row in summary["statuses"]}
    assert (summary["currency"], rows["pending"]["total"]) == (currency, summed)
    assert rows["paid"]["total"] == zero


@pytest.mark.parametrize("role", ["owner", "staff"])
def test_list_and_detail_query_counts_do_not_grow_with_the_data(
    auth_client, store, product, role
):
    client = auth_client(MembershipFactory(store=store, role=role).user)
    place_order(store=store, products=[(product, 1)])
    small, _ = count_queries(lambda: client.get(_url()))
    order = place_order(
        store=store,
        products=[(product, 1), (ProductFactory(store=store, stock=5), 2)],
    )
    for _ in range(10):
        place_order(store=store, products=[(product, 1)])
    large, response = count_queries(lambda: client.get(_url()))
    assert len(response.json()["results"]) == 12
    assert small == large == 2  # auth user with store + role, page of orders
    detail, _ = count_queries(lambda: client.get(_url(f"{order.pk}/")))
    assert detail == 4  # the user with store + role, the order, its lines, its events


def test_placement_is_throttled_per_user(auth_client, product, monkeypatch, clock):
    rates = {**OrderPlacementThrottle.THROTTLE_RATES, "order_placement": "2/min"}
    monkeypatch.setattr(OrderPlacementThrottle, "THROTTLE_RATES", rates)
    cache.clear()
    client = auth_client(UserFactory())
    statuses = [
        client.post(_url(), _body(product), format="json").status_code for _ in range(3)
    ]
    assert statuses == [201, 201, 429]
    assert client.get(_url()).status_code == 200  # reads are not counted


def test_placement_also_counts_against_the_user_rate(
    auth_client, product, monkeypatch, clock
):
    from apps.core.throttling import UserRateThrottle

    rates = {**UserRateThrottle.THROTTLE_RATES, "user": "2/min"}
    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", rates)
    client = auth_client(UserFactory())
    statuses = [
        client.post(_url(), _body(product), format="json").status_code for _ in range(3)
    ]
    assert statuses == [201, 201, 429]


@pytest.mark.redis
def test_a_placement_counts_its_two_throttles_in_one_round_trip(
    auth_client, product, monkeypatch
):
    client = auth_client(UserFactory())
    assert client.post(_url(), _body(product), format="json").status_code == 201
    sent = record_redis_commands(monkeypatch)
    assert client.post(_url(), _body(product), format="json").status_code == 201
    assert sent.count("EVALSHA") == 1  # the user rate and order_placement together
