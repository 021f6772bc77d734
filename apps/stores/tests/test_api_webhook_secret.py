"""The payment-webhook secret through the API: owners reveal and rotate it."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from apps.core.testing import assert_request_queries
from apps.stores.models import Store
from apps.stores.webhooks import webhook_sign, webhook_verify

from .factories import MembershipFactory

pytestmark = pytest.mark.django_db


def _urls(store):
    secret = f"/api/v1/stores/{store.slug}/webhook-secret/"
    return secret, f"{secret}rotate/"


@pytest.fixture
def owner(store, member_of):
    return member_of(store, "owner")


def test_the_owner_reads_the_secret_and_nothing_may_keep_a_copy(
    auth_client, store, owner
):
    reveal, _ = _urls(store)
    response = auth_client(owner).get(reveal)
    assert response.status_code == 200
    assert response.json() == {
        "secret": store.webhook_secret,
        "previous_secret_valid_until": None,
    }
    assert response["Cache-Control"] == "no-store"


def test_reading_the_secret_runs_a_pinned_number_of_queries(auth_client, store, owner):
    # The JWT user, the store and the caller's role: one query.
    reveal, _ = _urls(store)
    assert_request_queries(auth_client(owner), reveal, expected=1)


def test_rotation_returns_the_new_secret_once_and_keeps_the_old_one_for_the_grace(
    auth_client, store, owner, settings
):
    old = store.webhook_secret
    reveal, rotate = _urls(store)
    client = auth_client(owner)

    response = client.post(rotate)

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    body = response.json()
    store.refresh_from_db()
    assert body["secret"] == store.webhook_secret != old
    assert body["secret"].startswith("whsec_")
    assert store.previous_webhook_secret == old
    valid_until = parse_datetime(body["previous_secret_valid_until"])
    assert (
        valid_until == store.webhook_secret_rotated_at + settings.WEBHOOK_SECRET_GRACE
    )
    # Reading it again shows the same state.
    assert client.get(reveal).json() == body


def test_the_revealed_secret_signs_calls_the_store_accepts(auth_client, store, owner):
    reveal, rotate = _urls(store)
    client = auth_client(owner)
    old = client.get(reveal).json()["secret"]
    new = client.post(rotate).json()["secret"]
    store.refresh_from_db()
    body = json.dumps({"type": "payment.succeeded", "id": "evt_9"}).encode()
    for secret in (old, new):
        headers = webhook_sign(secret=secret, body=body)
        assert webhook_verify(store=store, headers=headers, body=body)["id"] == "evt_9"


def test_after_the_grace_no_previous_secret_is_announced(auth_client, store, owner):
    reveal, rotate = _urls(store)
    client = auth_client(owner)
    client.post(rotate)
    Store.objects.filter(pk=store.pk).update(
        webhook_secret_rotated_at=timezone.now() - timedelta(days=2)
    )
    assert client.get(reveal).json()["previous_secret_valid_until"] is None


def test_rotation_takes_no_fields(auth_client, store, owner):
    _, rotate = _urls(store)
    before = Store.objects.values().get(pk=store.pk)
    response = auth_client(owner).post(rotate, {"secret": "whsec_mine"}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0] == {
        "field": "secret",
        "code": "unknown_field",
        "message": "Unknown field.",
    }
    assert Store.objects.values().get(pk=store.pk) == before


@pytest.mark.parametrize(
    ("role", "expected"),
    [("manager", 403), ("staff", 403), ("other-owner", 404), ("anonymous", 401)],
)
def test_only_owners_reveal_or_rotate(
    auth_client, api_client, store, member_of, role, expected
):
    if role == "anonymous":
        client = api_client
    elif role == "other-owner":
        client = auth_client(MembershipFactory(role="owner").user)
    else:
        client = auth_client(member_of(store, role))
    before = Store.objects.values().get(pk=store.pk)
    reveal, rotate = _urls(store)
    for response in (client.get(reveal), client.post(rotate)):
        assert response.status_code == expected
        assert store.webhook_secret not in response.content.decode()
    assert Store.objects.values().get(pk=store.pk) == before
