"""Readiness checks: each returns ``None`` when healthy, else what is wrong.

What is wrong goes to the log only. The public answer says ``ok`` or
``error`` per check: a driver's message can name hosts, ports and databases,
and ``/health/ready/`` answers anyone who can reach it.

Probes are frequent (every few seconds from an orchestrator), so each check
is cheap: one ``SELECT 1``, one cache round trip, one broker connection, and
the migration plan is read from disk only until it has once been found
complete -- migrations are applied before a release starts, never during its
life.
"""

import logging
import uuid
from collections.abc import Callable

from celery import current_app
from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor

logger = logging.getLogger(__name__)


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
    with current_app.connection_for_write(url=settings.CELERY_BROKER_URL) as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
    return None


class MigrationCheck:
    """Unapplied migrations, read from disk until the plan is once found empty."""

    def __init__(self) -> None:
        self.passed = False

    def __call__(self) -> str | None:
        if self.passed:
            return None
        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if plan:
            return f"{len(plan)} unapplied migration(s)"
        self.passed = True
        return None


check_migrations = MigrationCheck()

READINESS_CHECKS: dict[str, Callable[[], str | None]] = {
    "database": check_database,
    "cache": check_cache,
    "broker": check_broker,
    "migrations": check_migrations,
}


def run_readiness_checks() -> tuple[bool, dict[str, str]]:
    """Run every check: ``(healthy, {name: "ok" | "error"})``; details are logged.

    A check that raises counts as failed, not as a crash.
    """
    results: dict[str, str] = {}
    for name, check in READINESS_CHECKS.items():
        try:
            problem = check()
        except Exception as exc:
            problem = f"{type(exc).__name__}: {exc}"
        if problem:
            logger.warning(
                "readiness check failed", extra={"check": name, "problem": problem}
            )
        results[name] = "error" if problem else "ok"
    return all(state == "ok" for state in results.values()), results
