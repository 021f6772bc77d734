"""PostgreSQL through django-pg-zero-downtime-migrations (ADR 0055).

Django's PostgreSQL backend in every way but its schema editor (see
``schema.DatabaseSchemaEditor``), the health check of a persistent connection
and how a ``timestamptz`` is read (ADRs 0070 and 0075).
"""

import functools
import select
import time
from datetime import datetime, tzinfo
from typing import Any

from django.db.backends.postgresql.psycopg_any import BaseTzLoader
from django_zero_downtime_migrations.backends.postgres.base import (
    DatabaseWrapper as ZeroDowntimeDatabaseWrapper,
)
from psycopg import adapt, pq

from .schema import DatabaseSchemaEditor


class TimestamptzLoader(BaseTzLoader):
    """Django's ``timestamptz`` loader, parsing with ``datetime.fromisoformat``.

    Django reads every ``timestamptz`` with psycopg's loader written in
    Python (a subclass of it, to set the zone, cannot use psycopg's C one):
    about 2.4 us a value, 0.12 ms of a page of 25 orders. PostgreSQL writes
    them in ISO 8601 in the session's zone, which Django sets to its own, and
    the standard library's C parser reads that in a fraction of the time.
    The instant is converted to ``timezone`` (``astimezone``: in the hour a
    zone repeats when its clocks go back, the offset PostgreSQL wrote says
    which of the two it is), or, with no zone, kept as the session's wall
    time, as Django's loader does. Anything else (``infinity``, a year before
    1 or after 9999, another ``DateStyle``) goes to Django's loader, which
    reads or refuses it as before.
    """

    timezone: tzinfo | None = None

    def load(self, data: Any) -> datetime:
        try:
            value = datetime.fromisoformat(bytes(data).decode())
        except ValueError:
            value = None
        if value is None or value.tzinfo is None:
            return super().load(data)
        if self.timezone is None:
            return value.replace(tzinfo=None)
        return value.astimezone(self.timezone)


@functools.lru_cache
def _adapters_with_loader(
    template: adapt.AdaptersMap, zone: tzinfo | None
) -> adapt.AdaptersMap:
    """Django's adapters for a connection, reading ``timestamptz`` as above."""
    adapters = adapt.AdaptersMap(template)
    loader = type("TimestamptzLoader", (TimestamptzLoader,), {"timezone": zone})
    adapters.register_loader("timestamptz", loader)
    return adapters


# A connection that ran a statement less than this long ago, and has nothing
# to read, is not sent the health check's SELECT 1 (see the method).
QUIET_SECONDS = 1.0


class DatabaseWrapper(ZeroDowntimeDatabaseWrapper):
    SchemaEditorClass = DatabaseSchemaEditor
    health_check_done: bool  # set by Django's BaseDatabaseWrapper

    def get_connection_params(self) -> dict[str, Any]:
        params: dict[str, Any] = super().get_connection_params()
        if "context" in params:
            params["context"] = _adapters_with_loader(params["context"], self.timezone)
        return params

    def create_cursor(self, name: str | None = None) -> Any:
        self._used_at = time.monotonic()  # for the health check below
        return super().create_cursor(name)

    def close_if_health_check_failed(self) -> None:
        """Django's check (``SELECT 1``), skipped for a connection just used.

        With ``CONN_HEALTH_CHECKS`` Django sends ``SELECT 1`` before the first
        query of every request: a round trip, 0.085 ms of a 2.6 ms order list
        (docs/performance.md). The round trip is skipped only when the
        connection ran a statement less than ``QUIET_SECONDS`` ago, is outside
        a transaction, and its socket has nothing to read. A server that ends
        a connection (a restart, ``pg_terminate_backend``, an idle timeout)
        sends an error before closing it, which leaves data to read on a
        connection idle between requests; a peer that vanished without a word
        (a failover moving the address, a firewall forgetting an idle
        connection) shows nothing, and is caught by the ``SELECT 1`` that any
        connection idle for longer is still sent. A busy worker, whose
        requests follow each other within the second, skips it.
        """
        if (
            self.connection is not None
            and self.health_check_enabled
            and not self.health_check_done
            and time.monotonic() - getattr(self, "_used_at", 0.0) < QUIET_SECONDS
            and self._idle_and_quiet()
        ):
            self.health_check_done = True
            return
        super().close_if_health_check_failed()

    def _idle_and_quiet(self) -> bool:
        """Open, outside a transaction, with nothing sent by the server."""
        connection = self.connection
        try:
            if connection.closed or connection.info.transaction_status != (
                pq.TransactionStatus.IDLE
            ):
                return False
            readable, _, _ = select.select([connection.fileno()], [], [], 0)
        except (OSError, ValueError):
            return False
        return not readable
