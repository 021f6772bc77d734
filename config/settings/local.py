"""Local development: debug on, browsable API, console email."""

from .base import *

DEBUG = env.bool("DJANGO_DEBUG", default=True)
ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"]
)

REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"] = [
    "apps.core.renderers.JSONRenderer",
    "rest_framework.renderers.BrowsableAPIRenderer",
]
REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"] = [
    "apps.stores.authentication.JWTAuthentication",
    "rest_framework.authentication.SessionAuthentication",
]

# The usual dev servers of a frontend (Next.js/CRA on 3000, Vite on 5173) may call
# the API from the browser. Local development only: production reads the
# allow-list from CORS_ALLOWED_ORIGINS and allows nothing by default.
LOCAL_FRONTEND_ORIGINS = [
    f"http://{host}:{port}"
    for host in ("localhost", "127.0.0.1")
    for port in (3000, 5173)
]
CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=LOCAL_FRONTEND_ORIGINS)

# Plain static storage: no collectstatic step needed to run locally.
STORAGES["staticfiles"] = {
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}

# Serve static files from the apps' folders; no collectstatic needed.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# --- Migration linting --------------------------------------------------------------
# `manage.py lintmigrations` (django-migration-linter, a development tool) reads
# the SQL of every migration and fails on one the release still serving could not
# live with: a dropped or renamed column or table, a NOT NULL column it does not
# write. CI runs it on PostgreSQL, through the zero-downtime backend.
INSTALLED_APPS = [*INSTALLED_APPS, "django_migration_linter"]
# Its verdicts go to stdout; its INFO lines (one per sqlmigrate call) are noise.
LOGGING["loggers"]["django_migration_linter"] = {"level": "WARNING"}  # type: ignore[index]
MIGRATION_LINTER_OPTIONS = {
    # The analysis of the SQL, not a cache of it, decides (the cache is keyed
    # by file hash and outlives a change of backend or settings).
    "no_cache": True,
    # Orderly's own migrations. Those of Django and the third-party apps are
    # their projects' published history, each release's own business.
    "include_apps": [
        label.removeprefix("apps.")
        for label in INSTALLED_APPS
        if label.startswith("apps.")
    ],
    # A data migration without a way back fails the lint, like a schema error.
    "warnings_as_errors": ["RUNPYTHON_REVERSIBLE", "RUNSQL_REVERSIBLE"],
    # An initial migration builds tables that no release has used yet (stores
    # splits its own in two, 0001 and 0002, around the user model).
    "ignore_initial_migrations": True,
    # Reported on purpose, each reviewed and justified in its docstring:
    "ignore_name": [
        # The contract step of the item_count example: NOT NULL once every
        # running release writes the column (docs/migrations.md).
        "0005_order_item_count_not_null",
    ],
}
