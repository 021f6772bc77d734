"""Cursor pagination: stable pages on a unique, immutable, indexed ordering.

Primary keys are UUIDv7 (creation-ordered), so ``-id`` lists newest first with
no ties, no ``COUNT(*)`` and constant cost however deep the page.

A cursor is opaque: only one this server issued is accepted. Anything else --
text that is not base64, base64 of something that is not a cursor, or a cursor
whose position is not a value of the ordering field -- is 400
``invalid_cursor``, never silently the first page, and the bad text is not
echoed back.
"""

import binascii
from base64 import b64decode
from typing import Any

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import Field, Model, QuerySet
from rest_framework import pagination
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.utils.urls import replace_query_param

from .exceptions import ApplicationError


class InvalidCursor(ApplicationError):
    """The ``cursor`` query parameter is not one this server issued."""

    default_code = "invalid_cursor"

    def __init__(self) -> None:
        super().__init__(
            "The pagination cursor is invalid; restart from the first page."
        )


class CursorPagination(pagination.CursorPagination):
    page_size = 25
    max_page_size = 100
    page_size_query_param = "page_size"
    ordering = "-id"

    def paginate_queryset(
        self, queryset: QuerySet[Any], request: Request, view: Any = None
    ) -> list[Any] | None:
        self._model = queryset.model
        return super().paginate_queryset(queryset, request, view)

    def decode_cursor(self, request: Request) -> pagination.Cursor | None:
        encoded = request.query_params.get(self.cursor_query_param)
        if encoded is None:
            return None
        if not encoded:
            raise InvalidCursor()  # no cursor this server issues is empty
        try:
            b64decode(encoded.encode("ascii"), validate=True)
            cursor = super().decode_cursor(request)
        except (NotFound, UnicodeError, binascii.Error) as exc:
            raise InvalidCursor() from exc
        # DRF's decoder forgives junk (it reads "%00" as the first page): accept
        # only the canonical form of what it decoded, i.e. a cursor we issued.
        if cursor is None or self.encode_cursor(cursor) != self._url_with(encoded):
            raise InvalidCursor()
        if cursor.position is not None:
            self._check_position(cursor.position)
        return cursor

    def _url_with(self, encoded: str) -> str:
        return replace_query_param(str(self.base_url), self.cursor_query_param, encoded)

    def _check_position(self, position: object) -> None:
        model: type[Model] | None = getattr(self, "_model", None)
        if model is None:
            return
        name = self.ordering[0].lstrip("-")
        try:
            field = model._meta.get_field(name)
            if isinstance(field, Field):
                field.to_python(position)
        except (FieldDoesNotExist, ValidationError, ValueError, TypeError) as exc:
            raise InvalidCursor() from exc
