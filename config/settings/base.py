"""Settings shared by every environment.

Every value that differs between environments is read from the environment
(see `.env.example`). With nothing set, the project runs on the embedded
default: SQLite, the local-memory cache and eager Celery.
"""

from datetime import timedelta
from email.utils import parseaddr
from pathlib import Path

import django_stubs_ext
import environ
from celery.schedules import crontab
from corsheaders.defaults import default_headers
from kombu import Queue

# Lets model, form and admin classes be subscripted at run time (ModelAdmin[Store]).
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
# DJANGO_READ_DOT_ENV=false: the environment alone, as `make schema` needs so
# that the committed OpenAPI document depends on no machine's .env file.
if env.bool("DJANGO_READ_DOT_ENV", default=True) and (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env")

# --- Core -------------------------------------------------------------------

SECRET_KEY = env.str(
    "DJANGO_SECRET_KEY",
    default="insecure-local-only-key-change-me-0123456789abcdefghijklmnopqrstuv",
)
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # Third party
    "corsheaders",
    "rest_framework",
    "rest_framework_simplejwt",
    "rest_framework_simplejwt.token_blacklist",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    # Orderly, in dependency order (an app only imports those above it).
    "apps.core",
    "apps.users",
    "apps.stores",
    "apps.customers",
    "apps.products",
    "apps.orders",
    "apps.reports",
]

MIDDLEWARE = [
    "apps.core.middleware.RequestIdMiddleware",
    "apps.core.middleware.AccessLogMiddleware",
    "apps.core.middleware.BodySizeLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "apps.core.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    # Serves an anonymous read's shared page (a storefront cache hit) here, so
    # that the middleware below and DRF's dispatch run only for the rest:
    # everything above still applies to its answer (ADR 0065).
    "apps.core.caching.SharedPageMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
AUTH_USER_MODEL = "users.User"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
ADMIN_URL = env.str("DJANGO_ADMIN_URL", default="admin/")

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------
# SQLite by default; PostgreSQL (psycopg 3) when DATABASE_URL points at it.
# PostgreSQL connections are persistent (CONN_MAX_AGE) with health checks, or
# drawn from psycopg's pool when DATABASE_POOL=true (see docs/decisions).

# An empty DATABASE_URL counts as unset (production then names it as missing).
DATABASES = {
    "default": env.db_url_config(
        env.str("DATABASE_URL", default="") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
    )
}
# Django's PostgreSQL backend with a schema editor that migrates without long
# locks (django-pg-zero-downtime-migrations, ADR 0055); queries are unchanged.
POSTGRESQL_ENGINE = "apps.core.db.postgresql"
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["ENGINE"] = POSTGRESQL_ENGINE
if DATABASES["default"]["ENGINE"] == POSTGRESQL_ENGINE:
    if env.bool("DATABASE_POOL", default=False):
        DATABASES["default"]["CONN_MAX_AGE"] = 0
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": env.int("DATABASE_POOL_MIN_SIZE", default=2),
            "max_size": env.int("DATABASE_POOL_MAX_SIZE", default=10),
            "timeout": 10,
        }
    else:
        DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", 60)
        DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Statements bound and prepared on the server (ADR 0069): a statement run
    # DATABASE_PREPARE_THRESHOLD times on a connection is parsed and planned
    # once; off (false) behind a pooler in transaction mode that does not
    # carry prepared statements (PgBouncer before 1.21, or without
    # max_prepared_statements).
    if env.bool("DATABASE_PREPARED_STATEMENTS", default=True):
        DATABASES["default"].setdefault("OPTIONS", {}).update(
            server_side_binding=True,
            prepare_threshold=env.int("DATABASE_PREPARE_THRESHOLD", default=5),
        )
    # Every session bounds its statements and its lock waits (milliseconds), so a
    # runaway query or a request queued behind a long lock fails instead of holding
    # a worker and a connection. Short for the web process; docker/start-worker.sh
    # and docker/migrate.sh raise the statement timeout for their longer work.
    DATABASE_STATEMENT_TIMEOUT = env.int("DATABASE_STATEMENT_TIMEOUT", default=30_000)
    DATABASE_LOCK_TIMEOUT = env.int("DATABASE_LOCK_TIMEOUT", default=5_000)
    # Appended to any libpq options given in DATABASE_URL (`?options=...`).
    _db_options = DATABASES["default"].setdefault("OPTIONS", {})
    _db_options["options"] = (
        f"{_db_options.get('options', '')}"
        f" -c statement_timeout={DATABASE_STATEMENT_TIMEOUT}"
        f" -c lock_timeout={DATABASE_LOCK_TIMEOUT}"
    ).strip()

# --- Migrations -------------------------------------------------------------------
# On PostgreSQL a statement of a migration that needs an ACCESS EXCLUSIVE lock
# waits at most MIGRATION_LOCK_TIMEOUT for it and then holds it at most
# MIGRATION_STATEMENT_TIMEOUT; every query of the site queues behind such a lock,
# so a migration that cannot get it fails and is retried instead. Index builds
# and constraint validations run concurrently, without the session's statement
# timeout. Operations that would lock a busy table for long (a plain CREATE
# INDEX, SET NOT NULL with a full scan, a column type change, a rename) are
# refused: docs/migrations.md shows the safe way to make each change.
ZERO_DOWNTIME_MIGRATIONS_LOCK_TIMEOUT = env.str("MIGRATION_LOCK_TIMEOUT", default="2s")
ZERO_DOWNTIME_MIGRATIONS_STATEMENT_TIMEOUT = env.str(
    "MIGRATION_STATEMENT_TIMEOUT", default="2s"
)
ZERO_DOWNTIME_MIGRATIONS_FLEXIBLE_STATEMENT_TIMEOUT = True
ZERO_DOWNTIME_MIGRATIONS_RAISE_FOR_UNSAFE = True

# --- Cache ------------------------------------------------------------------------
# Redis (django-redis) when REDIS_URL is set; otherwise the local-memory cache.

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="orderly"),
            "OPTIONS": {
                "CLIENT_CLASS": "django_redis.client.DefaultClient",
                "SOCKET_CONNECT_TIMEOUT": 2,
                "SOCKET_TIMEOUT": 2,
            },
        }
    }
    # A Redis outage degrades the service instead of failing every request:
    # cache reads miss, writes are dropped, throttles let requests through, and
    # each error is logged; /health/ready/ reports the cache as failing.
    DJANGO_REDIS_IGNORE_EXCEPTIONS = True
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "orderly",
        }
    }

# --- Authentication and passwords ---------------------------------------------

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation."
        "UserAttributeSimilarityValidator"
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=60 * 60)
# At most one reset email per account in each window of this many seconds:
# repeated requests within it send nothing more (and still answer 202).
PASSWORD_RESET_EMAIL_INTERVAL = env.int("PASSWORD_RESET_EMAIL_INTERVAL", default=300)
# Link put in password reset emails; {uid} and {token} are filled in.
PASSWORD_RESET_URL = env.str(
    "PASSWORD_RESET_URL",
    default="http://localhost:3000/reset-password?uid={uid}&token={token}",
)

# --- Internationalisation --------------------------------------------------------

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static files -----------------------------------------------------------------

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# --- Email -----------------------------------------------------------------------

EMAIL_CONFIG = env.email_url(
    "EMAIL_URL", default="consolemail://"
)  # smtp://user:pass@host:587 in production
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default="Orderly <no-reply@localhost>"
)
# Seconds an SMTP connection may stall. The outbox holds a row lock while it
# sends, so a silent mail server must not hold it until the task is killed.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
# Right-hand side of the Message-ID of outbox emails. It must not depend on the
# host that sends (as Django's own ids do): a repeat must carry the same id.
EMAIL_MESSAGE_ID_DOMAIN = env.str(
    "EMAIL_MESSAGE_ID_DOMAIN",
    default=parseaddr(DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "orderly.invalid",
)

# --- Outbox ----------------------------------------------------------------------
# Side effects recorded with the change that causes them (docs/outbox.md).

# Attempts before a message is dead (an operator then retries it in the admin).
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=8)
# Wait after the first failed attempt; it doubles with each failure, up to the cap.
OUTBOX_BACKOFF_SECONDS = env.int("OUTBOX_BACKOFF_SECONDS", default=30)
OUTBOX_BACKOFF_MAX_SECONDS = env.int("OUTBOX_BACKOFF_MAX_SECONDS", default=60 * 60)
# How often beat runs the relay, and how many messages one run handles at most.
OUTBOX_RELAY_INTERVAL = env.int("OUTBOX_RELAY_INTERVAL", default=30)
OUTBOX_RELAY_BATCH_SIZE = env.int("OUTBOX_RELAY_BATCH_SIZE", default=50)
# Days a delivered message is kept, and with it the guarantee that its key is not
# recorded again (7 at least); the daily purge deletes it afterwards.
OUTBOX_RETENTION_DAYS = env.int("OUTBOX_RETENTION_DAYS", default=30)

# --- Django REST framework -------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "apps.stores.authentication.JWTAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["apps.core.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["apps.core.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "apps.core.pagination.CursorPagination",
    "DEFAULT_FILTER_BACKENDS": ["apps.core.filters.FilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "apps.core.schema.ProblemAutoSchema",
    "EXCEPTION_HANDLER": "apps.core.problems.problem_exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "apps.core.throttling.AnonRateThrottle",
        "apps.core.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("THROTTLE_ANON_RATE", default="120/min"),
        "user": env.str("THROTTLE_USER_RATE", default="600/min"),
        # Orders placed per user (every store together).
        "order_placement": env.str("THROTTLE_ORDER_PLACEMENT_RATE", default="30/min"),
    },
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

# Login, registration and password-reset requests, counted per client IP and
# per email address with atomic cache counters: "<count>/<seconds>".
AUTH_RATE_LIMITS = {
    "ip": env.str("AUTH_RATE_LIMIT_IP", default="30/60"),
    "email": env.str("AUTH_RATE_LIMIT_EMAIL", default="10/60"),
}
# Number of trusted proxies in front of the app (X-Forwarded-For hops).
NUM_PROXIES = env.int("NUM_PROXIES", default=0)
REST_FRAMEWORK["NUM_PROXIES"] = NUM_PROXIES

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=5),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=7),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": True,
    # Tokens carry a hash of the password hash: changing the password makes
    # every outstanding access token invalid at once, not only refresh tokens.
    "CHECK_REVOKE_TOKEN": True,
    "AUTH_HEADER_TYPES": ("Bearer",),
    "USER_ID_FIELD": "id",
    "TOKEN_REFRESH_SERIALIZER": "apps.users.serializers.TokenRefreshInputSerializer",
}

# Largest request body the API accepts, in bytes (answers 413 above it).
API_MAX_BODY_BYTES = env.int("API_MAX_BODY_BYTES", default=1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = API_MAX_BODY_BYTES

# --- OpenAPI (drf-spectacular, assets served locally by the sidecar) -------------

SPECTACULAR_SETTINGS = {
    "TITLE": "Orderly API",
    "DESCRIPTION": (
        "Multi-tenant e-commerce orders backend. Authenticate with a JWT access "
        "token (`Authorization: Bearer <token>`); every error is RFC 9457 "
        "`application/problem+json`."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]+",
    "ENUM_NAME_OVERRIDES": {
        "MembershipRoleEnum": "apps.stores.models.Membership.Role",
    },
}

# --- Catalog ---------------------------------------------------------------------

# Seconds a public catalog page stays in the cache (writes invalidate it sooner).
CATALOG_CACHE_SECONDS = env.int("CATALOG_CACHE_SECONDS", default=300)
# Seconds a worker remembers a store's id by its slug to name a storefront page
# before reading it again (0: read it every time). A deleted store's pages can
# be served from the cache this long after it is gone (ADR 0067).
STORE_ID_MEMORY_SECONDS = env.int("STORE_ID_MEMORY_SECONDS", default=5)
# Least total spent (store currency) for each customer tier above bronze.
CUSTOMER_TIER_THRESHOLDS = {"silver": "100", "gold": "500", "platinum": "2000"}
# Rows accepted by one CSV product import.
PRODUCT_IMPORT_MAX_ROWS = env.int("PRODUCT_IMPORT_MAX_ROWS", default=5000)

# --- Orders ----------------------------------------------------------------------

# Abuse limits of one order.
ORDER_MAX_LINES = env.int("ORDER_MAX_LINES", default=50)
ORDER_MAX_LINE_QUANTITY = env.int("ORDER_MAX_LINE_QUANTITY", default=1000)
# A key whose first request has not answered after this long is taken over.
IDEMPOTENCY_IN_PROGRESS_SECONDS = env.int("IDEMPOTENCY_IN_PROGRESS_SECONDS", default=60)
# How long an Idempotency-Key and its answer are kept (24 hours at least).
IDEMPOTENCY_KEY_RETENTION_HOURS = env.int("IDEMPOTENCY_KEY_RETENTION_HOURS", default=48)
# Unpaid orders one run of the periodic expiry handles at most (the next run,
# a minute later, takes the rest).
ORDER_EXPIRY_BATCH_SIZE = env.int("ORDER_EXPIRY_BATCH_SIZE", default=500)

# --- Payment webhooks ------------------------------------------------------------

# How long a store's previous webhook secret still verifies after a rotation, so
# that no payment event is refused while the provider is given the new one.
WEBHOOK_SECRET_GRACE = timedelta(
    seconds=env.int("WEBHOOK_SECRET_GRACE_SECONDS", default=24 * 60 * 60)
)

# --- CORS ------------------------------------------------------------------------
# Browsers may call /api/ from the listed origins only (none by default). Scripts
# may read the response headers a frontend acts on, and send the request headers
# the API reads (ADR 0037).

CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=[])
CORS_URLS_REGEX = r"^/api/.*$"
CORS_EXPOSE_HEADERS = [
    "ETag",
    "Idempotent-Replayed",
    "Location",
    "Retry-After",
    "X-Request-ID",
]
CORS_ALLOW_HEADERS = (
    *default_headers,
    "idempotency-key",
    "if-match",
    "if-none-match",
    "x-request-id",
)

# --- Celery ----------------------------------------------------------------------
# docs/background-jobs.md: queues, schedule, and what happens when a worker or the
# broker dies. With no broker configured tasks run eagerly in-process (embedded
# default).

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="memory://")
# The in-memory broker has no worker on the other side: a task sent to it is
# lost. So it always means eager; with a real broker, eager is opt-in.
CELERY_TASK_ALWAYS_EAGER = CELERY_BROKER_URL.startswith("memory://") or env.bool(
    "CELERY_TASK_ALWAYS_EAGER", default=False
)
CELERY_TASK_EAGER_PROPAGATES = True
# Messages are JSON, never pickle: a message is data, not code to run.
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_ENABLE_UTC = True
CELERY_TIMEZONE = "UTC"
# Tasks write their outcome to the database and the log; nobody waits on a result.
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
# Every task is idempotent, so a message is acknowledged only once its task has
# finished: a worker that dies mid-task leaves it to be run again, and one worker
# holds one message at a time beyond the one it runs.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Defaults for a task that sets none; each task of the project sets its own.
CELERY_TASK_TIME_LIMIT = 120
CELERY_TASK_SOFT_TIME_LIMIT = 100
CELERY_TASK_DEFAULT_QUEUE = "default"
# The queues a worker consumes (docker/start-worker.sh): `mail` for user-facing
# email, `reports` for heavy aggregate work, `default` for the rest, so that a
# long report never delays a password reset.
CELERY_TASK_QUEUES = [Queue(name) for name in ("default", "mail", "reports")]
# Every task is routed by its explicit name (the `name=` of its decorator); a task
# not listed here runs on the default queue.
CELERY_TASK_ROUTES = {
    "core.deliver_outbox_message": {"queue": "mail"},
    "core.relay_outbox": {"queue": "mail"},
    "core.purge_outbox": {"queue": "default"},
    "orders.expire_unpaid_orders": {"queue": "default"},
    "orders.purge_idempotency_keys": {"queue": "default"},
    "users.flush_expired_tokens": {"queue": "default"},
    "products.reconcile_stock": {"queue": "reports"},
    "products.send_low_stock_digests": {"queue": "reports"},
    "reports.build_daily_reports": {"queue": "reports"},
}


def _daily(task: str, *, at: tuple[int, int]) -> dict[str, object]:
    """A beat entry running ``task`` once a day at ``at`` (hour, minute) UTC."""
    hour, minute = at
    return {
        "task": task,
        "schedule": crontab(minute=minute, hour=hour),
        "options": {"expires": 60 * 60},
    }


# Periodic tasks (docker/start-beat.sh; docs/background-jobs.md). Each entry's
# `expires` drops a run still queued when the next one is due rather than piling
# runs up behind a busy worker; every task is safe to run twice or concurrently.
# Daily runs are staggered in the small hours UTC. Daily sales reports run hourly,
# a little after the hour, since each store's day ends at its own local midnight.
CELERY_BEAT_SCHEDULE = {
    "relay-outbox": {
        "task": "core.relay_outbox",
        "schedule": OUTBOX_RELAY_INTERVAL,
        "options": {"expires": OUTBOX_RELAY_INTERVAL},
    },
    "expire-unpaid-orders": {
        "task": "orders.expire_unpaid_orders",
        "schedule": 60,
        "options": {"expires": 60},
    },
    "purge-idempotency-keys": _daily("orders.purge_idempotency_keys", at=(3, 10)),
    "flush-expired-tokens": _daily("users.flush_expired_tokens", at=(3, 20)),
    "reconcile-stock": _daily("products.reconcile_stock", at=(3, 30)),
    "purge-outbox": _daily("core.purge_outbox", at=(3, 40)),
    "low-stock-digest": _daily("products.send_low_stock_digests", at=(6, 0)),
    "build-daily-reports": {
        "task": "reports.build_daily_reports",
        "schedule": crontab(minute=10),
        "options": {"expires": 60 * 60},
    },
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 2,
    # Redis hands a message that was delivered but never acknowledged (its worker
    # died) to another worker after this many seconds. It must exceed the longest
    # task's time limit, or a slow task would run twice at once.
    "visibility_timeout": env.int("CELERY_BROKER_VISIBILITY_TIMEOUT", default=60 * 60),
}
# The worker and beat log through LOGGING below (JSON lines), not through a
# plain-text handler of their own on the root logger.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# --- Reports -----------------------------------------------------------------------

# Products listed in a daily report, best revenue first.
REPORTS_TOP_PRODUCTS = env.int("REPORTS_TOP_PRODUCTS", default=5)
# How long a store's "today so far" summary is served from the cache.
REPORTS_TODAY_CACHE_SECONDS = env.int("REPORTS_TODAY_CACHE_SECONDS", default=60)

# --- Logging: JSON lines with the request id ------------------------------------
# Every line is one JSON object whose `time` is ISO 8601 in UTC with microseconds
# (2026-11-22T01:18:07.842399+00:00): python-json-logger's `timestamp` field.
# config/gunicorn.conf.py formats gunicorn's own lines the same way.

LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "apps.core.logging.RequestIdFilter"}},
    "formatters": {
        "json": {
            "()": "apps.core.logging.JsonLineFormatter",
            "fmt": "%(levelname)s %(name)s %(message)s",
            "rename_fields": {"levelname": "level"},
            "timestamp": "time",
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "filters": ["request_id"],
        },
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.server": {"level": "WARNING"},
        "django.request": {"level": "ERROR"},
    },
}

# --- Content Security Policy (django-csp 4) -----------------------------------------
# Every page is the admin, Swagger UI or ReDoc, all served from this origin; no
# inline script anywhere (Swagger UI runs as the split view, its initialiser a
# file). Styles allow 'unsafe-inline' because ReDoc and Swagger UI set styles at
# run time; ReDoc's page links Google Fonts and its badge image, and parses the
# schema in a blob: worker. docs/decisions/0061.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'", "https://fonts.googleapis.com"],
        "font-src": ["'self'", "data:", "https://fonts.gstatic.com"],
        # ReDoc's "powered by" badge.
        "img-src": ["'self'", "data:", "https://cdn.redoc.ly"],
        "connect-src": ["'self'"],
        "worker-src": ["'self'", "blob:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# --- Sentry ----------------------------------------------------------------------

SENTRY_DSN = env.str("SENTRY_DSN", default="")
