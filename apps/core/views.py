"""Health endpoints and the problem+json error pages outside DRF."""

import logging

from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from .exceptions import problem_response
from .health import run_readiness_checks

logger = logging.getLogger(__name__)


@never_cache
def health_live(request: HttpRequest) -> JsonResponse:
    """The process is up and answering."""
    return JsonResponse({"status": "ok"})


@never_cache
def health_ready(request: HttpRequest) -> JsonResponse:
    """Database, cache and broker are reachable and migrations are applied."""
    healthy, checks = run_readiness_checks()
    if not healthy:
        logger.warning("readiness check failed", extra={"checks": checks})
    return JsonResponse(
        {"status": "ok" if healthy else "error", "checks": checks},
        status=200 if healthy else 503,
    )


@csrf_exempt
def api_not_found(request: HttpRequest) -> JsonResponse:
    return problem_response(
        status_code=404,
        code="not_found",
        detail=f"No API endpoint matches {request.path}.",
    )


def bad_request(
    request: HttpRequest, exception: Exception | None = None
) -> JsonResponse:
    return problem_response(status_code=400, code="bad_request", detail="Bad request.")


def permission_denied(
    request: HttpRequest, exception: Exception | None = None
) -> JsonResponse:
    return problem_response(
        status_code=403,
        code="permission_denied",
        detail="You do not have permission to perform this action.",
    )


def page_not_found(
    request: HttpRequest, exception: Exception | None = None
) -> JsonResponse:
    return problem_response(status_code=404, code="not_found", detail="Not found.")


def server_error(request: HttpRequest) -> JsonResponse:
    return problem_response(
        status_code=500,
        code="server_error",
        detail="An unexpected error occurred; it has been logged.",
    )
