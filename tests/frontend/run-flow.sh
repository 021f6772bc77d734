#!/usr/bin/env bash
# The generated TypeScript client drives a production server through the
# storefront and back-office flow of tests/frontend/src/flow.ts.
#
#   bash tests/frontend/run-flow.sh        (make frontend-test runs npm ci first)
#
# 1. docs/openapi.yaml still describes the code: the client is generated from
#    it, and the flow checks every response against it.
# 2. The flow compiled (tsc --noCheck). The type-check of the flow against the
#    types generated from docs/openapi.yaml is a step of its own, before this
#    script (npm run typecheck; make frontend-test runs both).
# 3. A fresh PostgreSQL database and a flushed Redis database.
# 4. docker/migrate.sh, then manage.py seed_demo: the demo store, its catalog,
#    its orders and its owner, whose demo password the flow signs in with.
# 5. gunicorn with config/gunicorn.conf.py (docker/start-web.sh) and the
#    production settings, on 127.0.0.1 only. The flow sends what the TLS proxy
#    in front of it would (X-Forwarded-Proto: https), so production's HTTPS
#    redirect stays on.
# 6. /health/ready/ answers 200; then the flow runs, and the server stops.
#
# Needs `make install` and `npm ci` in tests/frontend, PostgreSQL (user
# postgres, trust authentication) and Redis on 127.0.0.1, with createdb,
# dropdb, redis-cli, curl and setsid on the PATH. It drops and recreates its
# database. Settings (defaults shown):
#   FLOW_DATABASE=orderly_client  FLOW_REDIS_DB=9 (cache and broker; no worker
#   runs, so the few tasks sent wait there until the next run flushes them)
#   FLOW_PORT=a free port  FLOW_TIMEOUT=60 (seconds to wait for readiness)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
root="$PWD"

DATABASE="${FLOW_DATABASE:-orderly_client}"
REDIS_DB="${FLOW_REDIS_DB:-9}"
TIMEOUT="${FLOW_TIMEOUT:-60}"
PYTHON="$root/.venv/bin/python"
PORT="${FLOW_PORT:-$("$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}"

work="$(mktemp -d "${TMPDIR:-/tmp}/orderly-flow.XXXXXX")"
web_pid=""

say() { printf -- "--> %s (%ss)\n" "$*" "$SECONDS"; }
fail() {
  printf 'FAILED: %s\n' "$*" >&2
  exit 1
}

cleanup() {
  local status=$?
  if [ -n "$web_pid" ]; then
    # TERM the process group, up to 15 s to finish, then KILL.
    kill -TERM -- "-$web_pid" 2>/dev/null || true
    for _ in $(seq 1 30); do
      kill -0 -- "-$web_pid" 2>/dev/null || break
      sleep 0.5
    done
    kill -KILL -- "-$web_pid" 2>/dev/null || true
  fi
  if [ "$status" -ne 0 ] && [ -s "$work/web.log" ]; then
    printf '\n----- web log (last 40 lines) -----\n' >&2
    tail -n 40 "$work/web.log" >&2
  fi
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- 1. The schema the client is generated from ---------------------------------
say "docs/openapi.yaml describes the code (scripts/schema.sh check)"
bash scripts/schema.sh check >"$work/schema.log" 2>&1 || {
  cat "$work/schema.log" >&2
  fail "docs/openapi.yaml is out of date: run make schema, review the diff, commit it"
}

# --- 2. The client ----------------------------------------------------------------
say "compile the flow (tsc --noCheck)"
[ -d tests/frontend/node_modules ] || fail "run npm ci in tests/frontend first (make frontend-test does)"
npm --prefix tests/frontend run --silent build

# --- 3. Services of its own -------------------------------------------------------
say "fresh PostgreSQL database $DATABASE; Redis database $REDIS_DB flushed"
dropdb --if-exists -h 127.0.0.1 -U postgres "$DATABASE"
createdb -h 127.0.0.1 -U postgres "$DATABASE"
redis-cli -h 127.0.0.1 -n "$REDIS_DB" flushdb >/dev/null

# Only what production reads; nothing from the caller's environment leaks in.
production_env=(
  PATH="$root/.venv/bin:/usr/local/bin:/usr/bin:/bin"
  HOME="$work"
  LANG=C.UTF-8
  DJANGO_SETTINGS_MODULE=config.settings.production
  DJANGO_SECRET_KEY="$("$PYTHON" -c 'import secrets; print(secrets.token_urlsafe(50))')"
  DJANGO_ALLOWED_HOSTS=127.0.0.1
  DJANGO_ADMIN_URL=flow-admin/
  DATABASE_URL="postgres://postgres@127.0.0.1:5432/$DATABASE"
  REDIS_URL="redis://127.0.0.1:6379/$REDIS_DB"
  CELERY_BROKER_URL="redis://127.0.0.1:6379/$REDIS_DB"
  GUNICORN_BIND="127.0.0.1:$PORT"
  GUNICORN_WORKERS=2
)
run() { env -i "${production_env[@]}" "$@"; }

# --- 4. Migrate and seed -------------------------------------------------------------
say "docker/migrate.sh; manage.py seed_demo"
run docker/migrate.sh >"$work/migrate.log" 2>&1 || {
  cat "$work/migrate.log" >&2
  fail "migrations did not apply"
}
run python manage.py seed_demo --base-url "http://127.0.0.1:$PORT" >"$work/seed.log" 2>&1 || {
  cat "$work/seed.log" >&2
  fail "seed_demo failed"
}
# The demo store and its owner, as seed_demo made them (apps/stores/demo.py).
demo="$(run python manage.py shell --no-imports -c '
from apps.stores.demo import DEMO_PASSWORD, DEMO_STORE_SLUG, DEMO_USERS
owner = next(email for email, _, role, _ in DEMO_USERS if role == "owner")
print(DEMO_STORE_SLUG, owner, DEMO_PASSWORD)')"
read -r store owner password <<<"$demo"
# A week of daily reports up to the store's last ended day, as the hourly task would
# have built them (the flow pages through them).
week_ago="$("$PYTHON" -c 'import datetime; print(datetime.date.today() - datetime.timedelta(days=8))')"
run python manage.py build_daily_reports --store "$store" --from "$week_ago" >"$work/reports.log" 2>&1 || {
  cat "$work/reports.log" >&2
  fail "build_daily_reports failed"
}

# --- 5. The web process -------------------------------------------------------------
say "docker/start-web.sh (gunicorn, production settings) on 127.0.0.1:$PORT"
# In a process group of its own (setsid keeps the pid), stopped as a whole.
env -i "${production_env[@]}" setsid docker/start-web.sh >"$work/web.log" 2>&1 &
web_pid=$!

# --- 6. Ready, then the flow ----------------------------------------------------------
say "waiting up to ${TIMEOUT}s for /health/ready/ to answer 200"
status=""
for _ in $(seq 1 "$TIMEOUT"); do
  status="$(curl --silent --max-time 5 --output /dev/null --write-out '%{http_code}' \
    "http://127.0.0.1:$PORT/health/ready/" 2>/dev/null || true)"
  [ "$status" = "200" ] && break
  kill -0 "$web_pid" 2>/dev/null || fail "the web process exited"
  sleep 1
done
[ "$status" = "200" ] || fail "/health/ready/ answered ${status:-nothing}, not 200"

say "the flow (tests/frontend/src/flow.ts)"
# Not exec'd: the trap stops the server once the flow is done.
ORDERLY_BASE_URL="http://127.0.0.1:$PORT" \
ORDERLY_STORE="$store" \
ORDERLY_OWNER_EMAIL="$owner" \
ORDERLY_OWNER_PASSWORD="$password" \
ORDERLY_OPENAPI="$root/docs/openapi.yaml" \
  node tests/frontend/dist/flow.js
