"""A placement answers the order as a read of it would, without reading it back."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.customers.tests.factories import CustomerFactory
from apps.products.tests.factories import ProductFactory
from apps.stores.tests.factories import MembershipFactory, StoreFactory

pytestmark = pytest.mark.django_db


def test_the_placement_answer_is_the_detail_a_get_answers(auth_client):
    store = StoreFactory()
    manager = auth_client(MembershipFactory(store=store, role="manager").user)
    customer = CustomerFactory(store=store)
    products = [ProductFactory(store=store, stock=9) for _ in range(3)]
    url = f"/api/v1/stores/{store.slug}/orders/"
    body = {
        "customer": str(customer.pk),
        "shipping_address": {"line1": "1 Main St", "city": "Lyon", "country": "FR"},
        "lines": [
            {"product": str(p.pk), "quantity": n + 1} for n, p in enumerate(products)
        ],
    }
    placed = manager.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert placed.status_code == 201
    read = manager.get(f"{url}{placed.json()['id']}/")
    assert placed.json() == read.json()
    assert [item["quantity"] for item in placed.json()["items"]] == [1, 2, 3]


def test_placing_does_not_read_the_order_back(auth_client):
    store = StoreFactory()
    manager = auth_client(MembershipFactory(store=store, role="manager").user)
    customer = CustomerFactory(store=store)
    product = ProductFactory(store=store, stock=9)
    body = {
        "customer": str(customer.pk),
        "shipping_address": {"line1": "1 Main St", "city": "Lyon", "country": "FR"},
        "lines": [{"product": str(product.pk), "quantity": 1}],
    }
    url = f"/api/v1/stores/{store.slug}/orders/"
    with CaptureQueriesContext(connection) as captured:
        response = manager.post(url, body, format="json")
    assert response.status_code == 201
    reads = [
        q["sql"] for q in captured.captured_queries if q["sql"].startswith("SELECT")
    ]
    assert not [sql for sql in reads if 'FROM "orders_orderitem"' in sql]
    assert not [sql for sql in reads if 'FROM "orders_orderevent"' in sql]
