"""The outbox: recorded with the change, delivered after commit, retried, not lost."""

import io
import re
import time
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from apps.core.ids import uuid7
from apps.core.models import OutboxMessage
from apps.core.outbox import (
    outbox_backoff,
    outbox_deliver,
    outbox_enqueue,
    outbox_message_id,
    outbox_register,
    outbox_relay,
    outbox_retry,
)
from apps.core.testing import outbox_handler, run_concurrently

KIND = "tests.note"


class Recorder:
    """A handler that records the keys it handles, and fails while told to."""

    def __init__(self):
        self.calls = []
        self.error = None
        self.delay = 0.0

    def __call__(self, message):
        self.calls.append(message.dedup_key)
        if self.delay:
            time.sleep(self.delay)
        if self.error is not None:
            raise self.error


@pytest.fixture
def handler():
    recorder = Recorder()
    with outbox_handler(KIND, recorder):
        yield recorder


def _enqueue(key="note:1", **payload):
    return outbox_enqueue(kind=KIND, dedup_key=key, payload=payload)


def _pending(keys):
    """Pending rows that no task is on its way to deliver (as after an outage)."""
    return OutboxMessage.objects.bulk_create(
        [OutboxMessage(kind=KIND, dedup_key=key) for key in keys]
    )


def _make_due(message):
    OutboxMessage.objects.filter(pk=message.pk).update(
        available_at=timezone.now() - timedelta(seconds=1)
    )


# --- Recording and delivery after commit --------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_message_is_delivered_right_after_its_transaction_commits(handler):
    with transaction.atomic():
        _enqueue(order_id="42")
        assert handler.calls == []  # nothing runs before the commit
    assert handler.calls == ["note:1"]
    message = OutboxMessage.objects.get()
    assert (message.status, message.attempts) == ("delivered", 1)
    assert message.delivered_at is not None
    assert message.payload == {"order_id": "42"}


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_leaves_no_message_and_delivers_nothing(handler):
    def change_that_fails():
        with transaction.atomic():
            _enqueue()
            raise RuntimeError("the change failed")

    with pytest.raises(RuntimeError):
        change_that_fails()
    assert not OutboxMessage.objects.exists()
    assert handler.calls == []


@pytest.mark.django_db(transaction=True)
def test_enqueue_outside_a_transaction_is_refused(handler):
    with pytest.raises(transaction.TransactionManagementError, match="atomic"):
        _enqueue()
    assert not OutboxMessage.objects.exists()


@pytest.mark.django_db
def test_the_same_dedup_key_makes_one_row_and_one_delivery(
    handler, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        first = _enqueue("note:7", n=1)
        second = _enqueue("note:7", n=2)
    assert second.pk == first.pk
    assert second.payload == {"n": 1}  # the first recording stands
    assert len(callbacks) == 1
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        again = _enqueue("note:7", n=3)  # later, after the delivery
    assert (again.pk, again.status) == (first.pk, "delivered")
    assert callbacks == []
    assert handler.calls == ["note:7"]
    assert OutboxMessage.objects.count() == 1


@pytest.mark.django_db
def test_a_uuid_in_the_payload_is_read_back_as_a_string(handler):
    order_id = uuid7()
    message = outbox_enqueue(kind=KIND, dedup_key="note:uuid", payload={"id": order_id})
    assert message.payload == {"id": str(order_id)}


@pytest.mark.django_db
def test_an_unknown_kind_is_refused_at_enqueue_time():
    with pytest.raises(LookupError, match="outbox_register"):
        outbox_enqueue(kind="tests.nobody", dedup_key="x:1", payload={})
    assert not OutboxMessage.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["", "k" * 256])
def test_a_dedup_key_must_have_1_to_255_characters(handler, key):
    with pytest.raises(ValueError, match="255"):
        _enqueue(key)


def test_a_kind_is_registered_once_and_named_app_dot_name():
    def other(message):
        return None

    with pytest.raises(ImproperlyConfigured, match="app label"):
        outbox_register(kind="No-Dot", handler=other)
    with outbox_handler(KIND, Recorder()), pytest.raises(ImproperlyConfigured):
        outbox_register(kind=KIND, handler=other)


@pytest.mark.django_db
def test_a_broker_outage_leaves_the_message_pending_for_the_relay(
    handler, broker_down, django_capture_on_commit_callbacks, caplog
):
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        message = _enqueue()
    # One publish attempt, no retry loop: the request is not held for seconds.
    assert time.monotonic() - started < 3
    assert "could not enqueue an outbox delivery" in caplog.text
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("pending", 0)
    assert handler.calls == []

    report = outbox_relay()
    assert (report.delivered, handler.calls) == (1, ["note:1"])


# --- Failures, backoff, dead letters -------------------------------------------------


def test_backoff_doubles_from_the_base_up_to_the_cap(settings):
    settings.OUTBOX_BACKOFF_SECONDS = 30
    settings.OUTBOX_BACKOFF_MAX_SECONDS = 3600
    delays = [outbox_backoff(n).total_seconds() for n in range(1, 10)]
    assert delays == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]


@pytest.mark.django_db
def test_a_failed_attempt_is_counted_and_the_next_one_waits(settings):
    settings.OUTBOX_BACKOFF_SECONDS = 30

    def failing(message):
        Group.objects.create(name="written by the handler")
        raise OSError("mail server said no")

    with outbox_handler("tests.failing", failing):
        message = outbox_enqueue(kind="tests.failing", dedup_key="f:1")
        before = timezone.now()
        assert outbox_deliver(message_id=message.pk) == "failed"

    message.refresh_from_db()
    assert (message.status, message.attempts) == ("pending", 1)
    assert message.last_error == "OSError: mail server said no"
    wait = (message.available_at - before).total_seconds()
    assert 29 <= wait <= 31
    # What the handler wrote went with its failure.
    assert not Group.objects.filter(name="written by the handler").exists()


@pytest.mark.django_db
def test_a_message_waiting_out_its_backoff_is_left_alone_until_due(handler):
    handler.error = OSError("down")
    message = _enqueue()
    assert outbox_deliver(message_id=message.pk) == "failed"
    handler.error = None

    assert outbox_deliver(message_id=message.pk) is None
    assert outbox_relay().delivered == 0
    _make_due(message)
    assert outbox_relay().delivered == 1
    assert handler.calls == ["note:1", "note:1"]


@pytest.mark.django_db
def test_the_first_attempt_does_not_wait_for_a_clock_ahead_of_the_worker(handler):
    message = _enqueue()
    OutboxMessage.objects.filter(pk=message.pk).update(
        available_at=timezone.now() + timedelta(seconds=5)
    )
    assert outbox_deliver(message_id=message.pk) == "delivered"


@pytest.mark.django_db
def test_a_message_is_dead_after_the_retry_budget(handler, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 3
    settings.OUTBOX_BACKOFF_SECONDS = 0  # every retry is due at once
    handler.error = OSError("mailbox unavailable")
    message = _enqueue()

    report = outbox_relay()

    assert (report.failed, report.dead) == (2, 1)
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("dead", 3)
    assert message.last_error == "OSError: mailbox unavailable"
    assert outbox_relay().dead == 0  # a dead message is not tried again


@pytest.mark.django_db
def test_a_message_of_a_kind_nobody_handles_is_dead_at_once(handler):
    with outbox_handler("tests.gone", Recorder()):
        message = outbox_enqueue(kind="tests.gone", dedup_key="gone:1")
    # The process that delivers has no handler for it (e.g. an older release).
    assert outbox_deliver(message_id=message.pk) == "dead"
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("dead", 1)
    assert "No handler is registered for the kind 'tests.gone'" in message.last_error


@pytest.mark.django_db
def test_a_long_error_is_truncated(handler):
    handler.error = OSError("x" * 10_000)
    message = _enqueue()
    outbox_deliver(message_id=message.pk)
    message.refresh_from_db()
    assert len(message.last_error) == 2000


@pytest.mark.django_db
def test_retry_makes_one_more_attempt_at_a_dead_message(handler, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 1
    handler.error = OSError("down")
    message = _enqueue()
    assert outbox_deliver(message_id=message.pk) == "dead"

    assert outbox_retry(message_ids=[message.pk]).dead == 1  # still failing
    handler.error = None
    report = outbox_retry(message_ids=[message.pk])
    assert report.delivered == 1
    assert outbox_retry(message_ids=[message.pk]).skipped == 1  # delivered: no more
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("delivered", 3)
    assert handler.calls == ["note:1"] * 3


@pytest.mark.django_db
def test_the_relay_handles_the_longest_waiting_first_and_stops_at_its_limit(
    handler,
):
    for n in range(3):
        message = _enqueue(f"note:{n}")
        OutboxMessage.objects.filter(pk=message.pk).update(
            available_at=timezone.now() - timedelta(minutes=n)
        )
    assert outbox_relay(limit=2).delivered == 2
    assert handler.calls == ["note:2", "note:1"]
    assert outbox_relay().delivered == 1


@pytest.mark.django_db
def test_the_relay_command_delivers_what_is_due_and_retries_dead_on_request(
    handler, settings
):
    settings.OUTBOX_MAX_ATTEMPTS = 1
    handler.error = OSError("down")
    dead = _enqueue("note:dead")
    outbox_deliver(message_id=dead.pk)
    handler.error = None
    _enqueue("note:due")

    out = io.StringIO()
    call_command("relay_outbox", stdout=out)
    assert "Due messages: 1 delivered, 0 failed (will be retried), 0 dead" in (
        out.getvalue()
    )
    call_command("relay_outbox", "--retry-dead", stdout=out)
    assert "Dead messages retried: 1 delivered" in out.getvalue()
    assert sorted(handler.calls) == ["note:dead", "note:dead", "note:due"]


# --- Message-ID ---------------------------------------------------------------------


def test_the_message_id_is_stable_per_dedup_key_and_hides_it(settings):
    settings.EMAIL_MESSAGE_ID_DOMAIN = "mail.example.com"
    first = outbox_message_id("order-confirmation:123")
    assert first == outbox_message_id("order-confirmation:123")
    assert first != outbox_message_id("order-confirmation:124")
    assert re.fullmatch(r"<[0-9a-f]{32}@mail\.example\.com>", first)
    assert "order-confirmation" not in first


# --- Two workers at once (PostgreSQL row locks) -------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attempt", range(3))
def test_two_relays_at_once_deliver_each_message_exactly_once(handler, attempt):
    keys = [f"note:{n}" for n in range(20)]
    _pending(keys)
    handler.delay = 0.01  # a delivery takes a while, as sending an email does

    outcomes = run_concurrently(outbox_relay, outbox_relay)

    assert outcomes == ["ok", "ok"]
    assert sorted(handler.calls) == sorted(keys)
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"delivered"}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attempt", range(3))
def test_the_task_and_the_relay_racing_for_one_message_deliver_it_once(
    handler, attempt
):
    [message] = _pending(["note:1"])
    handler.delay = 0.05

    outcomes = run_concurrently(
        lambda: outbox_deliver(message_id=message.pk),
        outbox_relay,
        lambda: outbox_retry(message_ids=[message.pk]),
    )

    assert outcomes == ["ok", "ok", "ok"]
    assert handler.calls == ["note:1"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_transactions_recording_one_key_at_once_make_one_row_and_one_delivery(
    handler,
):
    def record():
        with transaction.atomic():
            _enqueue("note:race")
            time.sleep(0.05)  # the other transaction inserts while this one is open

    outcomes = run_concurrently(record, record)

    assert outcomes == ["ok", "ok"]
    assert OutboxMessage.objects.filter(dedup_key="note:race").count() == 1
    assert handler.calls == ["note:race"]


@pytest.mark.django_db
def test_recording_a_new_message_is_one_statement(handler, django_assert_num_queries):
    with transaction.atomic(), django_assert_num_queries(1):
        message = _enqueue("note:one", n=1)
    stored = OutboxMessage.objects.get(pk=message.pk)
    assert (stored.kind, stored.dedup_key, stored.payload) == (
        message.kind,
        "note:one",
        {"n": 1},
    )
    assert (stored.created_at, stored.available_at) == (
        message.created_at,
        message.available_at,
    )
