"""gunicorn configuration; every value can be overridden from the environment.

Sync workers suit a database-bound Django app: one request per process, one
persistent PostgreSQL connection per worker. Start with 2 x cores + 1 workers.
GUNICORN_THREADS above 1 makes gunicorn use its threaded worker; each thread then
holds its own database connection, so size DATABASE_POOL_MAX_SIZE and PostgreSQL's
max_connections for workers x threads per replica.
"""

import multiprocessing
import os
import sys
from typing import Any

from gunicorn.glogging import Logger as GunicornLogger

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "sync")
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
# The app is imported in each worker after the fork, never in the master: no
# database connection, connection pool or Redis socket exists before the fork, so
# none can be shared by two workers. (preload_app would import it in the master.)
preload_app = False
# Kill a worker stuck longer than this; keep it above the slowest legitimate request.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
# Recycle workers now and then so a slow leak cannot grow without bound.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "200"))
# Bounds on the request head, checked before Django sees the request: the request
# line (method, path and query), the number of header fields and the size of each.
# Over a bound, gunicorn answers 414 (request line) or 431 (header fields).
limit_request_line = int(os.environ.get("GUNICORN_LIMIT_REQUEST_LINE", "4094"))
limit_request_fields = int(os.environ.get("GUNICORN_LIMIT_REQUEST_FIELDS", "100"))
limit_request_field_size = int(
    os.environ.get("GUNICORN_LIMIT_REQUEST_FIELD_SIZE", "8190")
)

# --- Logging ----------------------------------------------------------------------
# The app writes its own JSON access line; gunicorn's would duplicate it.
accesslog = None


class Logger(GunicornLogger):
    """gunicorn's logger, without the access line the app writes itself.

    With a logging configuration (``logconfig_dict`` below) gunicorn builds
    every request's access-line fields, headers included, even to hand them to
    a handler that drops them: about 2 % of a worker's time on the order list
    under load (py-spy; docs/performance.md). Its other lines are unchanged.
    A logger class of one's own also means gunicorn no longer switches to its
    statsd logger when ``statsd_host`` is set; Orderly sends no statsd metrics.
    """

    def access(self, resp: Any, req: Any, environ: Any, request_time: Any) -> None:
        return None


logger_class = Logger
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# gunicorn's own lines (boot, worker exits, timeouts) are JSON too, in the shape of
# LOGGING in config/settings/base.py: `time` ISO 8601 in UTC, `level`, `name`,
# `message`. The master process never loads Django, so the formatter is repeated
# here (apps.core.logging imports no Django); apps/core/tests/test_logging.py
# keeps the two the same.
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "apps.core.logging.JsonLineFormatter",
            "fmt": "%(levelname)s %(name)s %(message)s",
            "rename_fields": {"levelname": "level"},
            "timestamp": "time",
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "stream": "ext://sys.stderr",
        },
        "null": {"class": "logging.NullHandler"},
    },
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {
        "gunicorn.error": {
            "handlers": ["console"],
            "level": loglevel.upper(),
            "propagate": False,
        },
        "gunicorn.access": {"handlers": ["null"], "propagate": False},
    },
}
# X-Forwarded-Proto (and the other secure scheme headers) are believed only from
# these addresses: the load balancer's, or "*" when only it can reach the port.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
# Spare the disk: heartbeat files live in memory inside containers.
worker_tmp_dir = os.environ.get("GUNICORN_WORKER_TMP_DIR", "/dev/shm")  # noqa: S108


def post_fork(server: Any, worker: Any) -> None:
    """Close any database connection a worker inherited from the master.

    With preload_app off the master never opens one, so this is a guard: if a
    hook or a setting ever imports the app and queries before the fork, each
    worker still starts with no connection shared with its siblings and opens
    its own on its first query. The master serves no request after the fork.
    """
    if "django.db" in sys.modules:
        from django.db import connections

        connections.close_all()
