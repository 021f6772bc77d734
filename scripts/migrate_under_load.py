"""Prove that a migration is safe under traffic: apply it while the app serves.

    .venv/bin/python scripts/migrate_under_load.py

What it does, on a scratch PostgreSQL database and two Redis databases of its own:

1. Migrates the database (production settings, the zero-downtime backend), loads
   the demo data, adds ``--orders`` orders, then takes the worked example of
   docs/migrations.md back to its expand step (``orders.0003``) and empties the
   counts, as they were before the backfill.
2. Serves the app with gunicorn (``docker/start-web.sh``, production settings)
   on 127.0.0.1 and drives bounded load at it from ``--clients`` threads: the
   public product list, the staff order list and an order's detail, and order
   placement (a write to the table being migrated).
3. While the load runs, applies the backfill and the contract step
   (``migrate orders``: 0004 and 0005), takes them back (``migrate orders
   0003``), and applies them again, ``--cycles`` times.
4. Samples ``pg_stat_activity`` every 20 ms for sessions waiting on a lock,
   and reports the failed requests (5xx, refused connections, timeouts, any
   unexpected status) and the longest lock wait seen, with its query.

The backfill has work on the first cycle only (going back, 0004 keeps the
counts); every cycle takes the contract step back and forth.

It stops by itself: after ``--cycles`` cycles, ``--max-requests`` requests or
``--max-seconds`` seconds, whichever comes first. It exits 1 when a request
failed or a migration did, and then keeps the scratch database and the
gunicorn log; traffic goes to the loopback address only.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import redis

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
HOST = "orderly.load.test"
STORE = "demo-coffee"
OWNER = ("owner@orderly.test", "orderly-demo-2024")  # seed_demo's owner
ADDRESS = {"line1": "1 Main St", "city": "Lyon", "country": "FR"}

# Seeds orders straight through the ORM (placing thousands through the API
# would take longer than the test); each has one line of one to three units.
SEED_ORDERS = """
import random
from decimal import Decimal
from apps.customers.models import Customer
from apps.orders.models import Order, OrderItem
from apps.products.models import Product
from apps.stores.models import Store

store = Store.objects.get(slug="{store}")
customers = list(Customer.objects.filter(store=store))
products = list(Product.objects.filter(store=store, is_active=True))
Product.objects.filter(store=store).update(stock_quantity=1_000_000)
rng = random.Random(7)
orders, items = [], []
# Far above the numbering sequence, which the placements under load draw on.
for number in range(10_000_000, 10_000_000 + {count}):
    product, units = rng.choice(products), rng.randint(1, 3)
    total = product.price * units
    order = Order(
        store=store, customer=rng.choice(customers), number=number,
        currency=store.currency, subtotal=total, total=total,
        item_count=units, shipping_address={address!r},
    )
    orders.append(order)
    items.append(OrderItem(
        order=order, product=product, sku=product.sku, name=product.name,
        unit_price=product.price, quantity=units, line_total=total,
    ))
Order.objects.bulk_create(orders, batch_size=1000)
OrderItem.objects.bulk_create(items, batch_size=1000)
"""

# Lock waits seen by any session of the scratch database: how long the session
# has waited so far, and what for.
LOCK_WAITS = """
SELECT application_name = %s,
       extract(epoch FROM clock_timestamp() - state_change),
       left(query, 100)
FROM pg_stat_activity
WHERE datname = current_database() AND wait_event_type = 'Lock'
"""
# The migrate command's sessions carry this name (libpq reads PGAPPNAME).
MIGRATE_APP_NAME = "orderly-migrate-under-load"


@dataclass
class Tally:
    """What the load threads and the lock sampler saw; guarded by ``lock``."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    statuses: Counter[tuple[str, int | str]] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    # Longest lock wait seen so far, of the app's sessions and of the migration:
    # (seconds, query).
    longest_wait: dict[str, tuple[float, str]] = field(
        default_factory=lambda: {"app": (0.0, ""), "migration": (0.0, "")}
    )
    samples: int = 0

    @property
    def requests(self) -> int:
        return sum(self.statuses.values())


def main() -> int:
    args = _arguments()
    database_url = f"postgres://postgres@127.0.0.1:5432/{args.database}"
    work = Path(tempfile.mkdtemp(prefix="orderly-load."))
    env = {
        "PATH": f"{ROOT / '.venv' / 'bin'}:/usr/local/bin:/usr/bin:/bin",
        "HOME": str(work),
        "LANG": "C.UTF-8",
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": HOST,
        "DJANGO_ADMIN_URL": "load-admin/",
        "DATABASE_URL": database_url,
        "REDIS_URL": args.redis_url,
        "CELERY_BROKER_URL": args.broker_url,
        "EMAIL_URL": f"filemail:///{work}",
        # Throttles are not under test: the load must not be refused for them.
        "THROTTLE_ANON_RATE": "1000000/min",
        "THROTTLE_USER_RATE": "1000000/min",
        "THROTTLE_ORDER_PLACEMENT_RATE": "1000000/min",
        "GUNICORN_BIND": f"127.0.0.1:{args.port}",
        "GUNICORN_WORKERS": str(args.workers),
    }

    _say(f"scratch database {args.database}; demo data and {args.orders} orders")
    for url in (args.redis_url, args.broker_url):
        redis.Redis.from_url(url).flushdb()
    _psql("postgres", f'DROP DATABASE IF EXISTS "{args.database}"')
    _psql("postgres", f'CREATE DATABASE "{args.database}"')
    _manage(env, "migrate", "--noinput")
    _manage(env, "seed_demo")
    seed = SEED_ORDERS.format(store=STORE, count=args.orders, address=ADDRESS)
    _manage(env, "shell", "-c", seed)
    _manage(env, "migrate", "orders", "0003")
    emptied = _empty_counts(database_url)
    _say(f"{emptied} orders without a count, for the backfill (0004) to fill")

    _say(f"gunicorn on 127.0.0.1:{args.port} ({args.workers} workers)")
    log = (work / "web.log").open("w")
    web = subprocess.Popen(  # noqa: S603 - fixed command
        [str(ROOT / "docker" / "start-web.sh")],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    tally = Tally()
    migrations: list[tuple[str, float, int]] = []
    try:
        base = f"http://127.0.0.1:{args.port}"
        _wait_until_ready(base)
        token = _token(base)
        targets = _targets(base, token)

        stop = threading.Event()
        deadline = time.monotonic() + args.max_seconds
        threads = [
            threading.Thread(
                target=_sampler, args=(database_url, tally, stop), daemon=True
            ),
            *(
                threading.Thread(
                    target=_client,
                    args=(n, token, targets, tally, stop, deadline, args.max_requests),
                    daemon=True,
                )
                for n in range(args.clients)
            ),
        ]
        for thread in threads:
            thread.start()

        _say(f"load from {args.clients} clients; migrating {args.cycles} times")
        time.sleep(args.settle)
        for _ in range(args.cycles):
            for target in (["orders"], ["orders", "0003"]):
                if stop.is_set() or time.monotonic() > deadline:
                    break
                started = time.monotonic()
                code = _manage(
                    {**env, "PGAPPNAME": MIGRATE_APP_NAME},
                    "migrate",
                    *target,
                    check=False,
                )
                migrations.append((" ".join(target), time.monotonic() - started, code))
                time.sleep(args.settle)
        code = _manage(env, "migrate", "orders", check=False)  # end up contracted
        migrations.append(("orders", 0.0, code))
        time.sleep(args.settle)
        stop.set()
        for thread in threads:
            thread.join(timeout=10)
    finally:
        _stop(web)
        log.close()

    status = _report(tally, migrations, work)
    if status == 0:  # a failure keeps the gunicorn log and the database to look at
        shutil.rmtree(work, ignore_errors=True)
        _psql("postgres", f'DROP DATABASE IF EXISTS "{args.database}"')
    return status


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default="orderly_load")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/5")
    parser.add_argument("--broker-url", default="redis://127.0.0.1:6379/6")
    parser.add_argument("--port", type=int, default=18640)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--clients", type=int, default=6)
    parser.add_argument("--orders", type=int, default=5000)
    parser.add_argument("--cycles", type=int, default=2)
    parser.add_argument("--settle", type=float, default=2.0, help="seconds")
    parser.add_argument("--max-seconds", type=float, default=90.0)
    parser.add_argument("--max-requests", type=int, default=50_000)
    return parser.parse_args()


def _say(message: str) -> None:
    print(f"--> {message}", flush=True)


def _psql(database: str, sql: str) -> None:
    with psycopg.connect(
        f"postgres://postgres@127.0.0.1:5432/{database}", autocommit=True
    ) as connection:
        connection.execute(sql.encode())


def _manage(env: dict[str, str], *args: str, check: bool = True) -> int:
    result = subprocess.run(  # noqa: S603 - fixed command
        [str(PYTHON), "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode and check:
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"manage.py {' '.join(args[:2])} failed")
    if result.returncode:
        sys.stderr.write(result.stderr[-2000:])
    return result.returncode


def _empty_counts(database_url: str) -> int:
    """Empty every order's count, as before the release that added the column."""
    with psycopg.connect(database_url, autocommit=True) as connection:
        return connection.execute("UPDATE orders_order SET item_count = NULL").rowcount


def _request(
    url: str, *, token: str = "", body: dict[str, Any] | None = None
) -> tuple[int, Any]:
    headers = {"Host": HOST, "X-Forwarded-Proto": "https", "Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(url, data=data, headers=headers)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, None


def _wait_until_ready(base: str) -> None:
    for _ in range(100):
        try:
            if _request(f"{base}/health/live/")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit("gunicorn did not answer /health/live/ within 20 s")


def _token(base: str) -> str:
    email, password = OWNER
    status, body = _request(
        f"{base}/api/v1/auth/token/", body={"email": email, "password": password}
    )
    if status != 200:
        raise SystemExit(f"could not sign in as {email}: {status}")
    return str(body["access"])


def _targets(base: str, token: str) -> list[tuple[str, str, dict[str, Any] | None]]:
    """(name, url, body) of each kind of request, with the ids they need."""
    api = f"{base}/api/v1/stores/{STORE}"
    _, products = _request(f"{api}/products/?page_size=20", token=token)
    _, orders = _request(f"{api}/orders/?page_size=1", token=token)
    _, customers = _request(f"{api}/customers/?page_size=1", token=token)
    reads = [
        ("product list", f"{api}/products/", None),
        ("order list", f"{api}/orders/", None),
        ("order detail", f"{api}/orders/{orders['results'][0]['id']}/", None),
    ]
    # One placement per product in turn: placements of one product queue on
    # its row lock, which is the stock guarantee, not the migration.
    placements = [
        (
            "order placement",
            f"{api}/orders/",
            {
                "lines": [{"product": product["id"], "quantity": 1}],
                "customer": customers["results"][0]["id"],
                "shipping_address": ADDRESS,
            },
        )
        for product in products["results"]
        if product["is_active"]  # the demo store has an inactive product
    ]
    return [request for placement in placements for request in (*reads, placement)]


def _client(
    number: int,
    token: str,
    targets: list[tuple[str, str, dict[str, Any] | None]],
    tally: Tally,
    stop: threading.Event,
    deadline: float,
    max_requests: int,
) -> None:
    index = number
    while not stop.is_set() and time.monotonic() < deadline:
        with tally.lock:
            if tally.requests >= max_requests:
                stop.set()
                return
        name, url, body = targets[index % len(targets)]
        index += 1
        expected = 201 if body is not None else 200
        started = time.monotonic()
        try:
            status: int | str = _request(url, token=token, body=body)[0]
        except OSError as error:
            status = type(error).__name__
        elapsed = time.monotonic() - started
        with tally.lock:
            tally.statuses[(name, status)] += 1
            tally.latencies.append(elapsed)
            if status != expected:
                tally.failures.append(f"{name}: {status} after {elapsed:.2f} s")


def _sampler(database_url: str, tally: Tally, stop: threading.Event) -> None:
    with psycopg.connect(database_url, autocommit=True) as connection:
        while not stop.is_set():
            rows = connection.execute(LOCK_WAITS, [MIGRATE_APP_NAME]).fetchall()
            with tally.lock:
                tally.samples += 1
                for is_migration, waited, query in rows:
                    who = "migration" if is_migration else "app"
                    if float(waited) > tally.longest_wait[who][0]:
                        tally.longest_wait[who] = (
                            float(waited),
                            " ".join(query.split()),
                        )
            time.sleep(0.02)


def _stop(process: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(process.pid, 15)
        process.wait(timeout=15)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(process.pid, 9)


def _report(tally: Tally, migrations: list[tuple[str, float, int]], work: Path) -> int:
    latencies = sorted(tally.latencies)

    def quantile(q: float) -> float:
        return latencies[min(len(latencies) - 1, int(q * len(latencies)))]

    print("\nrequests by endpoint and status:")
    for (name, status), count in sorted(tally.statuses.items(), key=str):
        print(f"  {name:<16} {status!s:<8} {count}")
    print(f"requests: {tally.requests}, failed: {len(tally.failures)}")
    if latencies:
        print(
            f"latency: p50 {quantile(0.5) * 1000:.0f} ms, "
            f"p99 {quantile(0.99) * 1000:.0f} ms, max {latencies[-1] * 1000:.0f} ms"
        )
    print("migrations:")
    for target, seconds, code in migrations[:-1]:
        print(f"  migrate {target:<12} {seconds:6.2f} s  exit {code}")
    print(f"longest lock waits ({tally.samples} samples of pg_stat_activity):")
    for who, (waited, query) in tally.longest_wait.items():
        print(f"  {who:<10} {waited * 1000:5.0f} ms  {query}")
    for failure in tally.failures[:10]:
        print(f"  FAILED {failure}")
    failed = bool(tally.failures) or any(code for _, _, code in migrations)
    if failed:
        print(f"gunicorn log: {work / 'web.log'}")
    return 1 if failed or not tally.requests else 0


if __name__ == "__main__":
    sys.exit(main())
