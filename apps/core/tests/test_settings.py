"""Production refuses to start half-configured; PostgreSQL sessions are bounded.

Each production case starts a fresh interpreter with a controlled environment,
as a container would, and runs `django.setup()`.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

REQUIRED = [
    "DJANGO_SECRET_KEY",
    "DJANGO_ALLOWED_HOSTS",
    "DATABASE_URL",
    "REDIS_URL",
    "CELERY_BROKER_URL",
    "DJANGO_ADMIN_URL",
]
# Every required variable set; nothing here is ever connected to.
COMPLETE = {
    "DJANGO_SECRET_KEY": "test-only-production-key-0123456789abcdefghijklmnopqrstuvwxy",
    "DJANGO_ALLOWED_HOSTS": "orderly.example.com",
    "DATABASE_URL": "postgres://orderly@db.invalid:5432/orderly",
    "REDIS_URL": "redis://cache.invalid:6379/0",
    "CELERY_BROKER_URL": "redis://broker.invalid:6379/1",
    "DJANGO_ADMIN_URL": "staff-only/",
}
SETUP_AND_REPORT = (
    "import json, django; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({'eager': s.CELERY_TASK_ALWAYS_EAGER, "
    "'options': s.DATABASES['default']['OPTIONS']['options'], "
    "'conn_max_age': s.DATABASES['default']['CONN_MAX_AGE'], "
    "'cors': s.CORS_ALLOWED_ORIGINS}))"
)


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """Return a copy of the project that no `.env` file can reach.

    base.py reads `BASE_DIR/.env`, and BASE_DIR follows the settings files: with
    `config/` copied elsewhere, a developer's `.env` cannot supply a variable
    that a test leaves out. The apps are linked, not copied.
    """
    root = tmp_path_factory.mktemp("project")
    shutil.copytree(
        Path(settings.BASE_DIR) / "config",
        root / "config",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    (root / "apps").symlink_to(Path(settings.BASE_DIR) / "apps")
    return root


def start_production(
    project: Path, code: str = SETUP_AND_REPORT, **variables: str | None
):
    """Run `django.setup()` with the production settings and these variables."""
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONDONTWRITEBYTECODE": "1",
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        **COMPLETE,
        **variables,
    }
    return subprocess.run(  # noqa: S603 - fixed interpreter and code
        [sys.executable, "-c", code],
        cwd=project,
        env={name: value for name, value in environment.items() if value is not None},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize("name", REQUIRED)
def test_production_refuses_to_start_without_a_required_variable(project, name):
    result = start_production(project, **{name: None})
    assert result.returncode != 0
    assert f"ImproperlyConfigured: Set the {name} environment variable" in (
        result.stderr
    )


@pytest.mark.parametrize("name", ["DJANGO_SECRET_KEY", "DATABASE_URL"])
def test_production_refuses_an_empty_required_variable(project, name):
    result = start_production(project, **{name: ""})
    assert result.returncode != 0
    assert f"ImproperlyConfigured: Set the {name} environment variable" in (
        result.stderr
    )


def test_production_refuses_a_database_other_than_postgresql(project):
    result = start_production(project, DATABASE_URL="sqlite:////tmp/orderly.sqlite3")
    assert result.returncode != 0
    assert "DATABASE_URL must point at PostgreSQL" in result.stderr


def test_production_refuses_the_in_memory_broker(project):
    result = start_production(project, CELERY_BROKER_URL="memory://")
    assert result.returncode != 0
    assert "CELERY_BROKER_URL must name a real broker" in result.stderr


def test_production_starts_fully_configured_and_never_runs_tasks_eagerly(project):
    result = start_production(project, CELERY_TASK_ALWAYS_EAGER="true")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["eager"] is False
    # Connections are reused, and every session gets the default bounds.
    assert report["conn_max_age"] == 60
    assert report["options"] == "-c statement_timeout=30000 -c lock_timeout=5000"


def test_production_takes_the_cors_allow_list_from_the_environment_only(project):
    alone = start_production(project)
    assert alone.returncode == 0, alone.stderr
    assert json.loads(alone.stdout)["cors"] == []  # no browser origin by default
    listed = start_production(
        project, CORS_ALLOWED_ORIGINS="https://shop.example,https://admin.example"
    )
    assert json.loads(listed.stdout)["cors"] == [
        "https://shop.example",
        "https://admin.example",
    ]


def test_timeouts_come_from_the_environment_after_any_url_options(project):
    result = start_production(
        project,
        DATABASE_URL="postgres://orderly@db.invalid:5432/orderly?options=-c%20work_mem%3D8MB",
        DATABASE_STATEMENT_TIMEOUT="120000",
        DATABASE_LOCK_TIMEOUT="1000",
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["options"] == (
        "-c work_mem=8MB -c statement_timeout=120000 -c lock_timeout=1000"
    )


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgresql_sessions_carry_the_configured_timeouts():
    # pg_settings gives both in milliseconds, where SHOW would print "30s".
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, setting, unit FROM pg_settings"
            " WHERE name IN ('statement_timeout', 'lock_timeout')"
        )
        timeouts = {name: (int(setting), unit) for name, setting, unit in cursor}
    assert timeouts == {
        "statement_timeout": (settings.DATABASE_STATEMENT_TIMEOUT, "ms"),
        "lock_timeout": (settings.DATABASE_LOCK_TIMEOUT, "ms"),
    }


SENTRY_REPORT = (
    "import json, django, sentry_sdk; django.setup(); "
    "client = sentry_sdk.get_client(); o = client.options; "
    "print(json.dumps({'active': client.is_active(), 'dsn': o['dsn'], "
    "'environment': o['environment'], 'release': o['release'], "
    "'pii': o['send_default_pii'], "
    "'integrations': sorted(client.integrations)}))"
)


def test_sentry_stays_off_without_a_dsn(project):
    result = start_production(project, code=SENTRY_REPORT, SENTRY_DSN=None)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["active"] is False


def test_sentry_starts_with_a_dsn_environment_and_release_and_no_personal_data(
    project,
):
    # sentry_sdk.init only parses the DSN; nothing is sent until an event occurs.
    result = start_production(
        project,
        code=SENTRY_REPORT,
        SENTRY_DSN="https://public@sentry.invalid/1",
        SENTRY_ENVIRONMENT="staging",
        SENTRY_RELEASE="orderly@1.2.3",
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["active"] is True
    assert report["dsn"] == "https://public@sentry.invalid/1"
    assert report["environment"] == "staging"
    assert report["release"] == "orderly@1.2.3"
    assert report["pii"] is False
    assert {"django", "celery", "redis"} <= set(report["integrations"])


PREPARED = (
    "import json, django; django.setup(); from django.conf import settings as s; "
    "o = s.DATABASES['default']['OPTIONS']; "
    "print(json.dumps([o.get('server_side_binding'), o.get('prepare_threshold')]))"
)


@pytest.mark.parametrize(
    ("variables", "expected"),
    [
        ({}, [True, 5]),
        ({"DATABASE_PREPARE_THRESHOLD": "2"}, [True, 2]),
        ({"DATABASE_POOL": "true"}, [True, 5]),
        ({"DATABASE_PREPARED_STATEMENTS": "false"}, [None, None]),
    ],
)
def test_statements_are_prepared_on_the_server_unless_turned_off(
    project, variables, expected
):
    result = start_production(project, code=PREPARED, **variables)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == expected
