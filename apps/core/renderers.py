"""The API's JSON renderer: DRF's output, written by orjson.

Every JSON answer goes through here, and the storefront's shared pages and the
ETags of every read are computed from these bytes. orjson writes the same bytes
as DRF's ``JSONRenderer`` (compact separators, UTF-8 text, ``U+2028`` and
``U+2029`` escaped) in C: a page of 20 orders in 16 instead of 73 µs
(docs/performance.md, ADR 0072). What orjson would write differently is handed
to DRF's encoder (``OPT_PASSTHROUGH_DATETIME``: dates, times and datetimes, as
DRF writes them, ``Z`` for UTC), and what it cannot write at all (an integer
past 64 bits, a type neither knows) goes to DRF's renderer, which answers as
before. Pretty-printing (``Accept: application/json; indent=4``) is DRF's too.

Two differences remain, neither in any answer this API gives: a float with an
exponent reads ``1e-7`` rather than ``1e-07`` (the API writes amounts as
strings), and a float that is not a number is written ``null`` where DRF's
strict mode raised an error.
"""

from collections.abc import Mapping
from typing import Any

import orjson
from rest_framework import renderers

OPTIONS = (
    orjson.OPT_PASSTHROUGH_DATETIME
    | orjson.OPT_PASSTHROUGH_DATACLASS  # refused, as DRF's encoder refuses it
    | orjson.OPT_NON_STR_KEYS  # {1: ...} as {"1": ...}, as the json module does
)

LINE_SEPARATOR = "\u2028".encode()
PARAGRAPH_SEPARATOR = "\u2029".encode()


class JSONRenderer(renderers.JSONRenderer):
    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> bytes:
        if data is None:
            return b""
        if (
            not self.compact
            or self.ensure_ascii
            or self.get_indent(accepted_media_type or "", renderer_context or {})
            is not None
        ):
            return super().render(data, accepted_media_type, renderer_context)
        try:
            body = orjson.dumps(
                data, default=self.encoder_class().default, option=OPTIONS
            )
        except orjson.JSONEncodeError:
            return super().render(data, accepted_media_type, renderer_context)
        # As DRF does: JSON that is also JavaScript (U+2028 and U+2029 escaped).
        return body.replace(LINE_SEPARATOR, rb"\u2028").replace(
            PARAGRAPH_SEPARATOR, rb"\u2029"
        )
