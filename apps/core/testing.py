"""Helpers for tests across apps (imported by tests only)."""

import hashlib
import os
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.core.mail import EmailMessage
from django.core.mail.backends import filebased
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model
from django.test.utils import CaptureQueriesContext

from .preconditions import IfMatch

# Where the ``clock`` fixture (conftest.py) stops time: a Monday morning, UTC.
FROZEN_AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def count_queries(func: Callable[[], Any]) -> tuple[int, Any]:
    """Run ``func`` and return (number of SQL queries it ran, its result)."""
    with CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as context:
        result = func()
    return len(context.captured_queries), result


def assert_request_queries(
    client: Any, url: str, *, expected: int, status: int = 200, **extra: Any
) -> Any:
    """GET ``url`` and assert it answers ``status`` with exactly ``expected`` queries.

    Pinning the count (not an upper bound) makes any new query a visible change,
    and calling it with small and large data sets shows it does not grow.
    """
    with CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as context:
        response = client.get(url, **extra)
    assert response.status_code == status, response.content  # noqa: S101
    queries = [q["sql"] for q in context.captured_queries]
    assert len(queries) == expected, (  # noqa: S101
        f"{url} ran {len(queries)} queries, expected {expected}:\n" + "\n".join(queries)
    )
    return response


# --- Tenancy matrix ------------------------------------------------------------
# Every app lists its store-scoped endpoints in ``<app>/tests/tenancy.py`` as
# ``ENDPOINTS`` (method, route, body factory or None, expected status per role)
# and adds the objects its routes need in ``build(world)``; the cross-app test
# in tests/test_tenancy_matrix.py runs them all and checks nothing is left out.

ROLES = ("owner", "manager", "staff", "shopper", "outsider", "anonymous")


def expect(
    *, owner: int, manager: int, staff: int, shopper: int, outsider: int, anonymous: int
) -> dict[str, int]:
    """Expected status per role (shopper: customer of the store, not a member)."""
    return {
        "owner": owner,
        "manager": manager,
        "staff": staff,
        "shopper": shopper,
        "outsider": outsider,
        "anonymous": anonymous,
    }


def members_only(owner: int, manager: int = 403, staff: int = 403) -> dict[str, int]:
    """An endpoint for store members: everyone else is told it does not exist."""
    return expect(
        owner=owner,
        manager=manager,
        staff=staff,
        shopper=404,
        outsider=404,
        anonymous=401,
    )


def if_match_on(attribute: str, seen: Any) -> IfMatch:
    """An If-Match that holds while the locked row's ``attribute`` is still ``seen``.

    Service tests use it in place of a view's tag (the hash of the item's
    representation): the service must compare it with the row as it stands
    under its lock, not with the copy it was handed.
    """

    def tag(value: Any) -> str:
        return '"' + hashlib.sha256(str(value).encode()).hexdigest()[:32] + '"'

    return IfMatch(header=tag(seen), tag_of=lambda row: tag(getattr(row, attribute)))


def assert_if_match_guards(
    item: Model, attribute: str, write: Callable[[IfMatch], Any]
) -> None:
    """Check a service's ``if_match`` against the row it locks, both ways.

    ``attribute`` changes behind the caller's back: ``write`` with the tag of
    what the caller read is refused and the row stays as it was; ``write``
    with the tag of the row as it now stands goes through.
    """
    from .exceptions import PreconditionFailed

    model = type(item)
    rows = model._default_manager.filter(pk=item.pk)
    seen = getattr(item, attribute)
    rows.update(**{attribute: f"{seen}-changed"})
    before = rows.values().get()
    try:
        write(if_match_on(attribute, seen))  # the caller's copy still says ``seen``
    except PreconditionFailed:
        pass
    else:
        raise AssertionError("a stale If-Match was not refused")
    assert rows.values().get() == before, "a refused write changed the row"  # noqa: S101
    write(if_match_on(attribute, f"{seen}-changed"))
    assert rows.values().first() != before, "the write did nothing"  # noqa: S101


def run_concurrently(*functions: Callable[[], Any]) -> list[str]:
    """Start the functions in threads at the same moment and return their outcomes.

    Each outcome is ``"ok"``, the ``code`` of an ``ApplicationError``, or the repr
    of any other exception. Every thread has its own database connection, so on
    PostgreSQL the calls really race for row locks and unique indexes.
    """
    import threading

    from django.db import connection

    from .exceptions import ApplicationError

    barrier = threading.Barrier(len(functions))
    outcomes = ["not run"] * len(functions)

    def runner(index: int, function: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            function()
            outcomes[index] = "ok"
        except ApplicationError as exc:
            outcomes[index] = exc.code
        except Exception as exc:
            outcomes[index] = repr(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=runner, args=(i, f)) for i, f in enumerate(functions)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


@contextmanager
def outbox_handler(kind: str, handler: Callable[[Any], None]) -> Iterator[None]:
    """Register ``handler`` for ``kind`` while the block runs (any earlier one after).

    Tests need kinds of their own; production code registers once, in ``ready()``.
    """
    from . import outbox

    previous = outbox._handlers.pop(kind, None)
    outbox.outbox_register(kind=kind, handler=handler)
    try:
        yield
    finally:
        outbox._handlers.pop(kind, None)
        if previous is not None:
            outbox._handlers[kind] = previous


class GatedFileEmailBackend(filebased.EmailBackend):
    """The file email backend, held at a gate: for tests that run real workers.

    While a file named ``gate`` exists in ``EMAIL_FILE_PATH``, sending waits,
    after writing ``waiting-<pid>`` there, so that a test can kill the process
    in the middle of a delivery. Each sent email is one ``*.log`` file.
    """

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        folder = Path(self.file_path)  # type: ignore[attr-defined]
        if (folder / "gate").exists():
            (folder / f"waiting-{os.getpid()}").touch()
            while (folder / "gate").exists():
                time.sleep(0.05)
        return super().send_messages(email_messages)


def record_redis_commands(monkeypatch: Any) -> list[str]:
    """From now on, the name of each command sent to the cache's Redis.

    Recorded where a connection sends a command (``send_command``), so the
    commands the rate-limit counters send on their own connection
    (``apps.core.ratelimit``) count too. A connection opened meanwhile adds
    its handshake (``CLIENT``, ``SELECT``...); pipelines are not recorded.
    """
    from django.core.cache import caches

    client = caches["default"].client.get_client(write=True)  # type: ignore[attr-defined]
    connection_class = client.connection_pool.connection_class
    sent: list[str] = []
    real = connection_class.send_command

    def record(self: Any, *args: Any, **kwargs: Any) -> Any:
        sent.append(args[0])
        return real(self, *args, **kwargs)

    monkeypatch.setattr(connection_class, "send_command", record)
    return sent


def postgresql_session(**options: Any) -> Any:
    """A psycopg connection of its own to the test database (PostgreSQL), autocommit.

    For a test that needs a second session beside Django's: to end Django's
    connection from outside, or to read with loaders of its own.
    """
    import psycopg

    settings = connections[DEFAULT_DB_ALIAS].settings_dict
    return psycopg.connect(
        host=settings["HOST"],
        port=settings["PORT"] or 5432,
        user=settings["USER"],
        password=settings["PASSWORD"],
        dbname=settings["NAME"],
        autocommit=True,
        **options,
    )
