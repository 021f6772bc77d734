"""A persistent connection's health check asks the server only when needed (ADR 0070).

The server ending a connection (here ``pg_terminate_backend``, as a restart
would) must still be noticed before the request's first query; a connection
used a moment ago with nothing to read costs no round trip; one idle for a
while, or inside a transaction, is asked.
"""

import select
import time

import pytest
from django.db import connections

from apps.core.db.postgresql.base import QUIET_SECONDS
from apps.core.testing import postgresql_session

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

connection = connections["default"]  # the wrapper itself, to patch its attributes


@pytest.fixture
def checked(monkeypatch):
    """The connection as a request finds it: just used, checks on, none done yet."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    monkeypatch.setattr(connection, "health_check_enabled", True)
    connection.health_check_done = False
    asked = []
    real = connection.is_usable

    def is_usable():
        asked.append(True)
        return real()

    monkeypatch.setattr(connection, "is_usable", is_usable)
    return asked


def _terminate(pid):
    with postgresql_session() as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])


def test_a_healthy_idle_connection_is_not_asked(checked):
    before = connection.connection
    connection.close_if_health_check_failed()
    assert checked == []
    assert connection.health_check_done
    assert connection.connection is before
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)


def test_a_connection_the_server_ended_is_replaced_before_the_first_query(checked):
    ended = connection.connection
    _terminate(ended.info.backend_pid)
    # Wait for the server's goodbye to reach the socket (without reading it).
    deadline = time.monotonic() + 5
    while not select.select([ended.fileno()], [], [], 0.05)[0]:
        assert time.monotonic() < deadline, "the server never closed it"
    connection.close_if_health_check_failed()
    assert checked == [True]  # the socket had something to say: asked
    assert connection.connection is None  # closed: the next query reconnects
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        assert cursor.fetchone()[0] != ended.info.backend_pid


def test_a_connection_idle_for_a_while_is_asked(checked, monkeypatch):
    # A peer that vanished without a word leaves nothing to read: only a
    # statement finds out. A connection not used for a while is asked.
    monkeypatch.setattr(connection, "_used_at", time.monotonic() - QUIET_SECONDS)
    connection.close_if_health_check_failed()
    assert checked == [True]
    assert connection.connection is not None  # it answered


def test_a_connection_inside_a_transaction_is_asked(checked):
    connection.connection.execute("BEGIN")
    try:
        connection.close_if_health_check_failed()
        assert checked == [True]
    finally:
        if connection.connection is not None:
            connection.connection.execute("ROLLBACK")
