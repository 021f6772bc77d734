"""Production: secrets, hosts and every backend come from the environment.

The embedded default of base.py (SQLite, the local-memory cache, eager tasks) is
for local use only. Production has none: it refuses to start while a required
variable is missing or empty, and names the variable (docs/decisions/0020).
"""

from django.core.exceptions import ImproperlyConfigured

from .base import *

# --- Required configuration ----------------------------------------------------

REQUIRED_ENVIRONMENT = (
    "DJANGO_SECRET_KEY",
    "DJANGO_ALLOWED_HOSTS",
    "DATABASE_URL",
    "REDIS_URL",
    "CELERY_BROKER_URL",
    "DJANGO_ADMIN_URL",
)
for _name in REQUIRED_ENVIRONMENT:
    if not env.str(_name, default="").strip():
        raise ImproperlyConfigured(
            f"Set the {_name} environment variable: production has no default "
            "for it (see .env.example)."
        )
if DATABASES["default"]["ENGINE"] != POSTGRESQL_ENGINE:
    raise ImproperlyConfigured(
        "DATABASE_URL must point at PostgreSQL in production "
        "(postgres://user:password@host:5432/name)."
    )
if CELERY_BROKER_URL.startswith("memory://"):
    raise ImproperlyConfigured(
        "CELERY_BROKER_URL must name a real broker in production "
        "(redis://host:6379/1): memory:// never reaches a worker."
    )

DEBUG = False
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

# --- HTTPS behind a proxy ---------------------------------------------------------

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
# Health probes come over plain HTTP from inside the network.
SECURE_REDIRECT_EXEMPT = [r"^health/"]
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool(
    "DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True
)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# --- Celery ------------------------------------------------------------------------
# Tasks always travel through the broker to the workers, never inside a request.

CELERY_TASK_ALWAYS_EAGER = False

# --- Sentry ------------------------------------------------------------------------

if SENTRY_DSN:
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration
    from sentry_sdk.integrations.redis import RedisIntegration

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        environment=env.str("SENTRY_ENVIRONMENT", default="production"),
        # The deployed version (a git SHA or tag); unset, Sentry guesses one.
        release=env.str("SENTRY_RELEASE", default="") or None,
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
        send_default_pii=False,
        integrations=[DjangoIntegration(), CeleryIntegration(), RedisIntegration()],
    )
