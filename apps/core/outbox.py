"""The transactional outbox: side effects that are not lost with the broker.

A change that must cause a side effect (an email, later a webhook) records an
``OutboxMessage`` in its own transaction with ``outbox_enqueue``. After the
commit a Celery task delivers it; a periodic relay delivers whatever is still
pending (the broker was down, a worker died, an attempt failed).

Invariants:
- A message exists if and only if the change that recorded it committed:
  ``outbox_enqueue`` refuses to run outside a transaction, and its delivery is
  scheduled with ``transaction.on_commit``.
- One row per ``dedup_key`` for as long as the row is kept. Recording a key
  again meanwhile returns the existing row and schedules nothing more.
- Pending and dead rows are kept whatever their age (a dead one waits for an
  operator). A delivered row is kept ``OUTBOX_RETENTION_DAYS`` after its
  delivery (7 at least), then ``outbox_purge`` deletes it, in short batches.
  A key names one change (an order's email, a store's day, a reset window), so
  nothing records it again that long after: the purge ends a guarantee that no
  caller still needs.
- A message is handled with its row locked (``SELECT ... FOR UPDATE SKIP
  LOCKED``, one row per transaction): two workers never run the handler of the
  same row at once, and a row marked delivered is never handled again. A worker
  that dies mid-delivery releases the lock with its connection, and the row is
  handled again later: delivery is at-least-once, so handlers must tolerate a
  repeat (emails carry ``outbox_message_id``, the same on every attempt).
- A failed attempt is counted, its error kept, and the next one waits an
  exponential backoff; after ``OUTBOX_MAX_ATTEMPTS`` attempts the row is dead
  until an operator retries it. A row whose kind has no handler is dead at once.
- Core knows no domain app: each app registers the kinds it handles with
  ``outbox_register`` in its ``AppConfig.ready()``.
- Payloads hold ids, never secrets: a handler reads current data, and makes any
  token, when it runs.

On SQLite (the embedded default) row locks do not exist: run one worker there.
"""

import hashlib
import json
import logging
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any, Literal
from uuid import UUID

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from .models import OutboxMessage

logger = logging.getLogger(__name__)

Handler = Callable[[OutboxMessage], None]
Outcome = Literal["delivered", "failed", "dead"]

# "<app label>.<what>", e.g. "users.password_reset", "orders.confirmation".
_KIND = re.compile(r"[a-z][a-z0-9_]*\.[a-z][a-z0-9_.]*")
_DEDUP_KEY_MAX_LENGTH = OutboxMessage._meta.get_field("dedup_key").max_length or 255
# Enough of a traceback's last line to act on, not a whole SMTP transcript.
LAST_ERROR_MAX_LENGTH = 2000

_handlers: dict[str, Handler] = {}


# --- Registry ---------------------------------------------------------------------


def outbox_register(*, kind: str, handler: Handler) -> None:
    """Make ``handler`` deliver the messages of ``kind``; call it in ``ready()``.

    The handler receives the locked ``OutboxMessage``. It returns when the side
    effect is done (or is no longer wanted) and raises to have it tried again.
    """
    if not _KIND.fullmatch(kind):
        raise ImproperlyConfigured(
            f"Outbox kind {kind!r} must read '<app label>.<name>' in lower case, "
            "e.g. 'users.password_reset'."
        )
    registered = _handlers.get(kind)
    if registered is not None and registered is not handler:
        raise ImproperlyConfigured(
            f"Outbox kind {kind!r} is already handled by {registered!r}."
        )
    _handlers[kind] = handler


def outbox_message_id(dedup_key: str) -> str:
    """The email ``Message-ID`` of a dedup key: one value on every attempt and host.

    A receiver that sees the same id twice can drop the second copy. The key is
    hashed, so the header does not show which user or order it is about; 128
    bits of the hash are unique enough and keep the header on one line.
    """
    digest = hashlib.sha256(dedup_key.encode()).hexdigest()[:32]
    return f"<{digest}@{settings.EMAIL_MESSAGE_ID_DOMAIN}>"


# --- Recording ----------------------------------------------------------------------


def outbox_enqueue(
    *, kind: str, dedup_key: str, payload: Mapping[str, Any] | None = None
) -> OutboxMessage:
    """Record a message in the caller's transaction and deliver it after commit.

    Call it inside the ``transaction.atomic`` block of the change the message
    is about. A ``dedup_key`` recorded before returns that earlier row.
    """
    if kind not in _handlers:
        raise LookupError(
            f"No outbox handler is registered for {kind!r}; register one with "
            "outbox_register() in the AppConfig.ready() of the app that owns it."
        )
    if not dedup_key or len(dedup_key) > _DEDUP_KEY_MAX_LENGTH:
        raise ValueError(
            f"An outbox dedup key has 1 to {_DEDUP_KEY_MAX_LENGTH} characters."
        )
    if not transaction.get_connection().in_atomic_block:
        raise transaction.TransactionManagementError(
            "outbox_enqueue() must run inside the transaction of the change it "
            "announces; wrap the caller in transaction.atomic()."
        )
    # The payload as it is stored and read back (a UUID becomes its string).
    stored_payload = json.loads(json.dumps(dict(payload or {}), cls=DjangoJSONEncoder))
    message = OutboxMessage(kind=kind, dedup_key=dedup_key, payload=stored_payload)
    while not _insert_unless_recorded(message):
        recorded = OutboxMessage.objects.filter(dedup_key=dedup_key).first()
        if recorded is not None:
            return recorded
        # The row that held the key was purged between the two statements
        # (outbox_purge, long after its delivery): record the key anew.
    transaction.on_commit(partial(_schedule_delivery, message_id=str(message.pk)))
    return message


def _insert_unless_recorded(message: OutboxMessage) -> bool:
    """Insert ``message`` unless its key is recorded; whether it was inserted.

    ``INSERT ... ON CONFLICT DO NOTHING RETURNING id``: a concurrent transaction
    recording the same key makes this one wait for it, then insert nothing and
    return no row. One statement, where ``bulk_create(ignore_conflicts=True)``
    returns nothing and needed a read of the key after it (one query fewer per
    placement; docs/performance.md).
    """
    connection = transaction.get_connection()
    meta = OutboxMessage._meta
    quote = connection.ops.quote_name
    fields = meta.concrete_fields
    values = [
        field.get_db_prep_save(field.pre_save(message, add=True), connection)
        for field in fields
    ]
    sql = (
        f"INSERT INTO {quote(meta.db_table)}"  # noqa: S608 -- names from the model
        f" ({', '.join(quote(field.column) for field in fields)})"
        f" VALUES ({', '.join(['%s'] * len(fields))})"
        f" ON CONFLICT DO NOTHING RETURNING {quote(meta.pk.column)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        return cursor.fetchone() is not None


def _schedule_delivery(*, message_id: str) -> None:
    from .tasks import deliver_outbox_message

    # The change has committed: whatever happens here, the caller's answer
    # stands and the pending row waits for the relay. One publish attempt, no
    # retries, since the relay is the retry. (retry=False would be slower: kombu
    # then opens the connection through its own retry loop, for seconds.)
    try:
        deliver_outbox_message.apply_async(
            kwargs={"message_id": message_id},
            retry=True,
            retry_policy={"max_retries": 0},
        )
    except Exception:
        logger.exception(
            "could not enqueue an outbox delivery; the relay will deliver it",
            extra={"outbox_message_id": message_id},
        )


# --- Delivery -----------------------------------------------------------------------


@dataclass
class DeliveryReport:
    """What one relay or retry run did, message by message."""

    delivered: int = 0
    failed: int = 0  # the attempt failed; another one is scheduled
    dead: int = 0  # the attempt failed and no other one will be made
    skipped: int = 0  # already delivered, or being delivered by another worker

    def count(self, outcome: Outcome | None) -> None:
        name = outcome or "skipped"
        setattr(self, name, getattr(self, name) + 1)


def _lockable() -> QuerySet[OutboxMessage]:
    # A row another worker holds is skipped, never waited for.
    return OutboxMessage.objects.select_for_update(skip_locked=True)


def outbox_deliver(*, message_id: UUID | str) -> Outcome | None:
    """Deliver one pending message now, unless it is waiting out a backoff.

    Returns None when there was nothing to do: the row is delivered, dead,
    not due yet, or another worker is delivering it.
    """
    now = timezone.now()
    with transaction.atomic():
        # The first attempt follows the commit at once, whatever the clocks of
        # the web process and the worker say; later ones respect the backoff.
        message = (
            _lockable()
            .filter(pk=message_id, status=OutboxMessage.Status.PENDING)
            .filter(Q(attempts=0) | Q(available_at__lte=now))
            .first()
        )
        return None if message is None else _attempt(message)


def outbox_relay(*, limit: int | None = None) -> DeliveryReport:
    """Deliver due pending messages, the longest waiting first (all if no limit)."""
    report = DeliveryReport()
    handled = 0
    while limit is None or handled < limit:
        with transaction.atomic():
            message = (
                _lockable()
                .filter(
                    status=OutboxMessage.Status.PENDING,
                    available_at__lte=timezone.now(),
                )
                .order_by("available_at")
                .first()
            )
            if message is None:
                break
            report.count(_attempt(message))
        handled += 1
    return report


def outbox_retry(*, message_ids: Iterable[UUID | str]) -> DeliveryReport:
    """Deliver the given pending or dead messages now, whatever their backoff.

    This is one more attempt: a dead message that fails again stays dead, with
    the new error.
    """
    report = DeliveryReport()
    for message_id in message_ids:
        with transaction.atomic():
            message = (
                _lockable()
                .filter(
                    pk=message_id,
                    status__in=[
                        OutboxMessage.Status.PENDING,
                        OutboxMessage.Status.DEAD,
                    ],
                )
                .first()
            )
            report.count(None if message is None else _attempt(message))
    return report


def _attempt(message: OutboxMessage) -> Outcome:
    """Run the handler of a locked row and record how it went."""
    handler = _handlers.get(message.kind)
    if handler is None:
        return _record_failure(
            message,
            f"No handler is registered for the kind {message.kind!r} in this "
            "process; deploy the app that handles it, then retry.",
            final=True,
        )
    try:
        # A savepoint: what the handler wrote is undone if it fails, and the
        # row can still be updated in the outer transaction.
        with transaction.atomic():
            handler(message)
    except Exception as exc:
        logger.warning(
            "outbox delivery failed",
            exc_info=True,
            extra={"outbox_message_id": str(message.pk), "kind": message.kind},
        )
        return _record_failure(message, f"{type(exc).__name__}: {exc}")
    message.attempts += 1
    message.status = OutboxMessage.Status.DELIVERED
    message.delivered_at = timezone.now()
    message.save(update_fields=["attempts", "status", "delivered_at", "updated_at"])
    return "delivered"


def _record_failure(
    message: OutboxMessage, error: str, *, final: bool = False
) -> Outcome:
    message.attempts += 1
    message.last_error = error[:LAST_ERROR_MAX_LENGTH]
    if final or message.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
        message.status = OutboxMessage.Status.DEAD
    else:
        message.status = OutboxMessage.Status.PENDING
        message.available_at = timezone.now() + outbox_backoff(message.attempts)
    message.save(
        update_fields=["attempts", "last_error", "status", "available_at", "updated_at"]
    )
    if message.status == OutboxMessage.Status.DEAD:
        logger.error(
            "outbox message is dead",
            extra={
                "outbox_message_id": str(message.pk),
                "kind": message.kind,
                "attempts": message.attempts,
            },
        )
        return "dead"
    return "failed"


def outbox_backoff(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failure: doubling, capped."""
    seconds = settings.OUTBOX_BACKOFF_SECONDS * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, settings.OUTBOX_BACKOFF_MAX_SECONDS))


# --- Retention ----------------------------------------------------------------------

# The shortest retention whatever the setting: a key must stay recorded well past
# anything that could record it again (a job re-run, a task redelivered).
RETENTION_MIN_DAYS = 7
# Rows one purge statement deletes at most: each batch is its own short
# transaction, so a backlog of millions never holds locks for minutes.
PURGE_BATCH_SIZE = 1000


def outbox_retention_days() -> int:
    """The days a delivered message is kept: ``OUTBOX_RETENTION_DAYS``, 7 at least."""
    return max(int(settings.OUTBOX_RETENTION_DAYS), RETENTION_MIN_DAYS)


def outbox_purge(
    *, now: datetime | None = None, batch_size: int = PURGE_BATCH_SIZE
) -> int:
    """Delete the messages delivered before the retention; return how many went.

    Pending and dead messages are never deleted. Each batch is one statement,
    committed on its own unless the caller holds a transaction: a run stopped
    halfway keeps what it deleted, and the next one goes on from there.
    """
    if batch_size < 1:
        raise ValueError("An outbox purge deletes at least one row per batch.")
    cutoff = (now or timezone.now()) - timedelta(days=outbox_retention_days())
    # Oldest first, through the partial index on delivered rows
    # (core_outbox_delivered_at_idx): a batch reads only the rows it deletes.
    expired = (
        OutboxMessage.objects.filter(
            status=OutboxMessage.Status.DELIVERED, delivered_at__lt=cutoff
        )
        .order_by("delivered_at")
        .values("pk")
    )
    deleted = 0
    while True:
        # DELETE ... WHERE id IN (SELECT id ... LIMIT batch_size): the rows are
        # chosen and deleted by one statement, with nothing in between.
        batch, _ = OutboxMessage.objects.filter(pk__in=expired[:batch_size]).delete()
        deleted += batch
        if batch < batch_size:  # a short batch took the last ones
            return deleted
