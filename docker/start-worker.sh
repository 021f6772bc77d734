#!/usr/bin/env bash
# Worker: consumes the default and mail queues (mail tasks are routed to `mail`).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
exec celery -A config worker -Q default,mail -l info "$@"
