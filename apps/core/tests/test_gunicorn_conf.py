"""config/gunicorn.conf.py: defaults, environment overrides, and the fork guard."""

import os
import runpy
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from gunicorn.config import Config

CONF = Path(settings.BASE_DIR) / "config" / "gunicorn.conf.py"


def load(monkeypatch: pytest.MonkeyPatch, **environ: str) -> dict:
    for name in list(os.environ):
        if name.startswith("GUNICORN_"):
            monkeypatch.delenv(name)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(CONF))


def gunicorn_accepts(conf: dict) -> Config:
    """Feed every setting to gunicorn's own validators, as `-c` does."""
    config = Config()
    for name, value in conf.items():
        if name in config.settings:
            config.set(name, value)
    return config


def test_defaults(monkeypatch):
    with mock.patch("multiprocessing.cpu_count", return_value=2):
        conf = load(monkeypatch)

    assert conf["bind"] == "0.0.0.0:8000"
    assert conf["workers"] == 5
    assert conf["threads"] == 1
    assert conf["worker_class"] == "sync"
    assert conf["preload_app"] is False
    assert conf["timeout"] == 30
    assert conf["graceful_timeout"] == 30
    assert conf["max_requests"] == 2000
    assert conf["max_requests_jitter"] == 200
    assert conf["forwarded_allow_ips"] == "127.0.0.1"
    assert conf["accesslog"] is None
    config = gunicorn_accepts(conf)
    assert config.workers == 5
    assert config.max_requests_jitter == 200
    assert config.logger_class is conf["Logger"]


def test_gunicorn_builds_no_access_line_but_logs_the_rest(monkeypatch):
    """Its access fields are never built (the app logs each request itself)."""
    conf = load(monkeypatch)
    config = gunicorn_accepts(conf)
    # Built without applying gunicorn's logging config to this test process.
    with mock.patch("gunicorn.glogging.dictConfig") as configured:
        logger = config.logger_class(config)
    configured.assert_called_once()
    assert logger.access_log_enabled  # a logging config: gunicorn would build them
    with (
        mock.patch.object(logger, "atoms") as atoms,
        mock.patch.object(logger.access_log, "info") as written,
    ):
        logger.access(mock.Mock(), mock.Mock(), {}, mock.Mock())
    atoms.assert_not_called()
    written.assert_not_called()
    with mock.patch.object(logger.error_log, "warning") as warned:
        logger.warning("worker %s timed out", 7)
    warned.assert_called_once_with("worker %s timed out", 7)


def test_environment_overrides(monkeypatch):
    conf = load(
        monkeypatch,
        GUNICORN_BIND="127.0.0.1:18555",
        GUNICORN_WORKERS="3",
        GUNICORN_THREADS="4",
        GUNICORN_TIMEOUT="60",
        GUNICORN_MAX_REQUESTS="500",
        GUNICORN_MAX_REQUESTS_JITTER="50",
        GUNICORN_FORWARDED_ALLOW_IPS="10.0.0.5,10.0.0.6",
    )

    config = gunicorn_accepts(conf)
    assert config.address == [("127.0.0.1", 18555)]
    assert config.workers == 3
    assert config.threads == 4
    assert config.timeout == 60
    assert config.max_requests == 500
    assert config.max_requests_jitter == 50
    assert config.forwarded_allow_ips == ["10.0.0.5", "10.0.0.6"]


def test_a_number_that_is_not_one_stops_the_start(monkeypatch):
    with pytest.raises(ValueError, match="many"):
        load(monkeypatch, GUNICORN_WORKERS="many")


def test_post_fork_closes_connections_inherited_from_the_master(monkeypatch):
    conf = load(monkeypatch)
    gunicorn_accepts(conf)  # post_fork has the signature gunicorn checks

    with mock.patch("django.db.connections.close_all") as close_all:
        conf["post_fork"](server=None, worker=None)

    close_all.assert_called_once_with()
