#!/usr/bin/env bash
# One-shot: apply migrations before new code is rolled out (DESIGN §10).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
exec python manage.py migrate --noinput "$@"
