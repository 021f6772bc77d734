"""OpenAPI generation: the schema states what the server does.

- Every operation documents its problem+json errors.
- Request bodies of strict input serializers list exactly their fields
  (``additionalProperties: false``, ADR 0003) and require what the serializer
  requires, PATCH included: the views validate with the serializer as
  declared, never with ``partial=True``.
- Strict fields publish the grammar the server applies (ADR 0021), and amounts
  the grammar the server renders them in (ADR 0024).
- Every operation declares its security; a public one declares none (``[]``).
- A description is the view's or the component's own docstring, never one
  inherited from a shared base class (ADR 0035).
"""

import copy
import inspect
from typing import Any

from django.core.validators import RegexValidator
from drf_spectacular.extensions import (
    OpenApiSerializerExtension,
    OpenApiSerializerFieldExtension,
)
from drf_spectacular.openapi import AutoSchema

from .problems import PROBLEM_CONTENT_TYPE
from .serializers import ProblemSerializer

# What any operation can answer, whatever its own errors (which it declares).
COMMON_ERRORS = {
    "400": "Invalid input (`validation_error`, `parse_error`, `invalid_cursor`).",
    "401": "Missing, invalid or expired access token.",
    "403": "Authenticated, but the role does not allow this action.",
    "404": "No such resource, or not visible to the caller.",
    "406": "The `Accept` header names no type the API serves (`not_acceptable`).",
    # The body size cap is a middleware: it answers any method, before routing.
    "413": "The request body is larger than the limit (`payload_too_large`).",
    "429": "Too many requests; see `Retry-After`.",
}
BODY_ERRORS = {
    "415": "The body's content type is not one the operation reads "
    "(`unsupported_media_type`).",
}
PAGE_SIZE_DESCRIPTION = (
    "Results per page, from 1 to 100 (default 25). A larger number means 100; "
    "a value that is not a positive integer means the default."
)


class ProblemAutoSchema(AutoSchema):
    """Add the shared error responses to every operation; page_size as it is read."""

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

    def get_operation(self, *args: Any, **kwargs: Any) -> Any:
        operation = super().get_operation(*args, **kwargs)
        # drf-spectacular leaves ``security`` out, or writes ``[{}]``, where no
        # credentials are needed; an absent key would defer to a document-wide
        # default, so a public operation says ``[]``.
        if operation is not None and operation.get("security", [{}]) == [{}]:
            operation["security"] = []
        return operation

    def get_description(self) -> str:  # type: ignore[override]
        # drf-spectacular falls back on a base class's docstring, which would
        # publish a mixin's (StoreScopedViewMixin's) on every operation.
        method = getattr(self.view, getattr(self.view, "action", ""), None)
        if method is None:
            method = getattr(self.view, self.method.lower(), None)
        return _own_doc(getattr(method, "__func__", method)) or _own_doc(
            type(self.view)
        )

    def _map_basic_serializer(self, serializer: Any, direction: Any) -> Any:
        schema = super()._map_basic_serializer(serializer, direction)
        own = _own_doc(type(serializer))
        if own:
            schema["description"] = own
        else:
            schema.pop("description", None)
        if getattr(serializer, "schema_closed", False):
            schema["additionalProperties"] = False
        for prop in schema.get("properties", {}).values():
            for variant in [prop, *prop.get("oneOf", [])]:
                # ``format: email`` means a different grammar to each validator
                # (JSON Schema's follows RFC 5321 and IDNA, Django's refuses a
                # one-letter top-level domain and takes non-ASCII host names).
                # Inputs publish the pattern the server applies instead
                # (EMAIL_PATTERN); outputs are addresses that passed it.
                if variant.get("format") == "email":
                    del variant["format"]
            _blank_into_pattern(prop)
        return schema

    def _get_pagination_parameters(self) -> Any:
        parameters = super()._get_pagination_parameters()
        for parameter in parameters:
            if parameter["name"] == "page_size":
                # The paginator reads page_size leniently (DRF's behaviour): a
                # value that is not a positive integer means the default, not
                # a 400, so the schema cannot promise more than a string.
                parameter["schema"] = {"type": "string"}
                parameter["description"] = PAGE_SIZE_DESCRIPTION
        return parameters

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


# What drf-spectacular adds beside a constrained text that may be blank.
BLANK = {"type": "string", "maxLength": 0}


def _blank_into_pattern(prop: dict[str, Any]) -> None:
    """Say "blank, or this pattern" in the pattern, not as a ``oneOf``.

    A ``oneOf`` hides the property from breaking-change tools (Optic does not
    see it become required, ADR 0033), and from readers; a pattern that also
    matches the empty string says the same.
    """
    variants = prop.get("oneOf")
    if not variants or len(variants) != 2 or variants[1] != BLANK:
        return
    text = variants[0]
    if set(text) - {"type", "pattern", "maxLength", "default"} or "pattern" not in text:
        return
    pattern = text["pattern"]
    del prop["oneOf"]
    prop.update(text, pattern=NO_NUL_OR_BLANK if pattern == NO_NUL else f"^$|{pattern}")


def _own_doc(obj: Any) -> str:
    """The docstring that ``obj`` itself declares, not one it inherits."""
    doc = obj.__dict__.get("__doc__") if inspect.isclass(obj) else obj.__doc__
    return inspect.cleandoc(doc) if doc else ""


class StrictInputSerializerExtension(OpenApiSerializerExtension):
    """A strict input body: its declared fields, required as declared, no others."""

    target_class = "apps.core.serializers.StrictInputSerializer"
    match_subclasses = True

    def map_serializer(self, auto_schema: AutoSchema, direction: Any) -> Any:
        # drf-spectacular marks PATCH bodies partial (nothing required), as DRF's
        # update mixin would validate them; our views never pass partial=True.
        serializer = copy.copy(self.target)
        serializer.partial = False
        schema = auto_schema._map_serializer(
            serializer, direction, bypass_extensions=True
        )
        if direction == "request":
            schema["additionalProperties"] = False
        # A field may state a rule that its validators enforce out of sight.
        properties = schema.get("properties", {})
        for name, field in serializer.fields.items():
            extra = getattr(field, "schema_extra", None)
            if extra and name in properties:
                properties[name] = {**properties[name], **extra}
        return schema


class StrictDecimalFieldExtension(OpenApiSerializerFieldExtension):
    """A decimal string with the exact pattern the server matches."""

    target_class = "apps.core.serializers.StrictDecimalField"
    match_subclasses = True

    def map_serializer_field(self, auto_schema: AutoSchema, direction: Any) -> Any:
        return {"type": "string", "format": "decimal", "pattern": self.target.pattern}


class AmountFieldExtension(OpenApiSerializerFieldExtension):
    """An amount as rendered: a decimal string in the grammar the server writes."""

    target_class = "apps.core.serializers.AmountField"
    match_subclasses = True

    def map_serializer_field(self, auto_schema: AutoSchema, direction: Any) -> Any:
        return {
            "type": "string",
            "format": "decimal",
            "pattern": self.target.pattern,
            "example": "21.00",
        }


def _stripped_characters() -> str:
    """What ``str.strip()`` removes, as the body of a regex character class.

    Spelled out with ``\\uXXXX`` escapes rather than ``\\s``, whose meaning
    differs between Python, ECMA and Rust regular expressions (``\\x1f`` is
    stripped by Python, but is not ``\\s`` in ECMA).
    """
    codes = [code for code in range(0x110000) if chr(code).isspace()]
    ranges: list[list[int]] = []
    for code in codes:
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1][1] = code
        else:
            ranges.append([code, code])
    return "".join(
        f"\\u{first:04x}" + (f"-\\u{last:04x}" if last > first else "")
        for first, last in ranges
    )


# Text without NUL characters (DRF refuses them), at least one character long,
# and, for a field that trims and refuses blanks, with one character that
# trimming keeps. A field that allows blanks gets NO_NUL; drf-spectacular adds
# the empty string as a ``oneOf`` branch, which _blank_into_pattern folds into
# NO_NUL_OR_BLANK.
NO_NUL = r"^[^\u0000]+$"
NO_NUL_OR_BLANK = r"^[^\u0000]*$"
NOT_BLANK = rf"^[^\u0000]*[^\u0000{_stripped_characters()}][^\u0000]*$"


class StrictCharFieldExtension(OpenApiSerializerFieldExtension):
    """Free text: the schema says what a trimmed, NUL-free, non-blank text is."""

    target_class = "apps.core.serializers.StrictCharField"
    match_subclasses = True

    def map_serializer_field(self, auto_schema: AutoSchema, direction: Any) -> Any:
        field = self.target
        schema = auto_schema._map_serializer_field(
            field, direction, bypass_extensions=True
        )
        has_pattern = "pattern" in schema or any(
            isinstance(validator, RegexValidator) for validator in field.validators
        )
        if schema.get("type") == "string" and not has_pattern:
            blank_refused = field.trim_whitespace and not field.allow_blank
            schema["pattern"] = NOT_BLANK if blank_refused else NO_NUL
        return schema
