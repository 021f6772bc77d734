"""OpenAPI generation: every operation documents its problem+json errors."""

from typing import Any

from drf_spectacular.openapi import AutoSchema

from .exceptions import PROBLEM_CONTENT_TYPE
from .serializers import ProblemSerializer

COMMON_ERRORS = {
    "400": "Invalid input (`validation_error`, `parse_error`, `invalid_cursor`).",
    "401": "Missing, invalid or expired access token.",
    "403": "Authenticated, but the role does not allow this action.",
    "404": "No such resource, or not visible to the caller.",
    "429": "Too many requests; see `Retry-After`.",
}
BODY_ERRORS = {
    "413": "The request body is larger than the limit.",
    "415": "The request body is not `application/json`.",
}


class ProblemAutoSchema(AutoSchema):
    """Add the shared error responses to every operation."""

    def _get_response_for_code(
        self,
        serializer: Any,
        status_code: Any,
        media_types: Any = None,
        direction: Any = "response",
    ) -> Any:
        # Every error is served as problem+json, whatever a view declared.
        if (
            str(status_code).isdigit()
            and int(status_code) >= 400
            and media_types is None
        ):
            media_types = [PROBLEM_CONTENT_TYPE]
        return super()._get_response_for_code(
            serializer, status_code, media_types, direction
        )

    def _get_response_bodies(self, direction: Any = "response") -> Any:
        responses = super()._get_response_bodies(direction)
        errors = dict(COMMON_ERRORS)
        if self.method in ("POST", "PUT", "PATCH"):
            errors.update(BODY_ERRORS)
        for status_code, description in errors.items():
            if status_code not in responses:
                response = self._get_response_for_code(
                    ProblemSerializer, status_code, media_types=[PROBLEM_CONTENT_TYPE]
                )
                response["description"] = description
                responses[status_code] = response
        return responses
