"""PostgreSQL through django-pg-zero-downtime-migrations (ADR 0055).

Django's PostgreSQL backend in every way but its schema editor (see
``schema.DatabaseSchemaEditor``), the health check of a persistent connection
and how a ``timestamptz`` is read (ADR 0070).
"""

import functools
import select
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
    the standard library's C parser reads that in a fraction of the time,
    with the same result: the session's wall time, in ``timezone``. Anything
    else (``infinity``, a year before 1 or after 9999, another ``DateStyle``)
    goes to Django's loader, which reads or refuses it as before.
    """

    timezone: tzinfo | None = None

    def load(self, data: Any) -> datetime:
        try:
            value = datetime.fromisoformat(bytes(data).decode())
        except ValueError:
            value = None
        if value is None or value.tzinfo is None:
            return super().load(data)
        return value.replace(tzinfo=self.timezone)


@functools.lru_cache
def _adapters_with_loader(
    template: adapt.AdaptersMap, zone: tzinfo | None
) -> adapt.AdaptersMap:
    """Django's adapters for a connection, reading ``timestamptz`` as above."""
    adapters = adapt.AdaptersMap(template)
    loader = type("TimestamptzLoader", (TimestamptzLoader,), {"timezone": zone})
    adapters.register_loader("timestamptz", loader)
    return adapters


class DatabaseWrapper(ZeroDowntimeDatabaseWrapper):
    SchemaEditorClass = DatabaseSchemaEditor
    health_check_done: bool  # set by Django's BaseDatabaseWrapper

    def get_connection_params(self) -> dict[str, Any]:
        params: dict[str, Any] = super().get_connection_params()
        if "context" in params:
            params["context"] = _adapters_with_loader(params["context"], self.timezone)
        return params

    def close_if_health_check_failed(self) -> None:
        """Django's check (``SELECT 1``), sent only when the socket says to.

        With ``CONN_HEALTH_CHECKS`` Django sends ``SELECT 1`` before the first
        query of every request: a round trip, 0.085 ms of a 2.6 ms order list
        (docs/performance.md). A server that ends a connection -- a restart,
        a failover, ``pg_terminate_backend`` or an idle timeout -- sends an
        error and closes it, which leaves data to read on a connection idle
        between requests, where nothing else can be waiting. So the round trip
        is made only when there is something to read, the connection is not
        idle, or it is closed; a connection with nothing to read and nothing
        open is taken as it stands, as Django takes one without health checks.
        """
        if (
            self.connection is not None
            and self.health_check_enabled
            and not self.health_check_done
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
