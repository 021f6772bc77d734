"""Time one GET in-process through Orderly's WSGI handler and the floor's, interleaved.

    .venv/bin/python scripts/bench/inprocess.py /api/v1/stores/bench/products/
    .venv/bin/python scripts/bench/inprocess.py /api/v1/stores/bench/orders/ --auth

No server, no load generator, no sockets but the ones to PostgreSQL and
Redis: each application is called as gunicorn would call it (a WSGI environ,
the body joined), one request at a time, on the benchmark database with the
servers' environment. Rounds alternate between the two, so a change in the
machine's speed moves both. It prints milliseconds per request and their
ratio, the figure the in-process rows of docs/performance.md quote; what the
load test measures also includes the load generator and the kernel sharing
the machine's two cores.
"""

import argparse
import io
import logging
import os
import secrets
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parents[1]), str(HERE)]

from run import HOST, OWNER, base_env  # noqa: E402

App = Callable[[dict[str, Any], Callable[..., Any]], Any]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path")
    parser.add_argument("--auth", action="store_true", help="as the store's owner")
    parser.add_argument("--requests", type=int, default=2000, help="per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--database", default="orderly_bench")
    args = parser.parse_args()
    os.environ.update(base_env(args.database, secrets.token_urlsafe(50)))

    import django

    django.setup()
    import floor
    from django.core.wsgi import get_wsgi_application
    from rest_framework_simplejwt.tokens import AccessToken

    from apps.users.models import User

    logging.disable(logging.INFO)  # the access log would time the terminal
    path, _, query = args.path.partition("?")
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": HOST,
        "SERVER_PORT": "443",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": HOST,
        "HTTP_X_FORWARDED_PROTO": "https",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
    }
    if args.auth:
        token = AccessToken.for_user(User.objects.get(email=OWNER[0]))
        environ["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    apps: dict[str, App] = {
        "floor": floor.application,
        "orderly": get_wsgi_application(),
    }

    def call(app: App) -> str:
        status: list[str] = []
        body = app(
            {**environ, "wsgi.input": io.BytesIO(b"")},
            lambda s, headers, exc_info=None: status.append(s),
        )
        b"".join(body)
        getattr(body, "close", lambda: None)()
        return status[0]

    for name, app in apps.items():
        for _ in range(50):
            status = call(app)
        print(f"{name}: {status}")
    times: dict[str, list[float]] = {name: [] for name in apps}
    for _ in range(args.rounds):
        for name, app in apps.items():
            started = time.perf_counter()
            for _ in range(args.requests):
                call(app)
            times[name].append((time.perf_counter() - started) / args.requests * 1000)
    for name, values in times.items():
        shown = " ".join(f"{v:.3f}" for v in values)
        print(f"{name}: {statistics.median(values):.3f} ms per request ({shown})")
    ratio = statistics.median(times["floor"]) / statistics.median(times["orderly"])
    print(f"orderly / floor throughput: {ratio:.2f} x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
