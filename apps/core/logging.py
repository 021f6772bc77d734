"""Log lines as JSON objects, with the request id on every record."""

import logging
from contextvars import ContextVar
from typing import Any

from pythonjsonlogger.json import JsonFormatter
from pythonjsonlogger.orjson import OrjsonFormatter

_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)


def get_request_id() -> str | None:
    """Return the id of the request (or task) being handled, if any."""
    return _request_id.get()


def set_request_id(value: str | None) -> None:
    """Bind a request id to the current context."""
    _request_id.set(value)


class RequestIdFilter(logging.Filter):
    """Add ``request_id`` to every record so JSON log lines can be correlated."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = get_request_id()
        return True


class JsonLineFormatter(OrjsonFormatter):
    """python-json-logger's formatter, the JSON written by orjson.

    Every request writes one access line: orjson formats it in 3.5 us where
    the standard library's encoder took 6.8, about 1 % of a storefront cache
    hit (ADR 0076). The fields and their values are the same; the line has
    no spaces after separators and keeps non-ASCII characters as UTF-8. A
    value orjson cannot write (an integer beyond 64 bits) is written by the
    standard encoder instead, rather than the line being lost.
    """

    _fallback = JsonFormatter(json_ensure_ascii=False)

    def jsonify_log_record(self, log_data: Any) -> str:
        try:
            return super().jsonify_log_record(log_data)
        except TypeError:
            return self._fallback.jsonify_log_record(log_data)
