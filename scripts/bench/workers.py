"""Choose gunicorn's worker model by measurement: Orderly alone, several settings.

    .venv/bin/python scripts/bench/workers.py --workers 2,3,4,6,8 --seconds 8

For each worker count (sync workers, and ``--threads`` for gthread), it serves
Orderly with ``config/gunicorn.conf.py`` on the benchmark database, runs the
order list and the cached product list at 16 connections (a warm-up, then
``--seconds``), and prints requests/s, p50, p99 and the workers' RSS. The
servers, the load and the environment are those of ``run.py``.
"""

import argparse
import json
import secrets
import signal
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import run  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", default="2,4,8")
    parser.add_argument("--threads", default="1", help="per worker; >1 is gthread")
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--database", default="orderly_bench")
    parser.add_argument("--only", default="order_list,product_list_hit")
    args = parser.parse_args()
    env = run.base_env(args.database, secrets.token_urlsafe(50))
    fixtures = {**run.probe(env, "prepare"), "database": args.database}
    plan = [s for s in run.scenarios(fixtures) if s.name in args.only.split(",")]
    logs = Path(tempfile.mkdtemp(prefix="orderly-workers-"))
    rows = []
    for threads in [int(t) for t in args.threads.split(",")]:
        for workers in [int(w) for w in args.workers.split(",")]:
            server_env = {**env, "GUNICORN_THREADS": str(threads)}
            server = run.start("orderly", server_env, workers, logs)
            try:
                run.wait_ready("orderly", server)
                token = run.login()
                for scenario in plan:
                    common: dict[str, Any] = {
                        "token": token,
                        "fixtures": fixtures,
                        "connections": 16,
                    }
                    run.wrk("orderly", scenario, seconds=2, run_id="w", **common)
                    result = run.wrk(
                        "orderly", scenario, seconds=args.seconds, run_id="m", **common
                    )
                    rss = run.worker_rss(server)
                    row = {
                        "scenario": scenario.name,
                        "workers": workers,
                        "threads": threads,
                        "rps": round(result["rps"], 1),
                        "p50_ms": result["p50_ms"],
                        "p99_ms": result["p99_ms"],
                        "errors": result["errors"],
                        "rss_mb": [round(x) for x in rss],
                    }
                    rows.append(row)
                    print(json.dumps(row), flush=True)
            finally:
                server.send_signal(signal.SIGTERM)
                try:
                    server.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    server.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())
