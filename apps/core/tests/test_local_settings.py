"""Local settings are coherent for a newcomer who copies .env.example to .env."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


def _local_settings(**env: str) -> dict:
    """Load config.settings.local in a clean process and return a few values."""
    code = (
        "import json, django; from django.conf import settings; django.setup(); "
        "print(json.dumps({'eager': settings.CELERY_TASK_ALWAYS_EAGER, "
        "'broker': settings.CELERY_BROKER_URL, "
        "'cors': settings.CORS_ALLOWED_ORIGINS}))"
    )
    clean = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "CELERY_", "CORS_", "DATABASE_", "REDIS_"))
    }
    result = subprocess.run(  # noqa: S603 - fixed interpreter and code
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings.local", **env},
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("eager", ["false", "true", ""])
def test_the_in_memory_broker_always_runs_tasks_eagerly(eager):
    # memory:// has no worker behind it: a task sent there would vanish.
    values = (
        _local_settings(CELERY_TASK_ALWAYS_EAGER=eager)
        if eager
        else (_local_settings())
    )
    assert values["broker"].startswith("memory://")
    assert values["eager"] is True


def test_a_real_broker_sends_tasks_to_a_worker_unless_eager_is_asked_for():
    broker = "redis://127.0.0.1:6379/1"
    assert _local_settings(CELERY_BROKER_URL=broker)["eager"] is False
    assert (
        _local_settings(CELERY_BROKER_URL=broker, CELERY_TASK_ALWAYS_EAGER="true")[
            "eager"
        ]
        is True
    )


def test_local_cors_allows_the_usual_frontend_dev_servers():
    origins = _local_settings()["cors"]
    for origin in (
        "http://localhost:3000",
        "http://127.0.0.1:3000",
        "http://localhost:5173",
        "http://127.0.0.1:5173",
    ):
        assert origin in origins
    assert _local_settings(CORS_ALLOWED_ORIGINS="https://shop.example")["cors"] == [
        "https://shop.example"
    ]


def test_the_test_and_production_settings_allow_no_origin_by_default():
    from django.conf import settings

    assert settings.CORS_ALLOWED_ORIGINS == []


def test_copying_env_example_to_env_keeps_local_settings_coherent():
    values = {}
    for line in (ROOT / ".env.example").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip()
    settings = _local_settings(**values)
    # With the broker line left commented out, tasks must run in-process.
    assert settings["broker"].startswith("memory://")
    assert settings["eager"] is True
    assert "http://localhost:5173" in settings["cors"]
