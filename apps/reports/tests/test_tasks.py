"""The hourly task, the summary email and the backfill command."""

import io
from datetime import UTC, date, datetime

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone

from apps.core.models import OutboxMessage
from apps.reports.models import DailySalesReport
from apps.reports.services import daily_reports_build_due
from apps.reports.tasks import build_daily_reports
from apps.stores.models import Store
from apps.stores.tests.factories import MembershipFactory, StoreFactory
from apps.users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

# 12:00 UTC: 01:00 on the 11th in Auckland, 05:00 on the 10th in Los Angeles.
NOW = datetime(2026, 3, 10, 12, tzinfo=UTC)


@pytest.fixture
def stores():
    kiwi = StoreFactory(name="Kiwi", timezone="Pacific/Auckland", currency="NZD")
    coast = StoreFactory(name="Coast", timezone="America/Los_Angeles", currency="USD")
    Store.objects.update(created_at=datetime(2026, 1, 1, tzinfo=UTC))
    for store in (kiwi, coast):
        MembershipFactory(
            store=store,
            role="owner",
            user=UserFactory(email=f"owner@{store.slug}.test"),
        )
        MembershipFactory(
            store=store,
            role="manager",
            user=UserFactory(email=f"manager@{store.slug}.test"),
        )
        MembershipFactory(
            store=store,
            role="staff",
            user=UserFactory(email=f"staff@{store.slug}.test"),
        )
    return kiwi, coast


def test_each_store_gets_the_report_of_its_own_last_ended_day(stores):
    kiwi, coast = stores

    built = daily_reports_build_due(now=NOW)

    assert {(r.store, r.date) for r in built} == {
        (kiwi, date(2026, 3, 10)),  # Auckland's 10th has ended
        (coast, date(2026, 3, 9)),  # Los Angeles is still in its 10th
    }


def test_a_day_is_built_a_little_after_its_local_midnight(stores):
    kiwi, _ = stores
    midnight = datetime(2026, 3, 10, 11, tzinfo=UTC)  # Auckland's 11th begins

    just_after = daily_reports_build_due(now=midnight.replace(minute=1))
    settled = daily_reports_build_due(now=midnight.replace(minute=6))

    assert (kiwi, date(2026, 3, 10)) not in {(r.store, r.date) for r in just_after}
    assert (kiwi, date(2026, 3, 10)) in {(r.store, r.date) for r in settled}


def test_a_store_created_after_the_day_ended_has_no_report_of_it(stores):
    StoreFactory(timezone="Pacific/Auckland")  # created now, long after NOW

    built = daily_reports_build_due(now=NOW)

    assert len(built) == 2


def test_owners_and_managers_get_one_summary_per_store_and_day(
    stores, django_capture_on_commit_callbacks
):
    kiwi, _ = stores
    with django_capture_on_commit_callbacks(execute=True):
        daily_reports_build_due(now=NOW)
        # The next hourly runs find the days built and add nothing.
        daily_reports_build_due(now=NOW.replace(hour=13))
        daily_reports_build_due(now=NOW.replace(hour=14))

    assert DailySalesReport.objects.count() == 2
    assert OutboxMessage.objects.filter(kind="reports.daily_summary").count() == 2
    by_store = {m.subject.split(":")[0]: m for m in mail.outbox}
    assert sorted(by_store) == ["Coast", "Kiwi"]
    kiwi_mail = by_store["Kiwi"]
    assert kiwi_mail.subject == "Kiwi: sales of Tuesday 10 March 2026"
    assert kiwi_mail.to == [f"manager@{kiwi.slug}.test", f"owner@{kiwi.slug}.test"]
    assert "Net sales:            0.00 NZD" in kiwi_mail.body
    assert kiwi_mail.alternatives[0][1] == "text/html"


def test_the_hourly_task_builds_through_the_service(stores, monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)

    build_daily_reports.delay()

    assert DailySalesReport.objects.count() == 2


def test_the_task_runs_on_the_reports_queue_every_hour(settings):
    assert settings.CELERY_TASK_ROUTES["reports.build_daily_reports"] == {
        "queue": "reports"
    }
    entry = settings.CELERY_BEAT_SCHEDULE["build-daily-reports"]
    assert entry["task"] == "reports.build_daily_reports"
    assert entry["schedule"].minute == {10}
    assert len(entry["schedule"].hour) == 24


def test_the_backfill_builds_every_day_of_the_range_without_email(stores):
    kiwi, _ = stores
    out = io.StringIO()

    call_command(
        "build_daily_reports",
        "--store", kiwi.slug, "--from", "2026-02-27", "--to", "2026-03-02",
        stdout=out, stderr=io.StringIO(),
    )  # fmt: skip

    dates = DailySalesReport.objects.filter(store=kiwi).values_list("date", flat=True)
    assert sorted(dates) == [
        date(2026, 2, 27),
        date(2026, 2, 28),
        date(2026, 3, 1),
        date(2026, 3, 2),
    ]
    assert "Built 4 daily report(s)" in out.getvalue()
    assert not OutboxMessage.objects.filter(kind="reports.daily_summary").exists()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--store", "nope", "--from", "2026-01-01"], "No store"),
        (["--from", "2026-13-01"], "not a date"),
        (["--from", "2026-03-02", "--to", "2026-03-01"], "must not come after"),
        (["--from", "2026-01-01", "--to", "2999-01-01"], "has not ended"),
    ],
)
def test_the_backfill_refuses_what_it_cannot_build(stores, arguments, message):
    kiwi, _ = stores
    if "--store" not in arguments:
        arguments = ["--store", kiwi.slug, *arguments]
    with pytest.raises(CommandError, match=message):
        call_command("build_daily_reports", *arguments, stdout=io.StringIO())
