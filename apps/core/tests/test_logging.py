"""Every log line is one JSON object with an ISO 8601 time, gunicorn's included."""

import json
import logging
import logging.config
import re
import runpy
import subprocess
import sys
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from pythonjsonlogger.json import JsonFormatter

ISO_8601_UTC = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00")


def formatter_from(config: dict) -> logging.Formatter:
    """Build a formatter from a LOGGING entry exactly as dictConfig does."""
    return logging.config.DictConfigurator({}).configure_formatter(dict(config))


def gunicorn_logging() -> dict:
    conf = runpy.run_path(str(Path(settings.BASE_DIR) / "config" / "gunicorn.conf.py"))
    return conf["logconfig_dict"]


def test_an_app_log_line_is_json_with_an_iso_8601_time():
    formatter = formatter_from(settings.LOGGING["formatters"]["json"])
    record = logging.LogRecord(
        "orderly.access", logging.INFO, __file__, 1, "GET %s", ("/health/",), None
    )
    record.status = 200

    line = formatter.format(record)

    assert "\n" not in line
    data = json.loads(line)
    assert data["level"] == "INFO"
    assert data["name"] == "orderly.access"
    assert data["message"] == "GET /health/"
    assert data["status"] == 200
    assert ISO_8601_UTC.fullmatch(data["time"]), data["time"]
    time = datetime.fromisoformat(data["time"])
    assert time.utcoffset() == timedelta(0)
    assert abs(time.timestamp() - record.created) < 0.001


def test_gunicorn_formats_its_own_lines_like_the_app():
    config = gunicorn_logging()
    assert config["formatters"]["json"] == settings.LOGGING["formatters"]["json"]
    error_logger = config["loggers"]["gunicorn.error"]
    assert error_logger["propagate"] is False
    for handler in error_logger["handlers"]:
        assert config["handlers"][handler]["formatter"] == "json"

    record = logging.LogRecord(
        "gunicorn.error", logging.INFO, __file__, 1, "Booting worker", (), None
    )
    data = json.loads(formatter_from(config["formatters"]["json"]).format(record))
    assert data["name"] == "gunicorn.error"
    assert ISO_8601_UTC.fullmatch(data["time"]), data["time"]


def test_gunicorn_writes_no_access_line_of_its_own():
    # The app's access log middleware writes one JSON line per request.
    access_logger = gunicorn_logging()["loggers"]["gunicorn.access"]
    assert access_logger == {"handlers": ["null"], "propagate": False}


def test_values_orjson_cannot_write_fall_back_to_the_standard_encoder():
    formatter = formatter_from(settings.LOGGING["formatters"]["json"])
    record = logging.LogRecord(
        "orderly.test", logging.INFO, __file__, 1, "caf\u00e9 %s", ("ok",), None
    )
    record.order_id = uuid.UUID("01a200d4-fbe2-7c00-b186-1e6e037adb7c")
    record.total = Decimal("12.50")
    record.huge = 2**70  # beyond 64 bits: orjson refuses it

    line = formatter.format(record)
    data = json.loads(line)

    assert ", " in line  # the standard encoder's separators: it wrote the line
    assert "café ok" in line  # non-ASCII kept as UTF-8 there too
    assert data["message"] == "caf\u00e9 ok"
    assert data["order_id"] == "01a200d4-fbe2-7c00-b186-1e6e037adb7c"
    assert data["total"] == "12.50"
    assert data["huge"] == 2**70
    assert ISO_8601_UTC.fullmatch(data["time"]), data["time"]


def test_a_line_orjson_writes_holds_the_same_fields_as_the_standard_encoder():
    formatter = formatter_from(settings.LOGGING["formatters"]["json"])
    record = logging.LogRecord(
        "orderly.access", logging.INFO, __file__, 1, "request", (), None
    )
    record.order_id = uuid.UUID("01a200d4-fbe2-7c00-b186-1e6e037adb7c")
    record.total = Decimal("12.50")
    record.when = datetime(2026, 11, 24, 3, 41, 56, 317645, tzinfo=UTC)

    line = formatter.format(record)
    standard = JsonFormatter(
        "%(levelname)s %(name)s %(message)s",
        rename_fields={"levelname": "level"},
        timestamp="time",
    ).format(record)

    assert ", " not in line  # orjson's compact form, not the standard encoder's
    assert json.loads(line) == json.loads(standard)


def test_non_ascii_text_is_written_as_utf_8():
    formatter = formatter_from(settings.LOGGING["formatters"]["json"])
    record = logging.LogRecord(
        "orderly.access", logging.INFO, __file__, 1, "request", (), None
    )
    record.path = "/api/v1/stores/caf\u00e9/"

    line = formatter.format(record)

    assert '"path":"/api/v1/stores/café/"' in line


def test_the_formatter_loads_without_django():
    # gunicorn's master builds it from logconfig_dict and never sets Django up.
    code = (
        "import sys, logging; import apps.core.logging as m; "
        "m.JsonLineFormatter().format(logging.makeLogRecord({'msg': 'x'})); "
        "print(sorted(n for n in sys.modules if n.split('.')[0] == 'django'))"
    )
    answer = subprocess.run(  # noqa: S603 - fixed interpreter and code
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    assert answer.stdout.strip() == "[]"
