#!/usr/bin/env python3
"""Follow the README as a newcomer would, on a port other than the default.

1. ``make run PORT=<port>`` on a fresh SQLite database (the embedded default).
2. Every URL that ``make run`` prints answers (the admin after its login redirect).
3. Every ``bash`` block of the README's "A short API tour", in order, in one
   shell, against that server. ``curl`` fails on any 4xx/5xx answer, except in a
   block marked ``<!-- tour: expect NNN -->``, whose answer must carry that status.

    python3 scripts/check_readme.py [--port 18123]

Standard library only: it runs before anything else is installed. It exits
non-zero, with the server's log, on the first step that fails.
"""

import argparse
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXPECT = re.compile(r"<!--\s*tour:\s*expect\s+(\d{3})\s*-->\s*$")
PREAMBLE = """set -euo pipefail
curl() { command curl --fail-with-body --silent --show-error --max-time 20 "$@"; }
"""


def tour_blocks(readme: str) -> list[tuple[str, int | None]]:
    """The tour's bash blocks, each with the status it must answer (if marked)."""
    section = readme.split("## A short API tour", 1)[1].split("\n## ", 1)[0]
    blocks: list[tuple[str, int | None]] = []
    expected: int | None = None
    lines = iter(section.splitlines())
    for line in lines:
        marker = EXPECT.search(line)
        if marker:
            expected = int(marker.group(1))
        elif line.strip() == "```bash":
            body = []
            for inner in lines:
                if inner.strip() == "```":
                    break
                body.append(inner)
            blocks.append(("\n".join(body), expected))
            expected = None
    return blocks


def tour_script(blocks: list[tuple[str, int | None]]) -> str:
    parts = [PREAMBLE]
    for number, (body, expected) in enumerate(blocks, start=1):
        parts.append(f"echo '--- tour block {number}' >&2")
        if expected is None:
            parts.append(body)
        else:
            # Errors are the point of this block: plain curl, then check the status.
            parts.append(
                f'out=$(curl() {{ command curl --silent "$@"; }}\n{body}\n)\n'
                f'echo "$out"\n'
                f'echo "$out" | grep -q \'"status":{expected}\' || '
                f"{{ echo 'expected status {expected}' >&2; exit 1; }}"
            )
    return "\n".join(parts) + "\n"


def wait_ready(base: str, server: subprocess.Popen[bytes], seconds: int) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("make run exited before the server answered")
        try:
            ready = f"{base}/health/ready/"  # always http://127.0.0.1
            with urllib.request.urlopen(ready, timeout=2) as answer:  # noqa: S310
                if answer.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(1)
    raise SystemExit(f"{base}/health/ready/ did not answer 200 in {seconds} s")


def check_printed_urls(log: str, base: str) -> None:
    urls = sorted(set(re.findall(re.escape(base) + r"[^\s)]*", log)))
    if not urls:
        raise SystemExit(f"make run printed no URL on {base}")
    for url in urls:
        # Follows redirects; every URL starts with the http:// base.
        with urllib.request.urlopen(url, timeout=10) as answer:  # noqa: S310
            print(f"  {answer.status} {url}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=18123)
    parser.add_argument("--timeout", type=int, default=240)
    args = parser.parse_args()
    base = f"http://127.0.0.1:{args.port}"

    workdir = Path(tempfile.mkdtemp(prefix="orderly-readme-"))
    log_path = workdir / "server.log"
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL"}
        and not key.startswith("DJANGO_")
    }
    env["DATABASE_URL"] = f"sqlite:///{workdir / 'db.sqlite3'}"
    with log_path.open("wb") as log:
        server = subprocess.Popen(  # noqa: S603 - fixed command
            ["make", "--no-print-directory", "run", f"PORT={args.port}"],  # noqa: S607
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # one group: make, runserver and its reloader
        )
    try:
        print(f"make run PORT={args.port} (log: {log_path})")
        wait_ready(base, server, args.timeout)
        print("URLs printed by make run:")
        check_printed_urls(log_path.read_text(errors="replace"), base)
        blocks = tour_blocks((ROOT / "README.md").read_text())
        print(f"README tour: {len(blocks)} blocks")
        tour = subprocess.run(
            ["bash"],  # noqa: S607
            input=tour_script(blocks).encode(),
            env={**env, "PORT": str(args.port)},
            cwd=ROOT,  # as a reader runs it: commands like .venv/bin/python work
            check=False,
            timeout=300,
        )
    except BaseException:
        print("--- server log ---", file=sys.stderr)
        print(log_path.read_text(errors="replace")[-6000:], file=sys.stderr)
        raise
    else:
        if tour.returncode != 0:
            print(f"the README tour failed (exit {tour.returncode})", file=sys.stderr)
            return 1
        print("\nREADME tour: every block ran")
        return 0
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


if __name__ == "__main__":
    sys.exit(main())
