#!/usr/bin/env bash
# One-shot: apply migrations before new code is rolled out. The release still
# serving keeps working on the new schema, so web containers never migrate.
set -euo pipefail

# A data migration or a concurrent index build may run for minutes, so statements
# get 10 minutes here instead of the web process's 30 s. The lock timeout stays
# short (5 s): a migration queued behind a long transaction would hold up every
# query behind it, so it gives up and is retried instead. An explicit value in
# the environment wins.
: "${DATABASE_STATEMENT_TIMEOUT:=600000}"
export DATABASE_STATEMENT_TIMEOUT

cd "$(dirname "${BASH_SOURCE[0]}")/.."
exec python manage.py migrate --noinput "$@"
