#!/usr/bin/env bash
# The OpenAPI document as a reviewed artifact (docs/openapi.yaml, ADR 0033).
#
#   bash scripts/schema.sh write      regenerate docs/openapi.yaml   (make schema)
#   bash scripts/schema.sh check      fail if it differs from the code (make schema-check)
#   bash scripts/schema.sh breaking   fail on a breaking change since the baseline,
#                                     docs/openapi-baseline.yaml (make schema-breaking)
#   bash scripts/schema.sh lint       Redocly CLI with tools/openapi/redocly.yaml
#                                     (make schema-lint)
#   bash scripts/schema.sh accept     copy docs/openapi.yaml over the baseline, after
#                                     recording the change in docs/api-changes.md
#
# The document is generated with the base settings in an empty environment
# (no .env file either), so that no machine's configuration can change it.
# breaking and lint need `npm ci` in tools/openapi (make schema-tools).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
root="$PWD"
SCHEMA=docs/openapi.yaml
BASELINE=docs/openapi-baseline.yaml
TOOLS=tools/openapi

generate() {
  env -i PATH="$PATH" HOME="${HOME:-/tmp}" LANG=C.UTF-8 \
    DJANGO_READ_DOT_ENV=false DJANGO_SETTINGS_MODULE=config.settings.base \
    "$root/.venv/bin/python" manage.py spectacular --validate --fail-on-warn --file "$1"
}

need_tools() {
  [ -x "$TOOLS/node_modules/.bin/$1" ] ||
    { echo "Run npm ci in $TOOLS first (make schema-tools)." >&2; exit 1; }
}

case "${1:-}" in
write)
  generate "$SCHEMA"
  echo "Wrote $SCHEMA. Review the diff (git diff $SCHEMA) before committing it."
  ;;
check)
  tmp="$(mktemp "${TMPDIR:-/tmp}/openapi.XXXXXX.yaml")"
  trap 'rm -f "$tmp"' EXIT
  generate "$tmp"
  if ! diff -u "$SCHEMA" "$tmp" >"$tmp.diff"; then
    head -n 60 "$tmp.diff"
    rm -f "$tmp.diff"
    cat >&2 <<MSG

$SCHEMA no longer describes the code (above, the start of the diff: - committed, + generated).
If the API change is intended: run make schema, review git diff $SCHEMA,
and commit the file with the change. make schema-breaking then says
whether the change breaks clients (docs/api.md, Versioning and deprecation).
MSG
    exit 1
  fi
  rm -f "$tmp.diff"
  echo "$SCHEMA matches the code."
  ;;
breaking)
  need_tools optic
  # Optic reads two files and compares them; nothing is sent anywhere.
  if ! OPTIC_TELEMETRY_LEVEL=off "$TOOLS/node_modules/.bin/optic" diff \
    "$BASELINE" "$SCHEMA" --check --standard "$TOOLS/optic-standard.yml"; then
    cat >&2 <<MSG

$SCHEMA breaks clients of the baseline $BASELINE (above).
Keep the old behaviour, or add the new one beside it (docs/api.md, Versioning
and deprecation). If the break is intended and agreed: record it in
docs/api-changes.md, run bash scripts/schema.sh accept, and commit both.
MSG
    exit 1
  fi
  ;;
lint)
  need_tools redocly
  exec env REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true \
    "$TOOLS/node_modules/.bin/redocly" lint --config "$TOOLS/redocly.yaml" "$SCHEMA"
  ;;
accept)
  cp "$SCHEMA" "$BASELINE"
  echo "Copied $SCHEMA to $BASELINE. Commit it with its entry in docs/api-changes.md."
  ;;
*)
  sed -n '2,16p' "$0" >&2
  exit 2
  ;;
esac
