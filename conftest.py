"""Fixtures shared by every app's tests."""

import os

import pytest
from django.core.cache import cache
from django.db import connection
from hypothesis import settings as hypothesis_settings
from rest_framework.test import APIClient

from apps.stores.tests.factories import MembershipFactory, StoreFactory
from apps.users.tests.factories import UserFactory

# Property tests check what is accepted, never how fast: a deadline would fail
# them on a busy machine (the first example also pays for lazy imports).
hypothesis_settings.register_profile("orderly", deadline=None)
hypothesis_settings.load_profile("orderly")


def pytest_collection_modifyitems(config, items):
    """Skip PostgreSQL-only and Redis-only tests on the embedded default."""
    from django.conf import settings

    missing = {
        "postgres": connection.vendor != "postgresql",
        "redis": not settings.REDIS_URL,
    }
    for marker, absent in missing.items():
        if not absent:
            continue
        skip = pytest.mark.skip(reason=f"needs {marker} (see README, Tests)")
        for item in items:
            if marker in item.keywords:
                item.add_marker(skip)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Every test starts with an empty cache (rate-limit counters included),
    and with no store id remembered by a worker (a slug may name another
    store in the next test)."""
    from apps.stores.selectors import store_ids_forget

    store_ids_forget()
    if hasattr(cache, "delete_pattern"):  # django-redis: only this run's prefix
        cache.delete_pattern("*")
    else:
        cache.clear()
    return


@pytest.fixture(autouse=True, scope="session")
def _expected_database(django_db_setup, django_db_blocker):
    """Fail loudly if CI meant PostgreSQL but the suite fell back to SQLite."""
    expected = os.environ.get("ORDERLY_EXPECT_DATABASE")
    if expected:
        with django_db_blocker.unblock():
            assert connection.vendor == expected, (
                f"tests run on {connection.vendor}, CI expected {expected}"
            )


@pytest.fixture
def clock():
    """Stop time at ``FROZEN_AT``; ``clock.move_to(moment)`` moves it (time-machine)."""
    import time_machine

    from apps.core.testing import FROZEN_AT

    with time_machine.travel(FROZEN_AT, tick=False) as traveller:
        yield traveller


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def auth_client():
    """Return a function giving an API client authenticated as a user (JWT)."""
    from apps.users.services import user_tokens_issue

    def make(user):
        client = APIClient()
        tokens = user_tokens_issue(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
        return client

    return make


@pytest.fixture
def store(db):
    return StoreFactory()


@pytest.fixture
def member_of(db):
    """Return a function making a user with a role in a store."""

    def make(store, role):
        return MembershipFactory(store=store, role=role).user

    return make


@pytest.fixture
def cache_down(settings):
    """Point the cache at a port where no Redis listens (changing CACHES
    rebuilds the cache handlers: Django's setting_changed)."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 0.5},
        }
    }


def _fresh_celery_pools(app):
    # Pools remember the broker they connect to; drop them all, as Celery does
    # after a fork, so the next publish (eager tasks acquire a producer too)
    # opens connections to the broker configured now.
    from kombu import pools

    pools.reset()
    app._after_fork()


@pytest.fixture
def broker_down(settings, monkeypatch):
    """Point Celery at a port where no broker listens, with eager mode off."""
    from config.celery import app

    # Celery reads CELERY_BROKER_URL from the environment before its own config.
    monkeypatch.setenv("CELERY_BROKER_URL", "redis://127.0.0.1:1/0")

    saved = {
        key: app.conf[key]
        for key in ("broker_url", "task_always_eager", "task_publish_retry")
    }
    app.conf.update(
        broker_url="redis://127.0.0.1:1/0",
        task_always_eager=False,
        task_publish_retry=False,
    )
    _fresh_celery_pools(app)
    yield
    app.conf.update(saved)
    _fresh_celery_pools(app)
