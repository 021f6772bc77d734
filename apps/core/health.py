"""Readiness checks: each returns ``None`` when healthy, else what is wrong."""

import uuid
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor


def check_database() -> str | None:
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return None


def check_cache() -> str | None:
    key = f"health:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=5)
    ok = cache.get(key) == "1"
    cache.delete(key)
    return None if ok else "the cache did not return what was written"


def check_broker() -> str | None:
    if settings.CELERY_BROKER_URL.startswith("memory://"):
        return None  # embedded default: tasks run in-process, no broker to reach
    from config.celery import app

    with app.connection_for_write(url=settings.CELERY_BROKER_URL) as connection:
        connection.ensure_connection(max_retries=1, timeout=2)
    return None


def check_migrations() -> str | None:
    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        return f"{len(plan)} unapplied migration(s)"
    return None


READINESS_CHECKS: dict[str, Callable[[], str | None]] = {
    "database": check_database,
    "cache": check_cache,
    "broker": check_broker,
    "migrations": check_migrations,
}


def run_readiness_checks() -> tuple[bool, dict[str, dict[str, str]]]:
    """Run every check; a check that raises counts as failed, not as a crash."""
    results: dict[str, dict[str, str]] = {}
    healthy = True
    for name, check in READINESS_CHECKS.items():
        try:
            problem = check()
        except Exception as exc:
            problem = f"{type(exc).__name__}: {exc}"
        if problem:
            healthy = False
            results[name] = {"status": "error", "detail": problem}
        else:
            results[name] = {"status": "ok"}
    return healthy, results
