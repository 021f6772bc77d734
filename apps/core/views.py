"""Health endpoints and the problem+json error pages outside DRF."""

from typing import Any

from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from .health import run_readiness_checks
from .problems import problem_response

# Where a newcomer starts: the documentation, the schema and the top-level
# resources, by URL name so a moved route moves its link too.
API_ROOT_LINKS = {
    "docs": "docs",
    "redoc": "redoc",
    "schema": "schema",
    "register": "v1:auth:register",
    "token": "v1:auth:token",
    "token_refresh": "v1:auth:token-refresh",
    "me": "v1:users:me",
    "stores": "v1:stores:store-list",
}


class ApiRootView(APIView):
    """``/api/v1/``: links to the documentation and the top-level resources."""

    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="api_root",
        summary="Links to the API documentation and the top-level resources",
        tags=["api"],
        responses={
            200: inline_serializer(
                "ApiRoot",
                {
                    "name": serializers.CharField(),
                    "version": serializers.CharField(),
                    "links": serializers.DictField(child=serializers.URLField()),
                },
            )
        },
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        links = {
            name: request.build_absolute_uri(reverse(url_name))
            for name, url_name in API_ROOT_LINKS.items()
        }
        return Response({"name": "Orderly API", "version": "v1", "links": links})


@never_cache
def health_live(request: HttpRequest) -> JsonResponse:
    """The process is up and answering."""
    return JsonResponse({"status": "ok"})


@never_cache
def health_ready(request: HttpRequest) -> JsonResponse:
    """Database, cache and broker are reachable and migrations are applied."""
    healthy, checks = run_readiness_checks()
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
