#!/usr/bin/env bash
# Worker: consumes the default, mail and reports queues (CELERY_TASK_ROUTES in
# config/settings/base.py; docs/background-jobs.md). A deployment may run one
# worker per queue instead: `-Q reports` for the heavy work, and so on.
# Log lines are JSON (LOGGING in config/settings/base.py); --quiet drops the
# plain-text start-up banner.
set -euo pipefail

# A task's statements may run as long as the task itself (CELERY_TASK_TIME_LIMIT,
# 120 s) rather than the web process's 30 s; lock waits stay short. An explicit
# value in the environment wins.
: "${DATABASE_STATEMENT_TIMEOUT:=120000}"
export DATABASE_STATEMENT_TIMEOUT

cd "$(dirname "${BASH_SOURCE[0]}")/.."
exec celery -A config --quiet worker -Q default,mail,reports -l info "$@"
