"""sign_payment_event: what it prints verifies with the store's secret."""

import io
import json
import shlex

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from apps.stores.webhooks import WebhookRejected, webhook_verify

pytestmark = pytest.mark.django_db

EVENT = {
    "type": "payment.succeeded",
    "id": "evt_1",
    "data": {"order_number": "1001", "amount": "12.50", "currency": "EUR"},
}


def _sign(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("sign_payment_event", *args, stdout=out, stderr=err)
    printed, _, curl = out.getvalue().partition("\n\n")
    headers = dict(line.split(": ", 1) for line in printed.splitlines())
    return headers, shlex.split(curl), err.getvalue()


def _curl_headers(argv):
    return dict(argv[i + 1].split(": ", 1) for i, arg in enumerate(argv) if arg == "-H")


def test_the_printed_headers_verify_with_the_stores_secret(store):
    body = json.dumps(EVENT)
    headers, _, err = _sign("--store", store.slug, "--body", body)
    assert set(headers) == {"webhook-id", "webhook-timestamp", "webhook-signature"}
    assert webhook_verify(store=store, headers=headers, body=body.encode()) == EVENT
    assert "five minutes" in err


def test_the_curl_command_sends_the_signed_body_to_the_payment_webhook(store):
    body = '{"type": "payment.succeeded", "note": "it\'s $HOME; `x`"}'
    headers, argv, _ = _sign(
        "--store", store.slug, "--body", body, "--base-url", "https://shop.test/"
    )
    assert argv[:4] == [
        "curl",
        "-sS",
        "-X",
        "POST",
    ]
    assert argv[4] == f"https://shop.test/api/v1/stores/{store.slug}/payments/webhook/"
    sent = argv[argv.index("--data-binary") + 1]
    assert sent == body  # the shell hands curl the exact bytes that were signed
    curl_headers = _curl_headers(argv)
    assert curl_headers["Content-Type"] == "application/json"
    assert webhook_verify(store=store, headers=curl_headers, body=sent.encode()) == {
        "type": "payment.succeeded",
        "note": "it's $HOME; `x`",
    }
    assert {k: curl_headers[k] for k in headers} == headers


def test_a_file_is_signed_byte_for_byte_and_sent_by_curl_from_the_file(store, tmp_path):
    path = tmp_path / "event.json"
    raw = json.dumps(EVENT, indent=2).encode() + b"\n"
    path.write_bytes(raw)
    headers, argv, _ = _sign("--store", store.slug, "--file", str(path), "--id", "m1")
    assert headers["webhook-id"] == "m1"
    assert argv[argv.index("--data-binary") + 1] == f"@{path.resolve()}"
    assert webhook_verify(store=store, headers=headers, body=raw) == EVENT
    with pytest.raises(WebhookRejected):
        webhook_verify(store=store, headers=headers, body=raw.strip())


def test_after_a_rotation_the_command_signs_with_the_new_secret(store, user):
    from apps.stores.services import store_webhook_secret_rotate

    store = store_webhook_secret_rotate(store=store, actor=user)
    headers, _, _ = _sign("--store", store.slug, "--body", "{}")
    store.previous_webhook_secret = ""  # only the current secret counts now
    assert webhook_verify(store=store, headers=headers, body=b"{}") == {}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--store", "no-such-store", "--body", "{}"], "No store has the slug"),
        (["--body", "{not json"], "not UTF-8 JSON"),
        (["--body", "{}", "--id", "msg.1"], "must not contain"),
        (["--file", "/no/such/file.json"], "Cannot read"),
        ([], "one of the arguments --body --file is required"),
    ],
)
def test_bad_input_is_a_command_error(store, args, message):
    if "--store" not in args:
        args = ["--store", store.slug, *args]
    with pytest.raises(CommandError, match=message):
        _sign(*args)


def test_a_file_that_is_not_utf8_is_refused(store, tmp_path):
    path = tmp_path / "event.json"
    path.write_bytes(json.dumps(EVENT).encode("utf-16"))
    with pytest.raises(CommandError, match="not UTF-8 JSON"):
        _sign("--store", store.slug, "--file", str(path))


def test_the_help_documents_the_event_shape():
    from django.core.management import load_command_class

    command = load_command_class("apps.stores", "sign_payment_event")
    text = command.create_parser("manage.py", "sign_payment_event").format_help()
    assert '"type": "payment.succeeded"' in text
    assert '"order_number"' in text
