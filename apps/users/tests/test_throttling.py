"""Login, registration and reset are rate-limited per IP and per email."""

import pytest

from .factories import PASSWORD

pytestmark = pytest.mark.django_db

TOKEN = "/api/v1/auth/token/"


def test_login_is_limited_per_email_across_ips(api_client, user, settings, clock):
    settings.AUTH_RATE_LIMITS = {"ip": "1000/60", "email": "3/60"}
    for n in range(3):
        response = api_client.post(
            TOKEN, {"email": user.email, "password": "wrong"}, REMOTE_ADDR=f"10.0.0.{n}"
        )
        assert response.status_code == 401
    response = api_client.post(
        TOKEN,
        {"email": user.email.upper(), "password": PASSWORD},
        REMOTE_ADDR="10.0.0.9",
    )
    assert response.status_code == 429
    body = response.json()
    assert body["code"] == "throttled"
    assert 1 <= int(response["Retry-After"]) <= 60
    assert body["retry_after"] == int(response["Retry-After"])


def test_login_is_limited_per_ip_across_emails(api_client, settings, clock):
    settings.AUTH_RATE_LIMITS = {"ip": "3/60", "email": "1000/60"}
    for n in range(3):
        response = api_client.post(
            TOKEN, {"email": f"u{n}@example.com", "password": "x"}
        )
        assert response.status_code == 401
    response = api_client.post(TOKEN, {"email": "fresh@example.com", "password": "x"})
    assert response.status_code == 429
    # Another client IP is not affected.
    other = api_client.post(
        TOKEN, {"email": "fresh@example.com", "password": "x"}, REMOTE_ADDR="10.9.9.9"
    )
    assert other.status_code == 401


def test_registration_is_limited_per_ip(api_client, settings, clock):
    settings.AUTH_RATE_LIMITS = {"ip": "2/60", "email": "1000/60"}
    statuses = [
        api_client.post(
            "/api/v1/auth/register/",
            {"email": f"r{n}@example.com", "password": PASSWORD},
        ).status_code
        for n in range(3)
    ]
    assert statuses == [201, 201, 429]


def test_counters_are_shared_by_every_process_through_the_cache(
    api_client, user, settings
):
    """The counter lives in the cache (Redis in production), not in the process."""
    from django.core.cache import cache

    settings.AUTH_RATE_LIMITS = {"ip": "1000/60", "email": "2/60"}
    api_client.post(TOKEN, {"email": user.email, "password": "wrong"})
    keys = cache.keys("ratelimit:login:email:*") if hasattr(cache, "keys") else None
    if keys is not None:  # django-redis: the counter is a real Redis key
        assert len(keys) == 1
        assert cache.get(keys[0]) == 1
        assert user.email not in keys[0]
