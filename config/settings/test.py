"""Test settings: the embedded default, or PostgreSQL + Redis when DATABASE_URL
and REDIS_URL are set (as in CI)."""

from .base import *

DEBUG = False
SECRET_KEY = "test-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz-abcdef"
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]

# Fast hashing: tests create many users.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# The real-worker tests (tests/test_worker.py) start `celery worker` processes
# with these settings and read the emails they send from files.
EMAIL_BACKEND = env.str("TEST_EMAIL_BACKEND", default=EMAIL_BACKEND)
EMAIL_FILE_PATH = env.str("TEST_EMAIL_FILE_PATH", default="")

CELERY_TASK_ALWAYS_EAGER = True
STORAGES["staticfiles"] = {
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}

if DATABASES["default"]["ENGINE"] == POSTGRESQL_ENGINE:
    # Persistent connections would outlive the threads of concurrency tests.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = False
    DATABASES["default"].get("OPTIONS", {}).pop("pool", None)

if REDIS_URL:
    # A prefix of its own, so a test run never touches another one's keys.
    CACHES["default"]["KEY_PREFIX"] = "orderly-test"

LOGGING["root"]["level"] = env.str("TEST_LOG_LEVEL", default="WARNING")  # type: ignore[index]

# Serve static files from the apps' folders; no collectstatic needed.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
