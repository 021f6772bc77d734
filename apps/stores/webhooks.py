"""Payment webhooks signed in the Standard Webhooks format.

A payment provider signs each call with the store's webhook secret and sends
three headers: ``webhook-id`` (the message id), ``webhook-timestamp`` (Unix
seconds) and ``webhook-signature`` (``v1,<base64 HMAC-SHA256>``, several
separated by spaces). The HMAC covers ``{id}.{timestamp}.{body}``. Signing and
checking are left to the ``standardwebhooks`` package (ADR 0027); this module
decides which secrets count and turns every refusal into one error.

Invariants:
- An event is accepted only with a ``v1`` signature made with the store's
  current secret, or with the previous one until ``WEBHOOK_SECRET_GRACE`` after
  the last rotation has passed.
- The signature covers the raw body bytes as received: pass ``request.body``
  before anything parses it, never JSON serialised again.
- A timestamp more than five minutes before or after the server's clock is
  refused: the package's tolerance, fixed in it, so that a captured call cannot
  be replayed later. Within those minutes a repeated call verifies again;
  processing each event once is the caller's business.
- Every refusal is a ``WebhookRejected`` (400) with one of these codes:

  ====================  =========================================================
  ``missing_headers``   a signature header is absent or empty
  ``invalid_headers``   the id contains a ``.`` or the timestamp is not integer
                        seconds
  ``stale_timestamp``   the timestamp is more than five minutes from now
  ``invalid_signature`` no signature matches a secret that counts
  ``invalid_payload``   the body is not a UTF-8 JSON object
  ====================  =========================================================

Nothing here imports DRF (an import-linter contract), so the payment view, a
task or a management command can call it alike.
"""

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from http import HTTPStatus
from typing import Any, NoReturn

from django.utils import timezone
from standardwebhooks import Webhook, WebhookVerificationError

from apps.core.exceptions import ApplicationError
from apps.core.ids import uuid7

from .models import Store
from .selectors import store_webhook_secrets

ID_HEADER = "webhook-id"
TIMESTAMP_HEADER = "webhook-timestamp"
SIGNATURE_HEADER = "webhook-signature"
SIGNATURE_HEADERS = (ID_HEADER, TIMESTAMP_HEADER, SIGNATURE_HEADER)


class WebhookRejected(ApplicationError):
    """A webhook call whose headers, signature or body cannot be trusted.

    400 rather than 401: a 401 promises an HTTP authentication scheme in
    ``WWW-Authenticate``, and a signature is none. Standard Webhooks senders
    retry on any answer but 2xx and 410, so a provider still holding an old
    secret keeps retrying until it is given the new one.
    """

    status_code = HTTPStatus.BAD_REQUEST
    default_code = "invalid_signature"


def webhook_verify(
    *, store: Store, headers: Mapping[str, str], body: bytes
) -> dict[str, Any]:
    """Return the event of a webhook call signed for the store, or raise.

    ``headers`` may be any mapping (``request.headers``); names are matched in
    any casing. Raises ``WebhookRejected``.
    """
    signed = _signature_headers(headers)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        # The package signs text; no signature over these bytes can be checked.
        raise WebhookRejected(
            "The body is not UTF-8; send the event as UTF-8 JSON.",
            code="invalid_payload",
        ) from exc
    secrets = store_webhook_secrets(store=store)
    candidates = [secrets.current]
    if secrets.previous:
        candidates.append(secrets.previous)
    if not any(_signed_with(secret, text, signed) for secret in candidates):
        raise WebhookRejected(
            "No signature matches this store's webhook secret. Sign "
            "'{webhook-id}.{webhook-timestamp}.{body}' over the exact body sent, "
            "with the secret the store's owner reveals.",
            code="invalid_signature",
        )
    return _event(text)


def webhook_sign(
    *,
    secret: str,
    body: bytes,
    msg_id: str | None = None,
    timestamp: datetime | None = None,
) -> dict[str, str]:
    """Return the three headers that sign ``body`` with ``secret``, as a sender would.

    ``msg_id`` defaults to a new ``msg_<uuid7>``, ``timestamp`` to now.
    """
    msg_id = msg_id or f"msg_{uuid7().hex}"
    if "." in msg_id:
        raise ValueError(
            "A webhook id must not contain '.' (it delimits the signed text)."
        )
    sent = (timestamp or timezone.now()).astimezone(UTC)
    signature = Webhook(secret).sign(msg_id, sent, body.decode("utf-8"))
    return {
        ID_HEADER: msg_id,
        TIMESTAMP_HEADER: str(int(sent.timestamp())),
        SIGNATURE_HEADER: signature,
    }


def _signature_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """The three signature headers, by lower-case name; refuse absent or odd ones."""
    found = {name.lower(): value for name, value in headers.items()}
    signed = {name: found.get(name, "").strip() for name in SIGNATURE_HEADERS}
    missing = [name for name, value in signed.items() if not value]
    if missing:
        raise WebhookRejected(
            f"Missing signature header(s): {', '.join(missing)}. Send "
            f"{', '.join(SIGNATURE_HEADERS)} as Standard Webhooks specifies.",
            code="missing_headers",
        )
    if "." in signed[ID_HEADER]:
        raise WebhookRejected(
            f"{ID_HEADER} must not contain '.': it delimits the signed text.",
            code="invalid_headers",
        )
    timestamp = signed[TIMESTAMP_HEADER]
    if not (timestamp.isascii() and timestamp.isdigit()):
        raise WebhookRejected(
            f"{TIMESTAMP_HEADER} must be whole seconds since the Unix epoch.",
            code="invalid_headers",
        )
    return signed


def _signed_with(secret: str, text: str, headers: dict[str, str]) -> bool:
    """Whether a signature in ``headers`` was made with ``secret``."""
    try:
        Webhook(secret).verify(text, headers, json_parse=False)
    except WebhookVerificationError as exc:
        # Raised for the timestamp before any signature is compared, so the
        # answer is the same whichever secret is tried.
        if "timestamp" in str(exc).lower():
            raise WebhookRejected(
                "The webhook-timestamp is more than five minutes away from the "
                "server's clock; sign the call again when it is sent.",
                code="stale_timestamp",
            ) from exc
        return False
    except ValueError:
        # A signature list the package cannot split or decode matches nothing.
        return False
    return True


def _refuse_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not JSON")


def _event(text: str) -> dict[str, Any]:
    try:
        event = json.loads(text, parse_constant=_refuse_constant)
    except (ValueError, RecursionError) as exc:
        raise WebhookRejected(
            "The body is not valid JSON.", code="invalid_payload"
        ) from exc
    if not isinstance(event, dict):
        raise WebhookRejected(
            "The body must be a JSON object (the event).", code="invalid_payload"
        )
    return event
