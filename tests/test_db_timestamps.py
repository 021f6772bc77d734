"""Orderly's ``timestamptz`` loaders read what Django's reads (ADRs 0070, 0075).

The loaders are run on the same values from PostgreSQL, in UTC and in a zone
with daylight saving time (the hour it repeats included); what they read,
with its zone and offset, or refuse, must be the same. In UTC, the zone of
every connection with ``USE_TZ``, the hot pages read with psycopg's own
loader (in C, ``read_timestamps_in_c``), so it is held to Django's answers
there too.
"""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import psycopg
import pytest
from django.db import connection
from django.db.backends.postgresql.psycopg_any import BaseTzLoader, register_tzloader
from psycopg.types.datetime import TimestamptzLoader as PsycopgTimestamptzLoader

from apps.core.db.cursors import read_timestamps_in_c
from apps.core.db.postgresql.base import TimestamptzLoader
from apps.core.testing import postgresql_session

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

VALUES = [
    "2026-11-23 15:11:15.123456+00",
    "2026-11-23 15:11:15+00",
    "2026-03-29 01:30:00.5+00",  # Paris moves its clocks at 01:00 UTC that day
    "2026-10-25 00:59:59.999999+00",
    "2026-10-25 01:30:00+00",  # Paris's second 02:30 that day (clocks went back)
    "0001-01-01 00:00:00+00",
    "9999-12-31 23:59:59.999999+00",
]
REFUSED = ["infinity", "-infinity", "0044-03-15 12:00:00+00 BC"]


def _session(zone_name):
    session = postgresql_session()
    session.execute(f"SET TIME ZONE '{zone_name}'")
    return session


def _read(session, value, loader_for):
    loader_for(session)
    return session.execute("SELECT %s::timestamptz", [value]).fetchone()[0]


def _outcome(session, value, loader_for):
    """What the loader read, with its zone and offset, or the error it raised."""
    try:
        read = _read(session, value, loader_for)
    except psycopg.DataError as error:
        return ("refused", str(error))
    return (read, read.tzinfo, read.utcoffset())


def _django(zone):
    return lambda session: register_tzloader(zone, session)


def _orderly(zone):
    def register(session):
        loader = type("Loader", (TimestamptzLoader,), {"timezone": zone})
        session.adapters.register_loader("timestamptz", loader)

    return register


def _psycopg(session):
    # Registered by its Python name, psycopg uses its C version (as the site).
    session.adapters.register_loader("timestamptz", PsycopgTimestamptzLoader)


@pytest.mark.parametrize(("zone_name", "zone"), [("UTC", UTC), ("Europe/Paris", None)])
def test_every_value_is_read_as_djangos_loader_reads_it(zone_name, zone):
    zone = zone or ZoneInfo(zone_name)
    ours = [_orderly(zone), _psycopg] if zone is UTC else [_orderly(zone)]
    with _session(zone_name) as session:
        outcomes = []
        for value in VALUES:
            theirs = _outcome(session, value, _django(zone))
            for loader_for in ours:
                assert _outcome(session, value, loader_for) == theirs, value
            outcomes.append(theirs[0])
        # Year 9999's last second is year 10000 in Paris: refused by both.
        assert outcomes.count("refused") == (1 if zone_name == "Europe/Paris" else 0)


def test_a_value_python_cannot_hold_is_refused_as_django_refuses_it():
    with _session("UTC") as session:
        for value in REFUSED:
            errors = []
            for loader_for in (_django(UTC), _orderly(UTC), _psycopg):
                with pytest.raises(psycopg.DataError) as error:
                    _read(session, value, loader_for)
                errors.append(str(error.value))
            assert errors[0] == errors[1] == errors[2]


def test_the_sites_connections_use_it():
    connection.ensure_connection()
    loader = connection.connection.adapters.get_loader(
        psycopg.adapters.types["timestamptz"].oid, psycopg.pq.Format.TEXT
    )
    assert issubclass(loader, TimestamptzLoader)
    assert loader.timezone is connection.timezone
    with connection.cursor() as cursor:
        cursor.execute("SELECT '2026-11-23 15:11:15.5+00'::timestamptz")
        assert cursor.fetchone()[0] == datetime(2026, 11, 23, 15, 11, 15, 500000, UTC)


def _read_on_a_hot_cursor():
    with connection.cursor() as cursor:
        read_timestamps_in_c(cursor)
        loader = cursor.cursor.adapters.get_loader(
            psycopg.adapters.types["timestamptz"].oid, psycopg.pq.Format.TEXT
        )
        cursor.execute("SELECT '2026-11-23 17:11:15.5+02'::timestamptz")
        return loader, cursor.fetchone()[0]


def test_a_hot_pages_cursor_reads_with_psycopgs_loader_in_c():
    loader, read = _read_on_a_hot_cursor()
    assert loader.__module__.endswith("._psycopg")  # psycopg_binary's or psycopg_c's
    assert loader.__name__ == "TimestamptzLoader"
    assert read == datetime(2026, 11, 23, 15, 11, 15, 500000, UTC)
    assert read.tzinfo is UTC  # as Django's loader gives it


def test_without_time_zones_a_hot_pages_cursor_reads_as_django_does(settings):
    settings.USE_TZ = False  # the connection has no zone now; its session, UTC
    loader, read = _read_on_a_hot_cursor()
    assert issubclass(loader, BaseTzLoader)  # what Django's cursor registered
    assert loader.timezone is None
    assert read == datetime(2026, 11, 23, 15, 11, 15, 500000, UTC).replace(tzinfo=None)
