#!/usr/bin/env bash
# Container entrypoint: run the given command in place of this shell.
#
# Deliberately light: no waiting on services and no migrations here. Migrations
# run once, before a rollout, as their own one-shot step (`docker run IMAGE
# migrate`, i.e. docker/migrate.sh), never in every web container: ten web
# containers starting at once must not race to change the schema.
#
# Shorthands: web, worker, beat, migrate (e.g. `docker run IMAGE migrate`).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

case "${1:-}" in
  web | worker | beat)
    role="$1"
    shift
    set -- "$here/start-$role.sh" "$@"
    ;;
  migrate)
    shift
    set -- "$here/migrate.sh" "$@"
    ;;
  "")
    set -- "$here/start-web.sh"
    ;;
esac

exec "$@"
