"""Request body parsers: a body that cannot be parsed is always a 400.

DRF's JSON parser turns a ``ValueError`` into ``parse_error`` but lets a
``RecursionError`` through, so a body of a few thousand nested brackets was a
500 on every endpoint that reads JSON. Here every parse failure, whatever its
cause, is the same 400 ``parse_error``.
"""

from typing import Any

from rest_framework import parsers
from rest_framework.exceptions import ParseError


class JSONParser(parsers.JSONParser):
    def parse(
        self, stream: Any, media_type: Any = None, parser_context: Any = None
    ) -> Any:
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise ParseError("JSON parse error - the body nests too deeply.") from exc
