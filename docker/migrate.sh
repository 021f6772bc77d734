#!/usr/bin/env bash
# One-shot: apply migrations before new code is rolled out. The release still
# serving keeps working on the new schema, so web containers never migrate.
set -euo pipefail

# A data migration or a concurrent index build may run for minutes, so statements
# get 10 minutes here instead of the web process's 30 s. The statements that take
# a table's strongest lock get far less: the zero-downtime backend gives each one
# MIGRATION_LOCK_TIMEOUT and MIGRATION_STATEMENT_TIMEOUT (2 s by default, ADR
# 0055), so a migration queued behind a long transaction gives up and is retried
# instead of holding up every query behind it. An explicit value in the
# environment wins.
: "${DATABASE_STATEMENT_TIMEOUT:=600000}"
export DATABASE_STATEMENT_TIMEOUT

cd "$(dirname "${BASH_SOURCE[0]}")/.."
exec python manage.py migrate --noinput "$@"
