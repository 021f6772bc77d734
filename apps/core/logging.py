"""Request-scoped logging context: the request id on every log record."""

import logging
from contextvars import ContextVar

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
