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
