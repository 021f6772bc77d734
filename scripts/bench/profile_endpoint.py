"""Profile one endpoint in-process with cProfile, on the benchmark database.

    .venv/bin/python scripts/bench/profile_endpoint.py /api/v1/stores/bench/orders/ \\
        --auth
    .venv/bin/python scripts/bench/profile_endpoint.py /api/v1/stores/bench/products/
    .venv/bin/python scripts/bench/profile_endpoint.py /api/v1/stores/bench/orders/ \\
        --place --requests 200

The environment is the one ``make bench`` gives its servers (production
settings, PostgreSQL and Redis on 127.0.0.1); the request goes through
Django's test client as the bench store's owner (``--auth``) or anonymously,
a few dozen times to warm up, then ``--requests`` times under cProfile. It
prints the mean time per request, how much of it this process spent on the
CPU (the rest is waiting: on PostgreSQL and Redis, or for a core on a busy
machine), and the top of the profile. ``--place`` posts orders instead,
each for two of the benchmark's hot products, whose
stock ``probe.py prepare`` tops up through the ledger first (stock changed
any other way would show as ledger drift in the next ``make bench``).
"""

import argparse
import cProfile
import json
import os
import pstats
import secrets
import sys
import time
import uuid
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parents[1]), str(HERE)]

from run import OWNER, base_env, place_body  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path")
    parser.add_argument("--auth", action="store_true", help="as the store's owner")
    parser.add_argument(
        "--place", action="store_true", help="POST orders (as the owner) to PATH"
    )
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--sort", default="cumtime", help="a pstats sort key")
    parser.add_argument("--database", default="orderly_bench")
    parser.add_argument("--limit", default="30", help="rows to print, or a regex")
    parser.add_argument("--callers", help="print the callers of matching functions")
    parser.add_argument("--dump", help="also write the profile to this file (pstats)")
    args = parser.parse_args()
    os.environ.update(base_env(args.database, secrets.token_urlsafe(50)))

    import django

    django.setup()
    import logging

    from django.test import Client
    from rest_framework_simplejwt.tokens import AccessToken

    from apps.users.models import User

    logging.disable(logging.INFO)  # the access log would time the terminal
    client = Client(HTTP_HOST="orderly.bench.test", HTTP_X_FORWARDED_PROTO="https")
    headers = {}
    if args.auth or args.place:
        token = AccessToken.for_user(User.objects.get(email=OWNER[0]))
        headers["Authorization"] = f"Bearer {token}"

    def send(i: int) -> Any:
        return client.get(args.path, headers=headers)

    if args.place:
        from probe import prepare

        fixtures = prepare()
        hot = fixtures["hot"]["orderly"]

        def send(i: int) -> Any:
            chosen = sorted({hot[i % len(hot)], hot[(i + 3) % len(hot)]})
            body = {
                **place_body(fixtures, chosen[0]),
                "lines": [{"product": p, "quantity": 1} for p in chosen],
            }
            return client.post(
                args.path,
                json.dumps(body),
                content_type="application/json",
                headers={**headers, "Idempotency-Key": uuid.uuid4().hex},
            )

    for i in range(30):
        send(i)
    started, cpu_started = time.perf_counter(), time.process_time()
    for i in range(args.requests):
        send(i)
    plain = (time.perf_counter() - started) / args.requests
    cpu = (time.process_time() - cpu_started) / args.requests
    profile = cProfile.Profile()
    profile.enable()
    for i in range(args.requests):
        response = send(i)
    profile.disable()
    print(
        f"{response.status_code}: {plain * 1000:.2f} ms per request unprofiled, "
        f"{cpu * 1000:.2f} ms of it on this process's CPU"
    )
    if args.dump:
        profile.dump_stats(args.dump)
    stats = pstats.Stats(profile).sort_stats(args.sort)
    stats.print_stats(int(args.limit) if args.limit.isdigit() else args.limit)
    if args.callers:
        stats.print_callers(args.callers)
    return 0


if __name__ == "__main__":
    sys.exit(main())
