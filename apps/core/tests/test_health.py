import logging

import pytest


def test_live_answers_without_touching_anything(client):
    response = client.get("/health/live/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_ready_checks_database_cache_broker_and_migrations(client):
    response = client.get("/health/ready/")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"] == {
        "database": "ok",
        "cache": "ok",
        "broker": "ok",
        "migrations": "ok",
    }


@pytest.mark.django_db
def test_ready_is_503_when_the_cache_is_unreachable(client, cache_down):
    response = client.get("/health/ready/")
    assert response.status_code == 503
    body = response.json()
    assert body["checks"]["cache"] == "error"
    assert body["checks"]["database"] == "ok"


@pytest.mark.django_db
def test_ready_is_503_when_the_broker_is_unreachable(client, settings, caplog):
    settings.CELERY_BROKER_URL = "redis://secret-broker-host.invalid:6379/0"
    with caplog.at_level(logging.WARNING, logger="apps.core.health"):
        response = client.get("/health/ready/")
    assert response.status_code == 503
    assert response.json() == {
        "status": "error",
        "checks": {
            "database": "ok",
            "cache": "ok",
            "broker": "error",
            "migrations": "ok",
        },
    }
    # The reason is logged for operators, never shown to the caller.
    assert b"secret-broker-host" not in response.content
    logged = [r for r in caplog.records if getattr(r, "check", None) == "broker"]
    assert logged
    assert "secret-broker-host" in logged[0].problem


@pytest.mark.django_db
def test_the_migration_plan_is_read_only_until_it_is_once_complete(client, monkeypatch):
    from apps.core import health

    reads = []
    real = health.MigrationExecutor

    def counting(*args, **kwargs):
        reads.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(health, "check_migrations", health.MigrationCheck())
    monkeypatch.setitem(health.READINESS_CHECKS, "migrations", health.check_migrations)
    monkeypatch.setattr(health, "MigrationExecutor", counting)
    for _ in range(5):
        assert client.get("/health/ready/").status_code == 200
    assert len(reads) == 1


@pytest.mark.django_db
def test_unapplied_migrations_keep_the_probe_failing(client, monkeypatch):
    from apps.core import health

    class Pending:
        def __init__(self, connection):
            self.loader = type("Loader", (), {"graph": self})()

        def leaf_nodes(self):
            return []

        def migration_plan(self, targets):
            return [("products", "9999_pending")]

    monkeypatch.setattr(health, "check_migrations", health.MigrationCheck())
    monkeypatch.setitem(health.READINESS_CHECKS, "migrations", health.check_migrations)
    monkeypatch.setattr(health, "MigrationExecutor", Pending)
    for _ in range(2):
        response = client.get("/health/ready/")
        assert response.status_code == 503
        assert response.json()["checks"]["migrations"] == "error"
