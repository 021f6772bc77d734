#!/usr/bin/env bash
# Beat: the periodic task scheduler. Run exactly one.
# The code directory belongs to root in the image, so the schedule state file
# lives in /tmp rather than in the working directory (celery's default).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
exec celery -A config beat -l info --schedule /tmp/celerybeat-schedule "$@"
