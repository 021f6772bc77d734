"""RFC 9457 problem details: how every error of the API is rendered.

One exception handler renders every error the API can produce -- the project's
``ApplicationError`` family, DRF's own (401, 403, 404, 405, 415, 429...), Django's
``ValidationError``, ``Http404`` and ``PermissionDenied`` -- as
``application/problem+json``::

    {"type": "urn:orderly:problem:validation_error", "title": "Bad Request",
     "status": 400, "detail": "...", "code": "validation_error",
     "errors": [{"field": "email", "code": "required", "message": "..."}]}

Unknown exceptions are not handled here: they propagate to Django (logging,
Sentry) whose 500 handler answers with a problem body that leaks nothing.
"""

from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from rest_framework import exceptions as drf_exceptions
from rest_framework import status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler

from .exceptions import ApplicationError, FieldError, field_error

PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEM_TYPE_PREFIX = "urn:orderly:problem:"


def problem_body(
    *,
    status_code: int,
    code: str,
    detail: str,
    errors: Sequence[Mapping[str, Any]] = (),
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Build an RFC 9457 problem document."""
    body: dict[str, Any] = {
        "type": f"{PROBLEM_TYPE_PREFIX}{code}",
        "title": HTTPStatus(status_code).phrase,
        "status": status_code,
        "detail": detail,
        "code": code,
        "errors": list(errors),
    }
    for key, value in (extra or {}).items():
        body.setdefault(key, value)
    return body


def problem_response(*, status_code: int, code: str, detail: str) -> JsonResponse:
    """A problem+json response for plain Django views (outside DRF)."""
    return JsonResponse(
        problem_body(status_code=status_code, code=code, detail=detail),
        status=status_code,
        content_type=PROBLEM_CONTENT_TYPE,
    )


def flatten_errors(detail: Any, prefix: str = "") -> list[FieldError]:
    """Flatten DRF's nested error detail into ``{field, code, message}`` items.

    Nested fields are joined with dots (``lines.2.quantity``); errors that belong
    to no field carry ``field: null``.
    """
    items: list[dict[str, Any]] = []
    if isinstance(detail, Mapping):
        for key, value in detail.items():
            name = "" if key in ("non_field_errors", "__all__") else str(key)
            path = f"{prefix}.{name}" if prefix and name else (prefix or name)
            items.extend(flatten_errors(value, path))
    elif isinstance(detail, list | tuple):
        if all(isinstance(v, str) for v in detail):
            for value in detail:
                items.extend(flatten_errors(value, prefix))
        else:
            for index, value in enumerate(detail):
                if value:  # empty entries are the valid items of a list
                    path = f"{prefix}.{index}" if prefix else str(index)
                    items.extend(flatten_errors(value, path))
    else:
        code = getattr(detail, "code", None) or "invalid"
        items.append(field_error(prefix or None, str(detail), code))
    return items


def _first_message(detail: Any) -> str:
    if isinstance(detail, Mapping):
        return next((_first_message(v) for v in detail.values()), "")
    if isinstance(detail, list | tuple):
        return next((_first_message(v) for v in detail), "")
    return str(detail)


def problem_exception_handler(
    exc: Exception, context: dict[str, Any]
) -> Response | None:
    """DRF exception handler: render every known error as problem+json."""
    if isinstance(exc, ApplicationError):
        response = Response(
            problem_body(
                status_code=exc.status_code,
                code=exc.code,
                detail=exc.message,
                errors=exc.errors,
                extra=exc.extra,
            ),
            status=exc.status_code,
        )
        view = context.get("view")
        if exc.status_code == status.HTTP_401_UNAUTHORIZED and view is not None:
            # RFC 9110: a 401 says how to authenticate, as DRF's own 401s do.
            challenge = view.get_authenticate_header(context["request"])
            if challenge:
                response["WWW-Authenticate"] = challenge
        return _as_problem(response, context)

    if isinstance(exc, DjangoValidationError):
        exc = drf_exceptions.ValidationError(as_serializer_error(exc))
    elif isinstance(exc, Http404):
        exc = drf_exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = drf_exceptions.PermissionDenied()

    # DRF's handler sets the headers that go with the error (WWW-Authenticate,
    # Retry-After, Allow) and rolls back the transaction; we replace the body.
    handled = drf_exception_handler(exc, context)
    if handled is None or not isinstance(exc, drf_exceptions.APIException):
        return handled
    response = handled

    if isinstance(exc, drf_exceptions.ValidationError):
        code = "validation_error"
        errors = flatten_errors(exc.detail)
        detail = "The request is invalid; see `errors` for each field."
        if len(errors) == 1:
            field = errors[0]["field"]
            message = str(errors[0]["message"])
            detail = f"{field}: {message}" if field else message
    else:
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else exc.default_code
        errors = []
        detail = _first_message(exc.detail)
        if isinstance(exc.detail, Mapping):
            # SimpleJWT's token errors carry {"detail", "code", "messages"}.
            code = str(exc.detail.get("code", code))
            detail = str(exc.detail.get("detail", detail))

    extra: dict[str, Any] = {}
    wait = getattr(exc, "wait", None)
    if isinstance(exc, drf_exceptions.Throttled) and wait is not None:
        extra["retry_after"] = int(wait + 0.999)
    response.data = problem_body(
        status_code=response.status_code,
        code=str(code),
        detail=detail,
        errors=errors,
        extra=extra,
    )
    return _as_problem(response, context)


def _as_problem(response: Response, context: dict[str, Any]) -> Response:
    # The browsable API (local only) renders errors as HTML; leave its type be.
    renderer = getattr(context.get("request"), "accepted_renderer", None)
    if renderer is None or renderer.format == "json":
        response.content_type = PROBLEM_CONTENT_TYPE
    return response
