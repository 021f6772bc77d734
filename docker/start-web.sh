#!/usr/bin/env bash
# Web: gunicorn serving the WSGI app. Every setting of config/gunicorn.conf.py can
# be overridden from the environment (GUNICORN_BIND, GUNICORN_WORKERS, ...).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
exec gunicorn config.wsgi:application -c config/gunicorn.conf.py "$@"
