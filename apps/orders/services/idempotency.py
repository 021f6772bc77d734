"""``Idempotency-Key``: a retried POST gets the first answer, not a second order.

A key is scoped to the caller and the store. The first request with a key
records it as in progress in its own short transaction, so that a concurrent
repeat sees it at once and gets 409 ``idempotency_key_in_progress``. The work
and the stored answer (status and body) then commit together: a completed key
always points at a committed order. A repeat with the same request replays the
stored answer; the same key with another request is 422
``idempotency_key_reused``. A request that fails with a client error releases
its key, so the corrected or later retry runs again; a key left in progress by
a crashed worker is taken over after ``IDEMPOTENCY_IN_PROGRESS_SECONDS``.
Keys are kept ``IDEMPOTENCY_KEY_RETENTION_HOURS`` (at least 24), then purged.
"""

import contextlib
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from http import HTTPStatus
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.core.exceptions import ApplicationError
from apps.stores.models import Store
from apps.users.models import User

from ..models import IdempotencyKey, Order


class IdempotencyKeyReused(ApplicationError):
    status_code = HTTPStatus.UNPROCESSABLE_ENTITY
    default_code = "idempotency_key_reused"


class IdempotencyKeyInProgress(ApplicationError):
    status_code = HTTPStatus.CONFLICT
    default_code = "idempotency_key_in_progress"


@dataclass(frozen=True)
class Outcome:
    """An answer to store and send: status, JSON body, and the order it made."""

    status: int
    body: Any
    order: Order | None = None
    replayed: bool = False


def idempotency_fingerprint(*, method: str, path: str, data: Any) -> str:
    """A digest of what makes two requests the same request."""
    canonical = json.dumps(
        [method.upper(), path, data], sort_keys=True, separators=(",", ":"), default=str
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def _own_statement() -> Any:
    """Where a claim's INSERT runs: on its own, committed before anything else.

    Outside a transaction (a request: ``ATOMIC_REQUESTS`` is off) the INSERT
    commits by itself, visible at once to a concurrent repeat, and a duplicate
    key leaves the connection as it was: one round trip rather than BEGIN,
    INSERT and COMMIT: a placement's round trips 18 -> 15 with ADR 0072's
    other change (docs/performance.md).
    Inside a caller's transaction a savepoint keeps a duplicate from breaking it.
    """
    if transaction.get_connection().in_atomic_block:
        return transaction.atomic()
    return contextlib.nullcontext()


def _begin(
    *, store: Store, user: User, key: str, fingerprint: str
) -> IdempotencyKey | Outcome:
    """Claim the key, or return the stored answer, or raise 409/422."""
    try:
        with _own_statement():
            return IdempotencyKey.objects.create(
                store=store, user=user, key=key, fingerprint=fingerprint
            )
    except IntegrityError:
        pass
    existing = IdempotencyKey.objects.filter(store=store, user=user, key=key).first()
    if existing is None:  # released meanwhile by a failed first request
        return _begin(store=store, user=user, key=key, fingerprint=fingerprint)
    if existing.fingerprint != fingerprint:
        raise IdempotencyKeyReused(
            "This Idempotency-Key was used for a different request; "
            "use a new key for a new request."
        )
    if existing.state == IdempotencyKey.State.COMPLETED:
        return Outcome(
            status=int(existing.response_status or HTTPStatus.OK),
            body=existing.response_body,
            replayed=True,
        )
    stale = timezone.now() - timedelta(seconds=settings.IDEMPOTENCY_IN_PROGRESS_SECONDS)
    taken = IdempotencyKey.objects.filter(
        pk=existing.pk,
        state=IdempotencyKey.State.IN_PROGRESS,
        updated_at=existing.updated_at,
        updated_at__lt=stale,
    ).update(updated_at=timezone.now())
    if taken:  # the first request died without an answer: run it again
        existing.refresh_from_db()
        return existing
    raise IdempotencyKeyInProgress(
        "A request with this Idempotency-Key is still being processed; "
        "retry in a moment to get its answer."
    )


def idempotent(
    *,
    store: Store,
    user: User,
    key: str | None,
    fingerprint: str,
    run: Callable[[], Outcome],
) -> Outcome:
    """Run ``run`` in a transaction once per key; replay its answer afterwards."""
    if key is None:
        with transaction.atomic():
            return run()
    started = _begin(store=store, user=user, key=key, fingerprint=fingerprint)
    if isinstance(started, Outcome):
        return started
    try:
        with transaction.atomic():
            outcome = run()
            IdempotencyKey.objects.filter(pk=started.pk).update(
                state=IdempotencyKey.State.COMPLETED,
                response_status=outcome.status,
                response_body=outcome.body,
                order=outcome.order,
                updated_at=timezone.now(),
            )
    except BaseException:
        # Nothing was done: free the key so that a retry runs the request again.
        IdempotencyKey.objects.filter(
            pk=started.pk, state=IdempotencyKey.State.IN_PROGRESS
        ).delete()
        raise
    return outcome


def idempotency_keys_purge(*, now: Any = None) -> int:
    """Delete the keys older than the retention; return how many went."""
    hours = max(int(settings.IDEMPOTENCY_KEY_RETENTION_HOURS), 24)
    cutoff = (now or timezone.now()) - timedelta(hours=hours)
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted
