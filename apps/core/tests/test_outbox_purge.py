"""The outbox purge: delivered rows go after their retention, nothing else ever."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.core.models import OutboxMessage
from apps.core.outbox import outbox_enqueue, outbox_purge, outbox_retention_days
from apps.core.tasks import purge_outbox
from apps.core.testing import FROZEN_AT, outbox_handler

pytestmark = pytest.mark.django_db

KIND = "tests.note"
Status = OutboxMessage.Status


def _delivered(key, *, at):
    return OutboxMessage.objects.create(
        kind=KIND, dedup_key=key, status=Status.DELIVERED, attempts=1, delivered_at=at
    )


def _keys():
    return sorted(OutboxMessage.objects.values_list("dedup_key", flat=True))


def test_delivered_messages_go_once_past_the_retention_and_not_before(settings):
    settings.OUTBOX_RETENTION_DAYS = 30
    now = timezone.now()
    _delivered("note:old", at=now - timedelta(days=30, minutes=1))
    _delivered("note:recent", at=now - timedelta(days=29, hours=23, minutes=59))

    assert outbox_purge(now=now) == 1

    assert _keys() == ["note:recent"]


def test_pending_and_dead_messages_are_kept_whatever_their_age(settings):
    settings.OUTBOX_RETENTION_DAYS = 30
    OutboxMessage.objects.create(kind=KIND, dedup_key="note:pending")
    OutboxMessage.objects.create(
        kind=KIND, dedup_key="note:dead", status=Status.DEAD, attempts=8
    )
    _delivered("note:delivered", at=timezone.now())
    years_later = timezone.now() + timedelta(days=3650)

    assert outbox_purge(now=years_later) == 1

    assert _keys() == ["note:dead", "note:pending"]
    assert outbox_purge(now=years_later) == 0


def test_the_retention_is_a_week_at_least_whatever_the_setting(settings):
    settings.OUTBOX_RETENTION_DAYS = 1
    now = timezone.now()
    _delivered("note:6-days", at=now - timedelta(days=6, hours=23))
    _delivered("note:8-days", at=now - timedelta(days=8))

    assert outbox_retention_days() == 7
    assert outbox_purge(now=now) == 1
    assert _keys() == ["note:6-days"]


@pytest.mark.parametrize(("backlog", "statements"), [(5, 3), (4, 3), (1, 1)])
def test_a_backlog_is_deleted_in_batches_until_none_is_left(backlog, statements):
    long_ago = timezone.now() - timedelta(days=365)
    for n in range(backlog):
        _delivered(f"note:{n}", at=long_ago + timedelta(minutes=n))
    _delivered("note:recent", at=timezone.now())

    with CaptureQueriesContext(connection) as queries:
        deleted = outbox_purge(batch_size=2)

    assert deleted == backlog
    assert _keys() == ["note:recent"]
    # One bounded DELETE per batch; a short (or empty) batch ends the run.
    deletes = [q["sql"] for q in queries if q["sql"].startswith("DELETE")]
    assert len(deletes) == statements


def test_a_batch_has_one_row_at_least():
    with pytest.raises(ValueError, match="at least one row"):
        outbox_purge(batch_size=0)


def test_a_purged_key_can_be_recorded_again(django_capture_on_commit_callbacks):
    with outbox_handler(KIND, lambda message: None):
        first = outbox_enqueue(kind=KIND, dedup_key="note:1")
        OutboxMessage.objects.filter(pk=first.pk).update(
            status=Status.DELIVERED, delivered_at=timezone.now() - timedelta(days=60)
        )
        assert outbox_enqueue(kind=KIND, dedup_key="note:1").pk == first.pk

        assert outbox_purge() == 1
        with django_capture_on_commit_callbacks() as callbacks:
            again = outbox_enqueue(kind=KIND, dedup_key="note:1")

    assert again.pk != first.pk
    assert (again.status, len(callbacks)) == (Status.PENDING, 1)


def test_a_key_purged_between_its_conflict_and_its_read_is_recorded_anew(
    monkeypatch, django_capture_on_commit_callbacks
):
    """The INSERT met the old row, the purge then deleted it: no error, a new row."""
    from apps.core import outbox

    inserts = []
    real_insert = outbox._insert_unless_recorded

    def conflict_once(message):
        inserts.append(message.dedup_key)
        if len(inserts) == 1:
            return False  # as if a row held the key, gone by the next statement
        return real_insert(message)

    monkeypatch.setattr(outbox, "_insert_unless_recorded", conflict_once)
    with (
        outbox_handler(KIND, lambda message: None),
        django_capture_on_commit_callbacks() as callbacks,
    ):
        message = outbox_enqueue(kind=KIND, dedup_key="note:raced")

    assert inserts == ["note:raced", "note:raced"]
    assert OutboxMessage.objects.get(dedup_key="note:raced").pk == message.pk
    assert len(callbacks) == 1


# --- The daily task and the command -------------------------------------------------


def test_the_daily_task_purges_and_logs_how_many_went(clock, caplog):
    caplog.set_level("INFO", logger="apps.core.tasks")
    _delivered("note:1", at=FROZEN_AT - timedelta(days=31))
    _delivered("note:2", at=FROZEN_AT - timedelta(days=40))
    _delivered("note:3", at=FROZEN_AT - timedelta(days=29))

    purge_outbox.delay()

    assert _keys() == ["note:3"]
    [record] = [r for r in caplog.records if r.msg == "outbox messages purged"]
    assert record.deleted == 2


def test_the_purge_command_says_how_many_messages_went(clock):
    _delivered("note:1", at=FROZEN_AT - timedelta(days=31))
    _delivered("note:2", at=FROZEN_AT - timedelta(days=1))
    out = io.StringIO()

    call_command("purge_outbox", stdout=out)

    assert out.getvalue().strip() == (
        "1 delivered message(s) older than 30 days deleted."
    )
    assert _keys() == ["note:2"]


def test_beat_purges_the_outbox_daily_at_0340_utc_on_the_default_queue(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["purge-outbox"]
    assert entry["task"] == purge_outbox.name == "core.purge_outbox"
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({3}, {40})
    assert entry["options"]["expires"] == 60 * 60
    assert settings.CELERY_TASK_ROUTES[purge_outbox.name] == {"queue": "default"}
