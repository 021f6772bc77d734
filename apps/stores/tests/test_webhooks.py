"""Payment webhook verification: what a signed call must carry to be believed."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from apps.core.exceptions import ApplicationError
from apps.stores import services
from apps.stores.models import generate_webhook_secret
from apps.stores.webhooks import WebhookRejected, webhook_sign, webhook_verify
from apps.users.tests.factories import UserFactory

from .factories import StoreFactory

pytestmark = pytest.mark.django_db

EVENT = {
    "type": "payment.succeeded",
    "id": "evt_1",
    "data": {"order_number": "1001", "amount": "12.50", "currency": "EUR"},
}
BODY = json.dumps(EVENT).encode()


def _rejected(code, *, store, headers, body=BODY):
    with pytest.raises(WebhookRejected) as excinfo:
        webhook_verify(store=store, headers=headers, body=body)
    assert excinfo.value.code == code, excinfo.value.message
    return excinfo.value


def test_a_call_signed_with_the_store_secret_returns_its_event(store):
    headers = webhook_sign(secret=store.webhook_secret, body=BODY)
    assert webhook_verify(store=store, headers=headers, body=BODY) == EVENT


def test_header_names_are_matched_in_any_casing(store):
    headers = webhook_sign(secret=store.webhook_secret, body=BODY)
    shouted = {name.title(): value for name, value in headers.items()}
    assert webhook_verify(store=store, headers=shouted, body=BODY) == EVENT


def test_a_signature_made_with_another_secret_is_refused(store):
    headers = webhook_sign(secret=generate_webhook_secret(), body=BODY)
    error = _rejected("invalid_signature", store=store, headers=headers)
    assert error.status_code == 400
    assert isinstance(error, ApplicationError)


def test_another_stores_secret_does_not_sign_for_this_store(store):
    other = StoreFactory()
    headers = webhook_sign(secret=other.webhook_secret, body=BODY)
    _rejected("invalid_signature", store=store, headers=headers)


def test_a_body_changed_after_signing_is_refused(store):
    headers = webhook_sign(secret=store.webhook_secret, body=BODY)
    tampered = BODY.replace(b"12.50", b"0.01")
    _rejected("invalid_signature", store=store, headers=headers, body=tampered)
    # Even a change JSON does not see (a space) breaks the signature.
    _rejected("invalid_signature", store=store, headers=headers, body=BODY + b" ")


def test_a_changed_id_or_timestamp_breaks_the_signature(store):
    headers = webhook_sign(secret=store.webhook_secret, body=BODY)
    other_id = {**headers, "webhook-id": "msg_other"}
    _rejected("invalid_signature", store=store, headers=other_id)
    later = str(int(headers["webhook-timestamp"]) + 1)
    other_time = {**headers, "webhook-timestamp": later}
    _rejected("invalid_signature", store=store, headers=other_time)


@pytest.mark.parametrize(
    ("offset", "accepted"),
    [
        (timedelta(minutes=-4, seconds=-50), True),
        (timedelta(minutes=4, seconds=50), True),
        (timedelta(minutes=-5, seconds=-10), False),
        (timedelta(minutes=5, seconds=10), False),
        (timedelta(days=-1), False),
    ],
    ids=["4m50s-old", "4m50s-ahead", "5m10s-old", "5m10s-ahead", "a-day-old"],
)
def test_the_timestamp_must_be_within_five_minutes_of_now(store, offset, accepted):
    headers = webhook_sign(
        secret=store.webhook_secret, body=BODY, timestamp=timezone.now() + offset
    )
    if accepted:
        assert webhook_verify(store=store, headers=headers, body=BODY) == EVENT
    else:
        _rejected("stale_timestamp", store=store, headers=headers)


@pytest.mark.parametrize(
    "missing", ["webhook-id", "webhook-timestamp", "webhook-signature"]
)
def test_each_signature_header_is_required(store, missing):
    headers = webhook_sign(secret=store.webhook_secret, body=BODY)
    without = {k: v for k, v in headers.items() if k != missing}
    error = _rejected("missing_headers", store=store, headers=without)
    assert missing in error.message
    _rejected("missing_headers", store=store, headers={**headers, missing: " "})


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("webhook-id", "msg.1"),
        ("webhook-timestamp", "soon"),
        ("webhook-timestamp", "1700000000.5"),
        ("webhook-timestamp", "-1700000000"),
        ("webhook-timestamp", "\u0661" + "\u0660" * 9),  # Arabic-Indic digits
    ],
)
def test_a_malformed_id_or_timestamp_is_refused(store, name, value):
    headers = webhook_sign(secret=store.webhook_secret, body=BODY)
    _rejected("invalid_headers", store=store, headers={**headers, name: value})


@pytest.mark.parametrize(
    "signature",
    ["garbage", "v1,not base64!", "v1,", "v1,a,b", "v1,abc  v1,def", "v2,AAAA"],
)
def test_a_malformed_signature_is_refused_not_a_crash(store, signature):
    headers = webhook_sign(secret=store.webhook_secret, body=BODY)
    malformed = {**headers, "webhook-signature": signature}
    _rejected("invalid_signature", store=store, headers=malformed)


def test_one_matching_signature_in_the_list_is_enough(store):
    """A sender rotating its own keys signs with several, space separated."""
    stranger = webhook_sign(secret=generate_webhook_secret(), body=BODY)
    headers = webhook_sign(
        secret=store.webhook_secret,
        body=BODY,
        msg_id=stranger["webhook-id"],
        timestamp=timezone.now(),
    )
    both = f"{stranger['webhook-signature']} {headers['webhook-signature']}"
    headers = {**headers, "webhook-signature": both}
    assert webhook_verify(store=store, headers=headers, body=BODY) == EVENT


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"\xff\xfe{}", "not UTF-8"),
        (b"[1, 2]", "not an object"),
        (b'"payment.succeeded"', "not an object"),
        (b"{oops", "not JSON"),
        (b'{"amount": NaN}', "NaN is not JSON"),
        (b"[" * 50_000 + b"]" * 50_000, "nests too deeply"),
    ],
)
def test_a_body_that_is_not_a_json_object_is_refused(store, body, reason):
    if body.startswith(b"\xff"):
        headers = webhook_sign(secret=store.webhook_secret, body=b"{}")
    else:
        headers = webhook_sign(secret=store.webhook_secret, body=body)
    _rejected("invalid_payload", store=store, headers=headers, body=body)


def test_a_correctly_signed_event_is_checked_before_its_body(store):
    """Unsigned junk says only that its signature is wrong."""
    headers = webhook_sign(secret=generate_webhook_secret(), body=b"[1, 2]")
    _rejected("invalid_signature", store=store, headers=headers, body=b"[1, 2]")


# --- Rotation and the grace period ---------------------------------------------


@pytest.fixture
def owner():
    return UserFactory()


def test_after_a_rotation_both_secrets_verify_during_the_grace(store, owner):
    old = store.webhook_secret
    store = services.store_webhook_secret_rotate(store=store, actor=owner)
    for secret in (store.webhook_secret, old):
        headers = webhook_sign(secret=secret, body=BODY)
        assert webhook_verify(store=store, headers=headers, body=BODY) == EVENT


def test_the_previous_secret_is_refused_once_the_grace_is_over(store, owner, settings):
    old = store.webhook_secret
    store = services.store_webhook_secret_rotate(store=store, actor=owner)
    store.webhook_secret_rotated_at = timezone.now() - settings.WEBHOOK_SECRET_GRACE
    store.save(update_fields=["webhook_secret_rotated_at"])
    headers = webhook_sign(secret=old, body=BODY)
    _rejected("invalid_signature", store=store, headers=headers)
    fresh = webhook_sign(secret=store.webhook_secret, body=BODY)
    assert webhook_verify(store=store, headers=fresh, body=BODY) == EVENT


def test_the_grace_period_comes_from_the_settings(store, owner, settings):
    settings.WEBHOOK_SECRET_GRACE = timedelta(hours=1)
    old = store.webhook_secret
    store = services.store_webhook_secret_rotate(store=store, actor=owner)
    headers = webhook_sign(secret=old, body=BODY)
    assert webhook_verify(store=store, headers=headers, body=BODY) == EVENT
    store.webhook_secret_rotated_at = timezone.now() - timedelta(minutes=61)
    _rejected("invalid_signature", store=store, headers=headers)


def test_a_second_rotation_within_the_grace_ends_the_first_secret(store, owner):
    first = store.webhook_secret
    store = services.store_webhook_secret_rotate(store=store, actor=owner)
    second = store.webhook_secret
    store = services.store_webhook_secret_rotate(store=store, actor=owner)
    _rejected(
        "invalid_signature",
        store=store,
        headers=webhook_sign(secret=first, body=BODY),
    )
    for secret in (second, store.webhook_secret):
        headers = webhook_sign(secret=secret, body=BODY)
        assert webhook_verify(store=store, headers=headers, body=BODY) == EVENT


def test_a_stale_call_is_stale_whichever_secret_signed_it(store, owner):
    old = store.webhook_secret
    store = services.store_webhook_secret_rotate(store=store, actor=owner)
    headers = webhook_sign(
        secret=old, body=BODY, timestamp=timezone.now() - timedelta(minutes=6)
    )
    _rejected("stale_timestamp", store=store, headers=headers)


# --- Signing ----------------------------------------------------------------------


def test_signing_gives_the_three_standard_headers(store):
    at = timezone.now()
    headers = webhook_sign(
        secret=store.webhook_secret, body=BODY, msg_id="msg_42", timestamp=at
    )
    assert headers["webhook-id"] == "msg_42"
    assert headers["webhook-timestamp"] == str(int(at.timestamp()))
    assert headers["webhook-signature"].startswith("v1,")


def test_signing_makes_a_new_id_for_each_call(store):
    first = webhook_sign(secret=store.webhook_secret, body=BODY)
    second = webhook_sign(secret=store.webhook_secret, body=BODY)
    assert first["webhook-id"].startswith("msg_")
    assert first["webhook-id"] != second["webhook-id"]


def test_signing_refuses_an_id_with_a_dot(store):
    with pytest.raises(ValueError, match="must not contain"):
        webhook_sign(secret=store.webhook_secret, body=BODY, msg_id="msg.1")
