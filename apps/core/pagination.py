"""Cursor pagination: stable pages on a unique, immutable, indexed ordering.

Primary keys are UUIDv7 (creation-ordered), so ``-id`` lists newest first with
no ties, no ``COUNT(*)`` and constant cost however deep the page.
"""

from typing import Any

from rest_framework import pagination
from rest_framework.exceptions import NotFound

from .exceptions import InvalidCursor


class CursorPagination(pagination.CursorPagination):
    page_size = 25
    max_page_size = 100
    page_size_query_param = "page_size"
    ordering = "-id"

    def decode_cursor(self, request: Any) -> Any:
        try:
            return super().decode_cursor(request)
        except NotFound as exc:
            raise InvalidCursor() from exc
