"""Request id, JSON access log and request body cap."""

import logging
import re
import time
import uuid
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

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
