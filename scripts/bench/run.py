"""The benchmark harness: Orderly against the floor and the naive baseline.

    make bench                  # 1,000,000 orders, 3 rounds of 8 s runs
    make bench ARGS=--quick     # 50,000 orders, short runs: a few minutes

Steps (docs/performance.md explains each figure):

1. Seed ``orderly_bench`` (``orderly_bench_quick``) with ``seed.py`` unless the
   store is there already; ``probe.py prepare`` picks the hot products, the
   customer and the order in the middle of the history.
2. Serve three apps with gunicorn and ``config/gunicorn.conf.py`` on
   127.0.0.1, each with the same workers, production settings, PostgreSQL
   and Redis: the **floor** (``floor.py``, raw psycopg), **Orderly**
   (``config.wsgi``) and the **naive** baseline (``naive/``); wait for
   ``/health/ready/``.
3. Count the SQL queries per request of each scenario (``probe.py queries``
   through Django's test client; the floor reports its own in ``X-Queries``).
4. Drive each scenario with wrk: per round, the three variants one after the
   other (the order rotates each round), each with a warm-up and then a fixed
   concurrency for a fixed duration; then a fixed-rate run of each
   (``rate.py``: open loop, latency from each request's due time), at half
   Orderly's median throughput, for latency percentiles taken below
   saturation (the naive baseline may not keep up: its p99 shows it). After
   every run the harness waits for the database to go idle, so no backlog
   spills into the next. Medians of the rounds, and their ratios, are
   reported.
5. Attack each variant's placement with 16 clients on one product with a
   small stock, then count units sold against it (oversell) and check the
   stock ledger (``probe.py check``).
6. Read each server's worker RSS, time the daily report over 100,000 orders
   (``report_build.py``, full runs only), and write
   ``docs/benchmarks/<date>.md``, ``.json`` and ``.png`` (``report.py``).

Servers bind 127.0.0.1 only; every load run is bounded in time.
"""

import argparse
import json
import os
import platform
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))

from rate import fixed_rate, http_request  # noqa: E402
from report import write_report  # noqa: E402

VARIANTS = ("floor", "orderly", "naive")
PORTS = {"floor": 18801, "orderly": 18802, "naive": 18803}
HOST = "orderly.bench.test"
OWNER = ("owner@bench.example.com", "bench-password")
ATTACK_STOCK = 100


@dataclass
class Scenario:
    name: str
    title: str
    paths: dict[str, str]
    auth: bool = True
    method: str = "GET"
    unique: bool = False  # a query parameter per request: every read misses
    results: dict[str, dict[str, Any]] = field(default_factory=dict)


def say(message: str) -> None:
    print(f"--> {message}", flush=True)


def psql(database: str, query: str) -> str:
    return subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", database, "-Atc", query],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


def base_env(database: str, secret: str) -> dict[str, str]:
    """Production settings as an operator would set them, throttles opened up."""
    high = "100000000/min"
    return {
        "PATH": f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin",
        "HOME": os.environ.get("HOME", "/tmp"),  # noqa: S108
        "LANG": "C.UTF-8",
        "PYTHONPATH": f"{ROOT}:{HERE}",
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": secret,
        "DJANGO_ALLOWED_HOSTS": HOST,
        "DJANGO_ADMIN_URL": "bench-admin/",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{database}",
        "REDIS_URL": "redis://127.0.0.1:6379/10",
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/11",
        # The load comes from one client: the rate limits stay on (their cache
        # round trips are part of each request) but never refuse.
        "THROTTLE_ANON_RATE": high,
        "THROTTLE_USER_RATE": high,
        "THROTTLE_ORDER_PLACEMENT_RATE": high,
        "AUTH_RATE_LIMIT_IP": "100000/60",
        "AUTH_RATE_LIMIT_EMAIL": "100000/60",
        "GUNICORN_LOG_LEVEL": "warning",
        # Steady state: no recycling in the middle of a measurement.
        "GUNICORN_MAX_REQUESTS": "0",
        # libpq reads it when the URLs carry no password (a CI service's).
        **(
            {"PGPASSWORD": os.environ["PGPASSWORD"]}
            if "PGPASSWORD" in os.environ
            else {}
        ),
    }


def start(
    variant: str, env: dict[str, str], workers: int, logs: Path
) -> subprocess.Popen[bytes]:
    app = "floor:application" if variant == "floor" else "config.wsgi:application"
    server_env = {
        **env,
        "GUNICORN_BIND": f"127.0.0.1:{PORTS[variant]}",
        "GUNICORN_WORKERS": str(workers),
    }
    if variant == "naive":
        server_env["DJANGO_SETTINGS_MODULE"] = "naive.settings"
    gunicorn = Path(sys.executable).parent / "gunicorn"
    log = (logs / f"{variant}.log").open("wb")
    return subprocess.Popen(
        [str(gunicorn), "-c", str(ROOT / "config/gunicorn.conf.py"), app],
        cwd=ROOT,
        env=server_env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def request(
    variant: str,
    path: str,
    *,
    method: str = "GET",
    body: Any = None,
    token: str | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, str], bytes]:
    data = None if body is None else json.dumps(body).encode()
    call = urllib.request.Request(
        f"http://127.0.0.1:{PORTS[variant]}{path}",
        data=data,
        method=method,
        headers={
            "Host": HOST,
            "X-Forwarded-Proto": "https",
            "Content-Type": "application/json",
            **(headers or {}),
        },
    )
    if token:
        call.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(call, timeout=30) as answer:  # noqa: S310
            return answer.status, dict(answer.headers), answer.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def wait_ready(
    variant: str, server: subprocess.Popen[bytes], timeout: float = 90
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"{variant} server exited ({server.returncode})")
        try:
            if request(variant, "/health/ready/")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"{variant} server not ready after {timeout} s")


def login() -> str:
    status, _, body = request(
        "orderly",
        "/api/v1/auth/token/",
        method="POST",
        body={"email": OWNER[0], "password": OWNER[1]},
    )
    if status != 200:
        raise SystemExit(f"login failed: {status} {body[:200]!r}")
    return str(json.loads(body)["access"])


def worker_rss(server: subprocess.Popen[bytes]) -> list[float]:
    """Resident memory (MB) of each worker of a gunicorn master."""
    sizes = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(
                line.split(":", 1)
                for line in status.read_text().splitlines()
                if ":" in line
            )
        except OSError:
            continue
        if fields.get("PPid", "").strip() == str(server.pid):
            sizes.append(int(fields["VmRSS"].split()[0]) / 1024)
    return sorted(sizes)


def wrk(
    variant: str,
    scenario: Scenario,
    *,
    seconds: float,
    connections: int,
    token: str,
    fixtures: dict[str, Any],
    run_id: str,
    hot: list[str] | None = None,
) -> dict[str, Any]:
    threads = 2
    script = "place.lua" if scenario.method == "POST" else "get.lua"
    env = {
        **os.environ,
        "BENCH_LUA_DIR": str(HERE / "wrk"),
        "BENCH_HOST": HOST,
        "BENCH_TOKEN": token if scenario.auth else "",
        "BENCH_PATH": scenario.paths[variant],
        "BENCH_UNIQUE": "1" if scenario.unique else "0",
        "BENCH_RUN_ID": run_id,
        "BENCH_HOT": ",".join(hot or fixtures["hot"][variant]),
        "BENCH_CUSTOMER": fixtures["customer"],
    }
    output = subprocess.run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{max(1, round(seconds))}s",
            "--timeout",
            "10s",
            "-s",
            str(HERE / "wrk" / script),
            f"http://127.0.0.1:{PORTS[variant]}",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=seconds + 60,
        check=True,
    ).stdout
    settle(fixtures["database"])
    line = next(row for row in output.splitlines() if row.startswith("BENCH_RESULT "))
    raw = json.loads(line.removeprefix("BENCH_RESULT "))
    socket_errors = raw["connect"] + raw["read"] + raw["write"] + raw["timeout"]
    return {
        "rps": raw["requests"] / (raw["duration_us"] / 1e6),
        "p50_ms": raw["p50_us"] / 1000,
        "p90_ms": raw["p90_us"] / 1000,
        "p99_ms": raw["p99_us"] / 1000,
        "requests": raw["requests"],
        "errors": raw["non_2xx"] + socket_errors,
        "non_2xx": raw["non_2xx"],
        "socket_errors": socket_errors,
    }


_monitor: Any = None


def settle(database: str, timeout: float = 180) -> None:
    """Wait until the database is idle: no server still works off a run's backlog.

    A sync worker finishes the requests it had accepted after wrk hangs up;
    a slow variant (the naive deep page) would otherwise load the next run.
    """
    global _monitor
    import psycopg

    if _monitor is None:
        _monitor = psycopg.connect(
            "postgres://postgres@127.0.0.1:5432/postgres", autocommit=True
        )
    deadline = time.monotonic() + timeout
    quiet = 0
    while time.monotonic() < deadline:
        busy = _monitor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE state <> 'idle' "
            "AND datname = %s AND pid <> pg_backend_pid()",
            (database,),
        ).fetchone()[0]
        quiet = quiet + 1 if busy == 0 else 0
        if quiet >= 3:
            return
        time.sleep(0.1)
    say(f"warning: {database} still busy after {timeout} s")


def scenarios(fixtures: dict[str, Any]) -> list[Scenario]:
    slug = fixtures["store_slug"]
    orderly = f"/api/v1/stores/{slug}"
    naive = f"/stores/{slug}"
    middle = fixtures["middle_order"]
    deep_page = fixtures["middle_offset"] // 20 + 1  # the naive pages hold 20
    cursor = fixtures["orderly_deep_cursor"]
    same = {"floor": orderly, "orderly": orderly, "naive": naive}
    return [
        Scenario(
            "product_list_hit",
            "Product list, cache hit",
            {v: f"{p}/products/" for v, p in same.items()},
            auth=False,
        ),
        Scenario(
            "product_list_miss",
            "Product list, cache miss",
            {v: f"{p}/products/" for v, p in same.items()},
            auth=False,
            unique=True,
        ),
        Scenario(
            "order_list",
            "Order list, first page",
            {v: f"{p}/orders/" for v, p in same.items()},
        ),
        Scenario(
            "order_list_deep",
            "Order list, page in the middle",
            {
                "floor": f"{orderly}/orders/?cursor={cursor}",
                "orderly": f"{orderly}/orders/?cursor={cursor}",
                "naive": f"{naive}/orders/?page={deep_page}",
            },
        ),
        Scenario(
            "order_detail",
            "Order detail",
            {v: f"{p}/orders/{middle}/" for v, p in same.items()},
        ),
        Scenario(
            "order_place",
            "Order placement, 16 clients, hot products",
            {v: f"{p}/orders/" for v, p in same.items()},
            method="POST",
        ),
    ]


def request_builder(
    variant: str,
    scenario: Scenario,
    *,
    fixtures: dict[str, Any],
    token: str,
    run_id: str,
) -> Callable[[int], bytes]:
    """Request ``i`` of a fixed-rate run, as ``wrk/*.lua`` builds it for wrk."""
    path = scenario.paths[variant]
    headers = {"X-Forwarded-Proto": "https"}
    if scenario.auth:
        headers["Authorization"] = f"Bearer {token}"
    if scenario.method == "POST":
        hot = fixtures["hot"][variant]

        def place(i: int) -> bytes:
            first = i % len(hot)
            second = (first + 1 + (i // len(hot)) % (len(hot) - 1)) % len(hot)
            lines = [hot[n] for n in sorted((first, second))]
            body = {
                **place_body(fixtures, lines[0]),
                "lines": [{"product": product, "quantity": 1} for product in lines],
            }
            return http_request(
                method="POST",
                path=path,
                host=HOST,
                body=json.dumps(body).encode(),
                headers={
                    **headers,
                    "Content-Type": "application/json",
                    "Idempotency-Key": f"{run_id}-{i}",
                },
            )

        return place
    if scenario.unique:
        return lambda i: http_request(
            method="GET", path=f"{path}?miss={run_id}-{i}", host=HOST, headers=headers
        )
    fixed = http_request(method="GET", path=path, host=HOST, headers=headers)
    return lambda i: fixed


def place_body(fixtures: dict[str, Any], product: str) -> dict[str, Any]:
    return {
        "customer": fixtures["customer"],
        "shipping_address": {
            "line1": "1 rue du Banc",
            "city": "Lyon",
            "postal_code": "69001",
            "country": "FR",
        },
        "lines": [{"product": product, "quantity": 1}],
    }


def count_queries(
    fixtures: dict[str, Any],
    env: dict[str, str],
    plan: list[Scenario],
    token: str,
    workers: int,
) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = {s.name: {} for s in plan}
    for variant, settings in (
        ("orderly", "config.settings.production"),
        ("naive", "naive.settings"),
    ):
        requests = {}
        for s in plan:
            path = s.paths[variant]
            if s.unique:
                path += "?miss=queries"
            requests[s.name] = {
                "method": s.method,
                "path": path,
                "auth": s.auth,
                "cache": "miss" if s.unique else "hit",
                "body": place_body(fixtures, fixtures["hot"][variant][0]),
            }
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
            json.dump({**fixtures, "host": HOST, "requests": requests}, handle)
        answer = probe(
            {**env, "DJANGO_SETTINGS_MODULE": settings}, "queries", handle.name
        )
        os.unlink(handle.name)
        for name, result in answer.items():
            counts[name][variant] = result["queries"]
    # The floor's count comes from its X-Queries header. Each of its workers
    # remembers the store's id for itself, as Orderly's do, and a request
    # reaches whichever worker accepts it: its steady state is the fewest
    # statements seen over more requests than it has workers (so one worker
    # answers twice), a miss on a new URL each time (one URL asked twice is a
    # hit the second time); a placement is made once.
    run_tag = secrets.token_hex(4)
    for s in plan:
        seen = []
        for attempt in range(1 if s.method == "POST" else max(8, workers + 1)):
            path = s.paths["floor"]
            if s.unique:
                path += f"?miss=queries-{run_tag}-{attempt}"
            if s.method == "POST":
                status, headers, _ = request(
                    "floor",
                    path,
                    method="POST",
                    token=token,
                    body=place_body(fixtures, fixtures["hot"]["floor"][0]),
                )
            else:
                status, headers, _ = request(
                    "floor", path, token=token if s.auth else None
                )
            if status >= 400:
                raise SystemExit(f"floor {s.name}: {status}")
            seen.append(int(headers["X-Queries"]))
        counts[s.name]["floor"] = min(seen)
    return counts


def seed(database: str, quick: bool, env: dict[str, str]) -> float | None:
    """Seed the database unless its store exists; the seconds it took, or None."""
    exists = psql("postgres", f"SELECT 1 FROM pg_database WHERE datname = '{database}'")  # noqa: S608 -- our own name
    if not exists:
        subprocess.run(
            ["createdb", "-h", "127.0.0.1", "-U", "postgres", database], check=True
        )
    elif (
        psql(database, "SELECT to_regclass('stores_store') IS NOT NULL") == "t"
        and psql(database, "SELECT count(*) FROM stores_store WHERE slug = 'bench'")
        != "0"
    ):
        say(f"{database} holds the bench store already: not seeding")
        return None
    sizes = (
        ["--orders", "50000", "--customers", "5000", "--products", "1000"]
        if quick
        else []
    )
    started = time.monotonic()
    subprocess.run(
        [sys.executable, str(HERE / "seed.py"), *sizes],
        env={**env, "DJANGO_SETTINGS_MODULE": "config.settings.local"},
        cwd=ROOT,
        check=True,
    )
    return time.monotonic() - started


def probe(env: dict[str, str], *args: str) -> Any:
    """Run ``probe.py`` with ``args``; its JSON answer (stderr shown on failure)."""
    answer = subprocess.run(
        [sys.executable, str(HERE / "probe.py"), *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if answer.returncode != 0:
        print(answer.stderr[-3000:], file=sys.stderr)
        raise SystemExit(f"probe.py {args[0]} failed ({answer.returncode})")
    return json.loads(answer.stdout)


def median(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0


def summarize(result_runs: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        key: median([run[key] for run in result_runs])
        for key in ("rps", "p50_ms", "p90_ms", "p99_ms")
    } | {"errors": sum(run["errors"] for run in result_runs), "runs": result_runs}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small data, short runs")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--seconds", type=float, help="each measured run (default 8; quick 2)"
    )
    parser.add_argument(
        "--warmup", type=float, help="before each run (default 2; quick 1)"
    )
    parser.add_argument(
        "--workers", type=int, default=4, help="gunicorn workers per app"
    )
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--only", help="comma-separated scenario names")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks")
    parser.add_argument(
        "--no-report-build",
        action="store_true",
        help="skip timing the daily report over 100,000 orders",
    )
    args = parser.parse_args()
    seconds = args.seconds or (2.0 if args.quick else 8.0)
    warmup = args.warmup or (1.0 if args.quick else 2.0)
    database = "orderly_bench_quick" if args.quick else "orderly_bench"
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install wrk")

    secret = secrets.token_urlsafe(50)
    env = base_env(database, secret)
    started = datetime.now(UTC)
    say(f"seeding {database} (skipped when the store exists)")
    seed_seconds = seed(database, args.quick, env)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"],
        env=env,
        cwd=ROOT,
        check=True,
    )
    say("preparing hot products, customer and the order in the middle")
    fixtures = {**probe(env, "prepare"), "database": database}
    subprocess.run(
        ["redis-cli", "-n", "10", "flushdb"], check=True, capture_output=True
    )

    logs = Path(tempfile.mkdtemp(prefix="orderly-bench-"))
    servers: dict[str, subprocess.Popen[bytes]] = {}

    def stop_servers() -> None:
        for server in servers.values():
            try:
                os.killpg(server.pid, signal.SIGTERM)
                server.wait(timeout=30)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                os.killpg(server.pid, signal.SIGKILL)

    for variant, port in PORTS.items():
        with socket.socket() as probe_socket:
            if probe_socket.connect_ex(("127.0.0.1", port)) == 0:
                raise SystemExit(
                    f"127.0.0.1:{port} ({variant}) is in use: stop it first"
                )
    try:
        for variant in VARIANTS:
            servers[variant] = start(variant, env, args.workers, logs)
        for variant in VARIANTS:
            wait_ready(variant, servers[variant])
        say(f"servers ready ({args.workers} workers each; logs in {logs})")
        token = login()
        token_at = time.monotonic()

        def fresh_token() -> str:
            nonlocal token, token_at
            if time.monotonic() - token_at > 120:  # access tokens live 5 minutes
                token, token_at = login(), time.monotonic()
            return token

        plan = scenarios(fixtures)
        if args.only:
            plan = [s for s in plan if s.name in args.only.split(",")]
        say("counting SQL queries per request (test client; floor: X-Queries)")
        queries = count_queries(fixtures, env, plan, token, args.workers)

        fixed_rates: dict[str, float] = {}
        for s in plan:
            closed: dict[str, list[dict[str, Any]]] = {v: [] for v in VARIANTS}
            for round_ in range(args.rounds):
                order = VARIANTS[round_ % 3 :] + VARIANTS[: round_ % 3]
                for variant in order:
                    run_id = f"{started:%H%M%S}-{s.name}-{round_}-{variant}"
                    common = {
                        "token": fresh_token(),
                        "fixtures": fixtures,
                        "connections": args.connections,
                    }
                    wrk(variant, s, seconds=warmup, run_id=run_id + "-w", **common)
                    result = wrk(variant, s, seconds=seconds, run_id=run_id, **common)
                    closed[variant].append(result)
                    say(
                        f"{s.name:18} round {round_ + 1} {variant:8} "
                        f"{result['rps']:8.1f} req/s  p50 {result['p50_ms']:7.2f} ms  "
                        f"p99 {result['p99_ms']:7.2f} ms  errors {result['errors']}"
                    )
                    if s.unique:
                        subprocess.run(
                            ["redis-cli", "-n", "10", "flushdb"],
                            check=True,
                            capture_output=True,
                        )
            # Half of what Orderly sustains: Orderly and the floor below
            # saturation; a variant that cannot keep up shows it in its p99.
            rate = max(1.0, round(median([r["rps"] for r in closed["orderly"]]) / 2, 1))
            fixed_rates[s.name] = rate
            fixed: dict[str, list[dict[str, Any]]] = {v: [] for v in VARIANTS}
            for round_ in range(args.rounds):
                order = VARIANTS[round_ % 3 :] + VARIANTS[: round_ % 3]
                for variant in order:
                    run_id = f"{started:%H%M%S}-{s.name}-{round_}-{variant}-rate"
                    build = request_builder(
                        variant,
                        s,
                        fixtures=fixtures,
                        token=fresh_token(),
                        run_id=run_id,
                    )
                    result = fixed_rate(
                        PORTS[variant], build, rate=rate, seconds=seconds
                    )
                    settle(database)
                    fixed[variant].append(result)
                    if s.unique:
                        subprocess.run(
                            ["redis-cli", "-n", "10", "flushdb"],
                            check=True,
                            capture_output=True,
                        )
            say(
                f"{s.name:18} fixed rate {rate} req/s: "
                + ", ".join(
                    f"{v} p50 {median([r['p50_ms'] for r in fixed[v]]):.2f} ms / "
                    f"p99 {median([r['p99_ms'] for r in fixed[v]]):.2f} ms"
                    for v in VARIANTS
                )
            )
            s.results = {
                v: {"closed": summarize(closed[v]), "fixed_rate": summarize(fixed[v])}
                for v in VARIANTS
            }

        say(f"oversell attack: 16 clients on one product with {ATTACK_STOCK} in stock")
        attack_stock = {}
        for variant in VARIANTS:
            attack_stock[variant] = probe(
                env,
                "set-stock",
                _fixtures_file(fixtures, logs),
                variant,
                str(ATTACK_STOCK),
            )
        place = next(s for s in scenarios(fixtures) if s.method == "POST")
        attack_runs = {}
        for variant in VARIANTS:
            attack_runs[variant] = wrk(
                variant,
                place,
                seconds=max(3.0, seconds / 2),
                connections=16,
                token=fresh_token(),
                fixtures=fixtures,
                run_id=f"{started:%H%M%S}-attack-{variant}",
                hot=[fixtures["attack"][variant]],
            )
        check = probe(
            env,
            "check",
            _fixtures_file({**fixtures, "attack_stock": attack_stock}, logs),
        )
        for variant in VARIANTS:
            check["attack"][variant]["requests"] = attack_runs[variant]["requests"]
            check["attack"][variant]["non_2xx"] = attack_runs[variant]["non_2xx"]
            say(f"attack {variant:8} {check['attack'][variant]}")
        rss = {variant: worker_rss(server) for variant, server in servers.items()}
    finally:
        stop_servers()

    report_seconds = None
    if not args.quick and not args.no_report_build:
        say("timing the daily report over 100,000 orders (report_build.py)")
        report_seconds = time_report_build(env)

    results = {
        "started": started.isoformat(timespec="seconds"),
        "quick": args.quick,
        "machine": machine(),
        "settings": {
            "workers": args.workers,
            "connections": args.connections,
            "seconds": seconds,
            "warmup": warmup,
            "rounds": args.rounds,
            "fixed_rates": fixed_rates,
            "database": database,
            "orders": fixtures["orders"],
        },
        "seed_seconds": seed_seconds,
        "queries": queries,
        "scenarios": {
            s.name: {"title": s.title, "paths": s.paths, **s.results} for s in plan
        },
        "attack": check,
        "worker_rss_mb": rss,
        "report_build_seconds": report_seconds,
    }
    paths = write_report(results, args.out)
    for path in paths:
        say(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    shutil.rmtree(logs, ignore_errors=True)
    failures = [
        f"{variant}: {count} non-2xx or socket errors in {name}"
        for name, entry in results["scenarios"].items()
        for variant in ("floor", "orderly")
        for count in [
            entry[variant]["closed"]["errors"] + entry[variant]["fixed_rate"]["errors"]
        ]
        if count
    ]
    orderly_attack = check["attack"]["orderly"]
    if orderly_attack["oversold"] or orderly_attack["lost_updates"]:
        failures.append(f"orderly oversold: {orderly_attack}")
    if check["ledger_drift"]["orderly"] or check["ledger_drift_elsewhere"]:
        failures.append("the stock ledger of Orderly's products drifted")
    for failure in failures:
        print(f"FAILED: {failure}", file=sys.stderr)
    return 1 if failures else 0


def _fixtures_file(fixtures: dict[str, Any], directory: Path) -> str:
    path = directory / f"fixtures-{secrets.token_hex(4)}.json"
    path.write_text(json.dumps(fixtures))
    return str(path)


def time_report_build(env: dict[str, str]) -> float | None:
    database = "orderly_reports_bench"
    subprocess.run(
        ["dropdb", "--if-exists", "-h", "127.0.0.1", "-U", "postgres", database],
        check=True,
    )
    subprocess.run(
        ["createdb", "-h", "127.0.0.1", "-U", "postgres", database], check=True
    )
    output = subprocess.run(
        [sys.executable, str(HERE / "report_build.py"), "--orders", "100000", "--json"],
        env={
            **env,
            "DJANGO_SETTINGS_MODULE": "config.settings.local",
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{database}",
        },
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    line = next(row for row in output.splitlines() if row.startswith("{"))
    return float(json.loads(line)["median_seconds"])


def machine() -> dict[str, Any]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory = next(
        int(line.split()[1]) // (1024 * 1024)
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )

    def version(*command: str) -> str:
        try:
            answer = subprocess.run(
                command, capture_output=True, text=True, check=False
            )
        except OSError:
            return "unknown"
        return (answer.stdout or answer.stderr).strip().splitlines()[0]

    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": memory,
        "python": platform.python_version(),
        "postgresql": psql("postgres", "SHOW server_version"),
        "redis": version("redis-server", "--version"),
        "wrk": version("wrk", "-v"),
        "kernel": platform.release(),
    }


if __name__ == "__main__":
    sys.exit(main())
