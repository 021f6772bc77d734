"""Cursor pagination: stable pages on a unique, immutable, indexed ordering.

Primary keys are UUIDv7 (creation-ordered), so ``-id`` lists newest first with
no ties, no ``COUNT(*)`` and constant cost however deep the page.

A cursor is opaque: only one this server issued is accepted. Anything else --
text that is not base64, base64 of something that is not a cursor, or a cursor
whose position is not a value of the ordering field -- is 400
``invalid_cursor``, never silently the first page, and the bad text is not
echoed back. Every ordering here is unique, so no cursor this server issues
carries an offset (DRF adds one only to step over equal positions): a cursor
with one is refused as well.

``paginate_rows`` pages what a written-out statement reads, for the few lists
whose query the ORM costs too much to build per request (the orders' first
page: docs/performance.md); the pages, links and cursors are those of
``paginate_queryset`` (apps/orders/tests/test_list_pages.py holds the two equal).
"""

import binascii
from base64 import b64decode
from collections.abc import Callable
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

    def paginate_rows(
        self,
        read: Callable[..., list[dict[str, Any]]],
        model: type[Model],
        request: Request,
        view: Any = None,
    ) -> list[dict[str, Any]] | None:
        """The page ``paginate_queryset`` would give, of rows ``read`` returns.

        ``read(position=..., backwards=..., limit=...)`` returns at most
        ``limit`` rows of the list, each a dict holding the ordering field:
        those that follow ``position`` in the list's order (from the start
        when it is None), or with ``backwards`` those that precede it, nearest
        first. Positions are unique (see the module), which is what lets a
        page be read with no offset.
        """
        self.request = request
        page_size = self.get_page_size(request)
        if not page_size:
            return None
        self.page_size = page_size
        self._model = model
        self.base_url = request.build_absolute_uri()
        # As paginate_queryset sets it (a tuple; the stubs say str).
        self.ordering = self.get_ordering(  # type: ignore[assignment]
            request, model._default_manager.none(), view
        )
        self.cursor = cursor = self.decode_cursor(request)
        backwards = cursor is not None and cursor.reverse
        position = (
            None if cursor is None or cursor.position is None else str(cursor.position)
        )
        rows = read(position=position, backwards=backwards, limit=self.page_size + 1)
        page = rows[: self.page_size]
        beyond = (
            self._get_position_from_instance(rows[-1], self.ordering)
            if len(rows) > len(page)
            else None
        )
        # Walking forwards, the row read past the page says there is a next
        # page, and the cursor's position that there is a previous one;
        # walking backwards the other way round, and the page reads in the
        # list's order once reversed.
        if backwards:
            page.reverse()
            self.has_next, self.has_previous = position is not None, beyond is not None
            self.next_position, self.previous_position = position, beyond
        else:
            self.has_next, self.has_previous = beyond is not None, position is not None
            self.next_position, self.previous_position = beyond, position
        self.page = page
        if (self.has_previous or self.has_next) and self.template is not None:
            self.display_page_controls = True
        return page

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
        if cursor.offset:
            raise InvalidCursor()  # never issued: every ordering here is unique
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
