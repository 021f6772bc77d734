"""What a report's day is: a calendar date in the store's own time zone.

A store's day D runs from local midnight of D (inclusive) to local midnight
of D + 1 (exclusive), converted to UTC once, so that the queries compare
stored UTC timestamps with two instants. The conversion goes through
``zoneinfo``: a day on which the clocks change is 23 or 25 hours long, and a
store in Pacific/Auckland closes its Monday almost a day before a store in
America/Los_Angeles does.

Where local midnight does not exist (a zone whose clocks jump forward at
midnight) the day starts at the jump; where it happens twice, at the first.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class DayWindow:
    """The instants [start, end) of one store-local day, in UTC."""

    date: date
    start: datetime
    end: datetime


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    """The instant (in UTC) at which ``day`` begins in ``zone``."""
    return datetime.combine(day, time.min, tzinfo=zone).astimezone(UTC)


def day_window(*, day: date, timezone: str) -> DayWindow:
    """The UTC window of ``day`` in the IANA ``timezone``."""
    zone = ZoneInfo(timezone)
    return DayWindow(
        date=day,
        start=local_midnight(day, zone),
        end=local_midnight(day + timedelta(days=1), zone),
    )


def local_date(*, at: datetime, timezone: str) -> date:
    """The calendar date in ``timezone`` at the instant ``at``."""
    return at.astimezone(ZoneInfo(timezone)).date()


def last_ended_day(*, now: datetime, timezone: str) -> date:
    """The latest store-local day that ended by ``now``: the local yesterday."""
    return local_date(at=now, timezone=timezone) - timedelta(days=1)
