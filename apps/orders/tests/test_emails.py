"""Order emails go through the outbox: recorded with the change, sent once."""

import io

import pytest
from django.core import mail
from django.core.management import call_command

from apps.core.models import OutboxMessage
from apps.core.outbox import outbox_message_id, outbox_relay
from apps.core.testing import run_concurrently
from apps.orders.models import Order
from apps.orders.services import order_pay, order_refund, order_ship
from apps.products.tests.factories import ProductFactory
from apps.stores.tests.factories import StoreFactory

from .factories import place_order

pytestmark = pytest.mark.django_db


def _order(**store):
    store = StoreFactory(name="Corner Shop", currency="EUR", **store)
    product = ProductFactory(store=store, stock=5, name="Speckled mug")
    return place_order(store=store, products=[(product, 2)])


def test_the_confirmation_lists_lines_totals_and_address(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        order = _order()
    [email] = mail.outbox
    assert email.to == [order.customer.email]
    assert email.subject == f"Your order #{order.number} at Corner Shop"
    assert "2 x Speckled mug" in email.body
    assert "19.80 EUR" in email.body  # 2 x 9.90, with the currency's minor unit
    assert "Lyon" in email.body
    html, mime = email.alternatives[0]
    assert mime == "text/html"
    assert "Speckled mug" in html
    assert "<address>" in html
    message = OutboxMessage.objects.get(kind="orders.confirmation")
    assert email.extra_headers["Message-ID"] == outbox_message_id(message.dedup_key)


def test_shipping_and_refunding_send_their_email_once(
    django_capture_on_commit_callbacks,
):
    order = _order()
    with django_capture_on_commit_callbacks(execute=True):
        order = order_pay(order=order, actor=None)
        order = order_ship(
            order=order, actor=None, carrier="DHL", tracking_number="1Z999"
        )
        order_refund(order=order, actor=None)
    subjects = [m.subject for m in mail.outbox]
    assert subjects == [
        f"Your order #{order.number} is on its way",
        f"Your order #{order.number} was refunded",
    ]
    assert "1Z999" in mail.outbox[0].body
    delivered = OutboxMessage.objects.filter(status="delivered")
    assert sorted(delivered.values_list("kind", flat=True)) == [
        "orders.refunded",
        "orders.shipped",
    ]


def test_an_order_placed_while_the_broker_is_down_is_confirmed_by_the_relay(
    broker_down, django_capture_on_commit_callbacks, api_client, auth_client
):
    from apps.users.tests.factories import UserFactory

    store = StoreFactory(slug="shop", currency="EUR")
    product = ProductFactory(store=store, stock=5)
    client = auth_client(UserFactory())
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/v1/stores/shop/orders/",
            {
                "lines": [{"product": str(product.pk), "quantity": 1}],
                "shipping_address": {"line1": "1 Rue", "city": "Lyon", "country": "FR"},
            },
            format="json",
        )
    assert response.status_code == 201  # the order does not wait for the broker
    assert Order.objects.count() == 1
    assert mail.outbox == []
    message = OutboxMessage.objects.get(kind="orders.confirmation")
    assert message.status == "pending"

    call_command("relay_outbox", stdout=io.StringIO())
    call_command("relay_outbox", stdout=io.StringIO())
    assert len(mail.outbox) == 1
    message.refresh_from_db()
    assert message.status == "delivered"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_relays_at_once_send_each_order_email_once(broker_down):
    orders = [_order() for _ in range(6)]  # the broker is down: rows stay pending
    assert OutboxMessage.objects.filter(status="pending").count() == len(orders)

    outcomes = run_concurrently(outbox_relay, outbox_relay)

    assert outcomes == ["ok", "ok"]
    assert len(mail.outbox) == len(orders)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        o.customer.email for o in orders
    )
