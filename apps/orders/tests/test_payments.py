"""The payment webhook: only a verified, exact event pays its order, once."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from apps.core.money import amount_string
from apps.orders.models import Order, OrderEvent, PaymentEvent
from apps.stores.tests.factories import StoreFactory
from apps.stores.webhooks import webhook_sign

from .factories import place_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def order():
    return place_order(store=StoreFactory(slug="shop", currency="EUR"))


def _event(order, **data):
    return {
        "type": "payment.succeeded",
        "id": "evt_1",
        "data": {
            "order_number": str(order.number),
            "amount": amount_string(order.total, order.currency),
            "currency": order.currency,
            **data,
        },
    }


def _send(client, store, event, *, secret=None, when=None, slug=None):
    body = json.dumps(event).encode()
    headers = webhook_sign(
        secret=secret or store.webhook_secret, body=body, timestamp=when
    )
    return client.post(
        f"/api/v1/stores/{slug or store.slug}/payments/webhook/",
        body,
        content_type="application/json",
        headers=headers,
    )


def test_a_signed_exact_event_pays_the_order_once(api_client, order):
    first = _send(api_client, order.store, _event(order))
    assert first.status_code == 200, first.content
    assert first.json() == {"outcome": "applied", "reason": ""}
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    paid = order.events.get(type=OrderEvent.Type.PAID)
    assert paid.actor is None
    assert paid.data == {"payment_event_id": "evt_1"}

    replay = _send(api_client, order.store, _event(order))
    assert replay.json()["outcome"] == "duplicate"
    assert PaymentEvent.objects.count() == 1
    assert order.events.filter(type=OrderEvent.Type.PAID).count() == 1


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"amount": "0.01"}, "amount_mismatch"),
        ({"amount": "1e3"}, "amount_mismatch"),
        ({"currency": "USD"}, "currency_mismatch"),
        ({"order_number": "999999"}, "unknown_order"),
        ({"order_number": "abc"}, "unknown_order"),
    ],
)
def test_a_mismatch_is_recorded_and_changes_nothing(api_client, order, change, reason):
    response = _send(api_client, order.store, _event(order, **change))
    assert response.status_code == 200
    assert response.json() == {"outcome": "rejected", "reason": reason}
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING
    assert PaymentEvent.objects.get().reason == reason
    rejected = order.events.filter(type=OrderEvent.Type.PAYMENT_REJECTED)
    assert rejected.count() == (0 if reason == "unknown_order" else 1)


def test_an_amount_without_trailing_zeros_pays_the_order(api_client, order):
    amount = format(order.total.normalize(), "f")  # "21", not "21.00"
    response = _send(api_client, order.store, _event(order, amount=amount))
    assert response.json() == {"outcome": "applied", "reason": ""}


@pytest.mark.parametrize("spelling", ["{} ", "+{}", "{}0000", "{}e0", "0{}"])
def test_an_amount_outside_the_published_grammar_never_pays(
    api_client, order, spelling
):
    amount = spelling.format(amount_string(order.total, order.currency))
    response = _send(api_client, order.store, _event(order, amount=amount))
    assert response.json() == {"outcome": "rejected", "reason": "amount_mismatch"}
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING


def test_another_stores_order_is_unknown_here(api_client, order):
    other = place_order(store=StoreFactory(slug="other", currency="EUR"))
    event = _event(other)  # a real order number, of another store
    response = _send(api_client, order.store, event)
    assert response.json()["reason"] in {"unknown_order", "amount_mismatch"}
    other.refresh_from_db()
    assert other.status == Order.Status.PENDING


def test_an_event_for_an_order_no_longer_pending_changes_nothing(api_client, order):
    from apps.orders.services import order_cancel

    order_cancel(order=order, actor=None)
    response = _send(api_client, order.store, _event(order))
    assert response.json() == {"outcome": "rejected", "reason": "order_not_pending"}
    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"secret": "whsec_" + "QUJD" * 8}, "invalid_signature"),
        ({"when": timezone.now() - timedelta(minutes=6)}, "stale_timestamp"),
    ],
)
def test_unverified_calls_are_refused_and_record_nothing(
    api_client, order, kwargs, code
):
    response = _send(api_client, order.store, _event(order), **kwargs)
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert not PaymentEvent.objects.exists()
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING


def test_a_call_signed_for_another_store_is_refused(api_client, order):
    other = StoreFactory(slug="other")
    response = _send(
        api_client, order.store, _event(order), secret=other.webhook_secret
    )
    assert response.json()["code"] == "invalid_signature"


def test_an_unknown_store_is_404(api_client, order):
    response = _send(api_client, order.store, _event(order), slug="nope")
    assert response.status_code == 404
