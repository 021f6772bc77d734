#!/usr/bin/env bash
# Smoke test of the production install: does what requirements/production.txt
# installs, alone, really serve the app and run its tasks?
#
#   bash scripts/smoke-production.sh
#
# 1. A fresh virtualenv from requirements/production.txt only (hash-checked): no
#    development tool can supply a package that production lacks.
# 2. A fresh PostgreSQL database and two Redis databases of its own.
# 3. docker/migrate.sh and collectstatic, as a rollout and the image build do.
# 4. docker/start-web.sh (gunicorn), docker/start-worker.sh and
#    docker/start-beat.sh (celery), the image's own start scripts, with the
#    production settings.
# 5. /health/ready/ answers 200: database, cache, broker and migrations are fine.
# 6. A password reset request goes through the broker to the worker, which
#    writes the email with its reset link (EMAIL_URL=filemail://).
# 7. Every log line of the web process, the worker and beat is JSON with an
#    ISO 8601 time; none is in Celery's or gunicorn's plain-text format.
#
# Needs PostgreSQL (user postgres, trust authentication) and Redis on 127.0.0.1,
# with createdb, dropdb, redis-cli, curl and setsid on the PATH. It drops and
# recreates its database. Settings (defaults shown):
#   SMOKE_REQUIREMENTS=requirements/production.txt  SMOKE_DATABASE=orderly_smoke
#   SMOKE_REDIS_CACHE_DB=12  SMOKE_REDIS_BROKER_DB=13  SMOKE_PORT=18765
#   SMOKE_TIMEOUT=60 (seconds to wait for readiness, then for the email)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

PYTHON="${PYTHON:-python3}"
REQUIREMENTS="${SMOKE_REQUIREMENTS:-requirements/production.txt}"
DATABASE="${SMOKE_DATABASE:-orderly_smoke}"
CACHE_DB="${SMOKE_REDIS_CACHE_DB:-12}"
BROKER_DB="${SMOKE_REDIS_BROKER_DB:-13}"
PORT="${SMOKE_PORT:-18765}"
TIMEOUT="${SMOKE_TIMEOUT:-60}"
HOST="orderly.smoke.test"

work="$(mktemp -d "${TMPDIR:-/tmp}/orderly-smoke.XXXXXX")"
web_pid=""
worker_pid=""
beat_pid=""

say() { printf -- '--> %s\n' "$*"; }
fail() {
  printf 'FAILED: %s\n' "$*" >&2
  exit 1
}

# Stop a process group started below: TERM, up to 15 s to finish, then KILL.
stop() {
  local pid="$1"
  [ -n "$pid" ] || return 0
  kill -TERM -- "-$pid" 2>/dev/null || return 0
  for _ in $(seq 1 30); do
    kill -0 -- "-$pid" 2>/dev/null || return 0
    sleep 0.5
  done
  kill -KILL -- "-$pid" 2>/dev/null || true
}

cleanup() {
  local status=$?
  stop "$web_pid"
  stop "$worker_pid"
  stop "$beat_pid"
  if [ "$status" -ne 0 ]; then
    for log in web worker beat; do
      if [ -s "$work/$log.log" ]; then
        printf '\n----- %s log (last 60 lines) -----\n' "$log" >&2
        tail -n 60 "$work/$log.log" >&2
      fi
    done
  fi
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- 1. The production requirements, alone --------------------------------------
say "fresh virtualenv from $REQUIREMENTS only (hash-checked)"
"$PYTHON" -m venv "$work/venv"
"$work/venv/bin/python" -m pip install --quiet --disable-pip-version-check \
  --require-hashes -r "$REQUIREMENTS"

# --- 2. Services of its own --------------------------------------------------------
say "fresh PostgreSQL database $DATABASE; Redis databases $CACHE_DB and $BROKER_DB flushed"
dropdb --if-exists -h 127.0.0.1 -U postgres "$DATABASE"
createdb -h 127.0.0.1 -U postgres "$DATABASE"
redis-cli -h 127.0.0.1 -n "$CACHE_DB" flushdb >/dev/null
redis-cli -h 127.0.0.1 -n "$BROKER_DB" flushdb >/dev/null

# Only what production reads; nothing from the caller's environment leaks in.
mkdir -p "$work/mail"
secret_key="$("$PYTHON" -c 'import secrets; print(secrets.token_urlsafe(50))')"
production_env=(
  PATH="$work/venv/bin:/usr/local/bin:/usr/bin:/bin"
  HOME="$work"
  LANG=C.UTF-8
  DJANGO_SETTINGS_MODULE=config.settings.production
  DJANGO_SECRET_KEY="$secret_key"
  DJANGO_ALLOWED_HOSTS="$HOST"
  DJANGO_ADMIN_URL=smoke-admin/
  DATABASE_URL="postgres://postgres@127.0.0.1:5432/$DATABASE"
  REDIS_URL="redis://127.0.0.1:6379/$CACHE_DB"
  CELERY_BROKER_URL="redis://127.0.0.1:6379/$BROKER_DB"
  EMAIL_URL="filemail:///$work/mail"
  PASSWORD_RESET_URL="https://$HOST/reset-password?uid={uid}&token={token}"
  GUNICORN_BIND="127.0.0.1:$PORT"
  GUNICORN_WORKERS=2
)
run() { env -i "${production_env[@]}" "$@"; }

# --- 3. Migrate and collect static files -------------------------------------------
say "docker/migrate.sh"
run docker/migrate.sh >"$work/migrate.log" 2>&1 || {
  cat "$work/migrate.log" >&2
  fail "migrations did not apply"
}
say "manage.py collectstatic --noinput"
run python manage.py collectstatic --noinput >"$work/collectstatic.log" 2>&1 || {
  cat "$work/collectstatic.log" >&2
  fail "collectstatic failed"
}

# --- 4. The web process and the worker, from the image's start scripts ------------
say "docker/start-web.sh on 127.0.0.1:$PORT, docker/start-worker.sh, docker/start-beat.sh"
# Each in a process group of its own (setsid keeps the pid), stopped as a whole.
env -i "${production_env[@]}" setsid docker/start-web.sh >"$work/web.log" 2>&1 &
web_pid=$!
env -i "${production_env[@]}" setsid docker/start-worker.sh --concurrency 1 \
  >"$work/worker.log" 2>&1 &
worker_pid=$!
env -i "${production_env[@]}" setsid docker/start-beat.sh \
  --schedule "$work/celerybeat-schedule" >"$work/beat.log" 2>&1 &
beat_pid=$!

# As a proxy would send them: TLS ended at the proxy, the public host name.
request() {
  curl --silent --show-error --max-time 10 --output "$work/body" \
    --write-out '%{http_code}' \
    -H "Host: $HOST" -H "X-Forwarded-Proto: https" \
    -H "Content-Type: application/json" "$@"
}

# --- 5. Ready -----------------------------------------------------------------------
say "waiting up to ${TIMEOUT}s for /health/ready/ to answer 200"
status=""
ready() { echo "/health/ready/ answered ${status:-nothing}: $(cat "$work/body" 2>/dev/null)"; }
for _ in $(seq 1 "$TIMEOUT"); do
  status="$(request "http://127.0.0.1:$PORT/health/ready/" 2>/dev/null || true)"
  [ "$status" = "200" ] && break
  kill -0 "$web_pid" 2>/dev/null || fail "the web process exited; $(ready)"
  kill -0 "$worker_pid" 2>/dev/null || fail "the worker exited; $(ready)"
  kill -0 "$beat_pid" 2>/dev/null || fail "beat exited; $(ready)"
  sleep 1
done
[ "$status" = "200" ] || fail "$(ready), not 200"
echo "    200 $(cat "$work/body")"

# --- 6. A task through the real broker to the real worker -------------------------
email="smoke-$(date +%s)@example.com"
say "POST /api/v1/auth/register/ ($email)"
status="$(request -X POST "http://127.0.0.1:$PORT/api/v1/auth/register/" \
  --data "{\"email\": \"$email\", \"password\": \"smoke-test-password-42\"}")"
[ "$status" = "201" ] || fail "registration answered $status: $(cat "$work/body")"

say "POST /api/v1/auth/password/reset/"
status="$(request -X POST "http://127.0.0.1:$PORT/api/v1/auth/password/reset/" \
  --data "{\"email\": \"$email\"}")"
[ "$status" = "202" ] || fail "password reset answered $status: $(cat "$work/body")"

say "waiting up to ${TIMEOUT}s for the worker to write the reset email"
delivered=""
for _ in $(seq 1 "$TIMEOUT"); do
  if grep -ls "^To: $email" "$work"/mail/* 2>/dev/null |
    xargs -r grep -l "https://$HOST/reset-password?uid=" >/dev/null 2>&1; then
    delivered="yes"
    break
  fi
  sleep 1
done
[ -n "$delivered" ] || fail "no password reset email for $email after ${TIMEOUT}s"
echo "    $(grep -h "https://$HOST/reset-password?uid=" "$work"/mail/* | head -n 1 | cut -c1-72)..."

# --- 7. JSON logs ------------------------------------------------------------------
# A log record in Celery's or gunicorn's own plain-text format would mean a handler
# other than LOGGING's. Celery also writes a few lines straight to the terminal,
# not through logging (the warning about running as root, the shutdown notice);
# those are not log records and are let through.
say "every web, worker and beat log line is JSON with an ISO 8601 time"
kill -0 "$beat_pid" 2>/dev/null || fail "beat exited"
"$work/venv/bin/python" - "$work/web.log" "$work/worker.log" "$work/beat.log" <<'PY'
import json
import re
import sys
from datetime import datetime

PLAIN_RECORD = re.compile(r"^\[\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d")
problems = []
for path in sys.argv[1:]:
    records = 0
    with open(path, encoding="utf-8") as log:
        for number, line in enumerate(log, 1):
            where = f"{path.rsplit('/', 1)[-1]}:{number}: {line.rstrip()[:140]}"
            if PLAIN_RECORD.match(line):
                problems.append(f"plain-text log record: {where}")
            elif line.startswith("{"):
                try:
                    datetime.fromisoformat(json.loads(line)["time"])
                    records += 1
                except (ValueError, KeyError, TypeError):
                    problems.append(f"not a JSON record with a time: {where}")
    if not records:
        problems.append(f"no JSON log record in {path}")
    print(f"    {path.rsplit('/', 1)[-1]}: {records} JSON records")
if problems:
    sys.exit("\n".join(problems[:20]))
PY

say "the production install serves requests and runs tasks"
