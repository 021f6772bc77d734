"""The error contract: every failure is RFC 9457 problem+json with a stable code."""

import pytest
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions
from rest_framework.test import APIRequestFactory

from apps.core.exceptions import ConflictError, ValidationFailed
from apps.core.problems import (
    PROBLEM_CONTENT_TYPE,
    flatten_errors,
    problem_exception_handler,
)


def _handle(exc):
    request = APIRequestFactory().get("/")
    response = problem_exception_handler(exc, {"request": request, "view": None})
    assert response is not None
    assert response.content_type == PROBLEM_CONTENT_TYPE
    assert set(response.data) >= {"type", "title", "status", "detail", "code", "errors"}
    assert response.data["type"] == f"urn:orderly:problem:{response.data['code']}"
    return response


def test_application_error_keeps_its_status_code_and_extra_members():
    response = _handle(
        ConflictError("Already there.", code="already_member", extra={"id": 3})
    )
    assert response.status_code == 409
    assert response.data["code"] == "already_member"
    assert response.data["title"] == "Conflict"
    assert response.data["detail"] == "Already there."
    assert response.data["id"] == 3


def test_application_error_field_errors_are_rendered():
    errors = [{"field": "email", "code": "unique", "message": "Taken."}]
    response = _handle(ValidationFailed("Taken.", errors=errors))
    assert response.status_code == 400
    assert response.data["errors"] == errors


def test_django_validation_error_becomes_a_400_with_field_errors():
    exc = DjangoValidationError({"name": ["Too long."], "__all__": ["Broken."]})
    response = _handle(exc)
    assert response.status_code == 400
    assert response.data["code"] == "validation_error"
    fields = {(e["field"], e["message"]) for e in response.data["errors"]}
    assert fields == {("name", "Too long."), (None, "Broken.")}


@pytest.mark.parametrize(
    ("exc", "status", "code"),
    [
        (Http404(), 404, "not_found"),
        (PermissionDenied(), 403, "permission_denied"),
        (exceptions.NotAuthenticated(), 401, "not_authenticated"),
        (exceptions.MethodNotAllowed("PUT"), 405, "method_not_allowed"),
        (exceptions.UnsupportedMediaType("text/plain"), 415, "unsupported_media_type"),
        (exceptions.ParseError(), 400, "parse_error"),
    ],
)
def test_framework_errors_are_problems_with_their_code(exc, status, code):
    response = _handle(exc)
    assert response.status_code == status
    assert response.data["code"] == code
    assert response.data["errors"] == []


def test_throttled_carries_retry_after_header_and_member():
    response = _handle(exceptions.Throttled(wait=12.2))
    assert response.status_code == 429
    assert response["Retry-After"] == "13"
    assert response.data["retry_after"] == 13
    assert response.data["code"] == "throttled"


def test_unknown_exceptions_are_left_to_django_500_handling():
    request = APIRequestFactory().get("/")
    assert problem_exception_handler(RuntimeError("boom"), {"request": request}) is None


def test_flatten_errors_joins_nested_paths_with_dots():
    detail = exceptions.ValidationError(
        {
            "lines": [{}, {"quantity": ["Must be positive."]}],
            "non_field_errors": ["Bad."],
        }
    ).detail
    assert flatten_errors(detail) == [
        {
            "field": "lines.1.quantity",
            "code": "invalid",
            "message": "Must be positive.",
        },
        {"field": None, "code": "invalid", "message": "Bad."},
    ]


def test_unmatched_api_path_is_a_problem_404(api_client):
    response = api_client.get("/api/v1/does-not-exist/")
    assert response.status_code == 404
    assert response["Content-Type"] == PROBLEM_CONTENT_TYPE
    assert response.json()["code"] == "not_found"


def test_unmatched_path_outside_the_api_is_a_problem_404(client):
    response = client.get("/nothing-here/")
    assert response.status_code == 404
    assert response["Content-Type"] == PROBLEM_CONTENT_TYPE


@pytest.mark.django_db
def test_a_crash_is_a_problem_500_without_internals(client, monkeypatch):
    from apps.core import health

    def explode():
        raise RuntimeError("secret internals")

    monkeypatch.setattr("apps.core.views.run_readiness_checks", explode)
    client.raise_request_exception = False
    response = client.get("/health/ready/")
    assert response.status_code == 500
    assert response["Content-Type"] == PROBLEM_CONTENT_TYPE
    assert b"secret internals" not in response.content
    assert response.json()["code"] == "server_error"
    assert health.READINESS_CHECKS  # the real checks are untouched
