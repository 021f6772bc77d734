"""A report's day is the store's local calendar day, whatever its length."""

from datetime import UTC, date, datetime, timedelta

from apps.reports.days import day_window, last_ended_day, local_date


def test_a_day_starts_at_the_stores_local_midnight():
    auckland = day_window(day=date(2026, 3, 10), timezone="Pacific/Auckland")
    los_angeles = day_window(day=date(2026, 3, 10), timezone="America/Los_Angeles")
    assert auckland.start == datetime(2026, 3, 9, 11, tzinfo=UTC)  # NZDT, +13
    assert auckland.end == datetime(2026, 3, 10, 11, tzinfo=UTC)
    assert los_angeles.start == datetime(2026, 3, 10, 7, tzinfo=UTC)  # PDT, -7
    assert los_angeles.end == datetime(2026, 3, 11, 7, tzinfo=UTC)


def test_daylight_saving_days_last_23_or_25_hours():
    spring = day_window(day=date(2026, 3, 8), timezone="America/Los_Angeles")
    autumn = day_window(day=date(2026, 11, 1), timezone="America/Los_Angeles")
    nz_autumn = day_window(day=date(2026, 4, 5), timezone="Pacific/Auckland")
    nz_spring = day_window(day=date(2026, 9, 27), timezone="Pacific/Auckland")
    assert spring.end - spring.start == timedelta(hours=23)
    assert autumn.end - autumn.start == timedelta(hours=25)
    assert nz_autumn.end - nz_autumn.start == timedelta(hours=25)
    assert nz_spring.end - nz_spring.start == timedelta(hours=23)


def test_a_day_whose_midnight_is_skipped_starts_at_the_jump():
    # Santiago moved its clocks from 00:00 to 01:00 on 2026-09-06.
    window = day_window(day=date(2026, 9, 6), timezone="America/Santiago")
    assert window.start == datetime(2026, 9, 6, 4, tzinfo=UTC)
    assert window.end - window.start == timedelta(hours=23)


def test_the_last_ended_day_is_the_local_yesterday():
    now = datetime(2026, 3, 10, 12, tzinfo=UTC)
    assert local_date(at=now, timezone="Pacific/Auckland") == date(2026, 3, 11)
    assert last_ended_day(now=now, timezone="Pacific/Auckland") == date(2026, 3, 10)
    assert last_ended_day(now=now, timezone="America/Los_Angeles") == date(2026, 3, 9)
