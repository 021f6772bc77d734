"""Rate limits on login, registration and password reset: per IP and per email."""

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from apps.core.ratelimit import Rate, hit


class AuthRateThrottle(BaseThrottle):
    """Count each attempt against the caller's IP and the email it names."""

    scope = "auth"

    def __init__(self) -> None:
        self._wait: int | None = None

    def allow_request(self, request: Request, view: Any) -> bool:
        limits = settings.AUTH_RATE_LIMITS
        waits = [
            hit(
                scope=f"{self.scope}:ip",
                identity=self.get_ident(request) or "unknown",
                rate=Rate.parse(limits["ip"]),
            )
        ]
        data = request.data
        email = data.get("email") if isinstance(data, Mapping) else None
        if isinstance(email, str) and email.strip():
            waits.append(
                hit(
                    scope=f"{self.scope}:email",
                    identity=email.strip().lower(),
                    rate=Rate.parse(limits["email"]),
                )
            )
        blocked = [w for w in waits if w is not None]
        self._wait = max(blocked) if blocked else None
        return not blocked

    def wait(self) -> float | None:
        return self._wait


class LoginRateThrottle(AuthRateThrottle):
    scope = "login"


class RegisterRateThrottle(AuthRateThrottle):
    scope = "register"


class PasswordResetRateThrottle(AuthRateThrottle):
    scope = "password_reset"
