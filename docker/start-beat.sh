#!/usr/bin/env bash
# Beat: the periodic task scheduler. Run exactly one.
# The code directory belongs to root in the image, so the schedule state file
# lives in /tmp rather than in the working directory (celery's default).
# Log lines are JSON (LOGGING in config/settings/base.py); --quiet drops the
# plain-text start-up banner.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
exec celery -A config --quiet beat -l info --schedule /tmp/celerybeat-schedule "$@"
