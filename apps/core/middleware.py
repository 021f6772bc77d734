"""Request id, JSON access log, request body cap, Content-Security-Policy."""

import logging
import re
import time
import uuid
from collections.abc import Callable

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase

from .logging import set_request_id
from .problems import problem_response

access_logger = logging.getLogger("orderly.access")

REQUEST_ID_HEADER = "X-Request-ID"
# Accept a caller's id only if it is short and harmless to log.
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")

Handler = Callable[[HttpRequest], HttpResponse]


class RequestIdMiddleware:
    """Take ``X-Request-ID`` from the caller (or make one) and echo it back."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = incoming if _VALID_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        set_request_id(request_id)
        try:
            response = self.get_response(request)
        finally:
            set_request_id(None)
        response[REQUEST_ID_HEADER] = request_id
        return response


class AccessLogMiddleware:
    """Write one JSON line per request: who asked what, and how it went."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        duration_ms = round((time.perf_counter() - started) * 1000, 2)
        user = getattr(request, "user", None)
        match = getattr(request, "resolver_match", None)
        access_logger.info(
            "request",
            extra={
                "request_id": getattr(request, "request_id", None),
                "user_id": str(user.pk) if user and user.is_authenticated else None,
                "store": match.kwargs.get("store_slug") if match else None,
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": duration_ms,
            },
        )
        return response


class BodySizeLimitMiddleware:
    """Refuse request bodies above ``API_MAX_BODY_BYTES`` before reading them."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return problem_response(
                status_code=400,
                code="bad_request",
                detail="The Content-Length header is not a number.",
            )
        if length > settings.API_MAX_BODY_BYTES:
            return problem_response(
                status_code=413,
                code="payload_too_large",
                detail=(
                    f"The request body is {length} bytes; the limit is "
                    f"{settings.API_MAX_BODY_BYTES} bytes."
                ),
            )
        return self.get_response(request)


# What a view or a template can use to change the policy of one answer
# (django-csp's decorators and ``request.csp_nonce``): any of them, and the
# answer's policy is built for it by django-csp.
_CSP_OVERRIDES = tuple(
    f"_csp_{part}{suffix}"
    for part in ("config", "update", "replace", "exempt")
    for suffix in ("", "_ro")
)
_csp_policies: dict[str, tuple[str, tuple[str, ...]]] = {}


@receiver(setting_changed)
def _forget_csp_policies(*, setting: str, **kwargs: object) -> None:
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        _csp_policies.clear()


def _csp_policy(header: str) -> tuple[str, tuple[str, ...]]:
    """The policy the settings give ``header``, and the paths it skips."""
    if header not in _csp_policies:
        report_only = header == HEADER_REPORT_ONLY
        name = "CONTENT_SECURITY_POLICY" + ("_REPORT_ONLY" if report_only else "")
        excluded = (getattr(settings, name, None) or {}).get("EXCLUDE_URL_PREFIXES")
        _csp_policies[header] = (
            build_policy(report_only=report_only),
            tuple(excluded or ()),
        )
    return _csp_policies[header]


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with the settings' policy built once per process.

    django-csp builds both headers from the settings on every response (about
    0.1 ms, a tenth of a storefront cache hit; docs/performance.md). No view
    here changes its policy or uses a nonce, so the policy is the same for
    every answer: it is built on first use and kept (rebuilt when a test
    changes the settings). An answer that does change it (django-csp's
    decorators, a template that reads ``request.csp_nonce``) is handed to
    django-csp as before.
    """

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if getattr(request, "_csp_nonce", None) is not None or any(
            hasattr(response, name) for name in _CSP_OVERRIDES
        ):
            return super().process_response(request, response)
        if settings.DEBUG and response.status_code in (404, 500):
            return response  # Django's debug pages, as django-csp leaves them
        for header in (HEADER, HEADER_REPORT_ONLY):
            policy, excluded = _csp_policy(header)
            if (
                policy
                and header not in response
                and not request.path_info.startswith(excluded)
            ):
                response[header] = policy
        # As django-csp does: a nonce asked for after the header is written fails.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)  # type: ignore[attr-defined]
        return response
