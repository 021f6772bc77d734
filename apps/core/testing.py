"""Helpers for tests across apps (imported by tests only)."""

from collections.abc import Callable
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.test.utils import CaptureQueriesContext


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
