"""The project's errors, apart from how HTTP renders them.

Services and selectors raise ``ApplicationError`` subclasses with a stable
``code`` (or Django's ``Http404``), never an error class of DRF or SimpleJWT, so
a Celery task or a management command can call them and catch what they raise.
Each class carries the HTTP status it maps to as a plain number; rendering the
error as ``application/problem+json`` is the job of ``apps.core.problems``.

A field error is one ``{"field", "code", "message"}`` item, built by
``field_error``; ``ValidationFailed.on_field`` raises the common one-field case.
"""

from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any


class ApplicationError(Exception):
    """A business rule was broken; the message tells the caller how to fix it."""

    status_code: int = HTTPStatus.BAD_REQUEST
    default_code: str = "application_error"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        extra: Mapping[str, Any] | None = None,
        errors: Sequence[Mapping[str, Any]] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.extra = dict(extra or {})
        self.errors = list(errors or [])


FieldError = dict[str, str | None]


def field_error(field: str | None, message: str, code: str = "invalid") -> FieldError:
    """One item of a problem's ``errors``: which field, a machine code, a message.

    ``field`` is a dotted path (``lines.4.price``), or None for the whole request.
    """
    return {"field": field, "code": code, "message": message}


class ValidationFailed(ApplicationError):
    """Input is well-formed but breaks a rule tied to one or more fields."""

    default_code = "validation_error"

    @classmethod
    def on_field(
        cls, field: str | None, message: str, code: str = "invalid"
    ) -> "ValidationFailed":
        """The error for one rule broken by one field."""
        return cls(message, errors=[field_error(field, message, code)])


class NotFoundError(ApplicationError):
    status_code = HTTPStatus.NOT_FOUND
    default_code = "not_found"


class NotAuthenticatedError(ApplicationError):
    """The caller must authenticate (again): no credentials, or they are invalid."""

    status_code = HTTPStatus.UNAUTHORIZED
    default_code = "not_authenticated"


class ConflictError(ApplicationError):
    """The request clashes with the current state of a resource."""

    status_code = HTTPStatus.CONFLICT
    default_code = "conflict"


class PreconditionFailed(ApplicationError):
    """The caller's ``If-Match`` does not name the resource's current state."""

    status_code = HTTPStatus.PRECONDITION_FAILED
    default_code = "precondition_failed"
