"""Reading a product CSV into validated rows, with errors by line number.

Columns: ``sku``, ``name``, ``price`` (required), ``stock``, ``category``,
``active`` (optional). The whole file is checked before anything is written:
one bad line and nothing is imported.

The file arrives as a ``text/csv`` body (``CSVParser``) or as the ``file``
field of a multipart form; ``ProductImportInputSerializer`` takes either.
"""

import csv
import io
from typing import Any

from django.conf import settings
from rest_framework import serializers
from rest_framework.parsers import BaseParser

from apps.core.exceptions import ValidationFailed
from apps.core.problems import flatten_errors
from apps.core.serializers import AmountInputField

from .models import STOCK_LIMIT
from .serializers import CATEGORY_NAME_MAX, NAME_MAX, SKU_MAX, SKU_PATTERN
from .services import ImportRow

REQUIRED_COLUMNS = ("sku", "name", "price")
OPTIONAL_COLUMNS = ("stock", "category", "active")


class ProductImportRowSerializer(serializers.Serializer):
    sku = serializers.RegexField(SKU_PATTERN, max_length=SKU_MAX)
    name = serializers.CharField(max_length=NAME_MAX)
    price = AmountInputField()
    stock = serializers.IntegerField(
        min_value=0, max_value=STOCK_LIMIT, allow_null=True
    )
    category = serializers.CharField(max_length=CATEGORY_NAME_MAX, allow_blank=True)
    active = serializers.BooleanField()


class CSVParser(BaseParser):
    """Hand a ``text/csv`` body to the view as its ``file`` (the size is capped
    upstream), as a multipart form would."""

    media_type = "text/csv"

    def parse(
        self, stream: Any, media_type: Any = None, parser_context: Any = None
    ) -> Any:
        return {"file": io.BytesIO(stream.read() if stream is not None else b"")}


class ProductImportInputSerializer(serializers.Serializer):
    """The file of an import, read into validated rows (``validated_data["rows"]``).

    A file that cannot be imported raises ``ValidationFailed`` with the file's
    own code (``invalid_csv``, ``empty_csv``, ``too_many_rows``), or with
    ``validation_error`` and every problem of every line.
    """

    def to_internal_value(self, data: Any) -> dict[str, list[ImportRow]]:
        upload = data.get("file")
        if not hasattr(upload, "read"):
            raise ValidationFailed(
                "Send the CSV as a text/csv body or as a multipart `file`.",
                code="invalid_csv",
                errors=[
                    {
                        "field": "file",
                        "code": "required",
                        "message": "No CSV file was sent.",
                    }
                ],
            )
        text = decode_csv(upload.read())
        return {
            "rows": parse_product_csv(text, max_rows=settings.PRODUCT_IMPORT_MAX_ROWS)
        }


def _invalid_file(message: str, code: str = "invalid_csv") -> ValidationFailed:
    return ValidationFailed(
        message, code=code, errors=[{"field": None, "code": code, "message": message}]
    )


def decode_csv(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _invalid_file("The file is not UTF-8 text.") from exc


def parse_product_csv(text: str, *, max_rows: int) -> list[ImportRow]:
    """Return the rows, or raise one error listing every bad line."""
    try:
        reader = csv.DictReader(io.StringIO(text), restkey="__extra__")
        header = [name.strip().lower() for name in (reader.fieldnames or [])]
    except csv.Error as exc:
        raise _invalid_file(f"The file is not valid CSV: {exc}.") from exc
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    unknown = [c for c in header if c not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS]
    if missing or unknown:
        parts = []
        if missing:
            parts.append(f"missing column(s): {', '.join(missing)}")
        if unknown:
            parts.append(f"unknown column(s): {', '.join(unknown)}")
        raise _invalid_file("The header is wrong: " + "; ".join(parts) + ".")
    reader.fieldnames = header

    rows: list[ImportRow] = []
    errors: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    invalid_lines = 0
    try:
        for record in reader:
            line = reader.line_num
            if len(rows) + invalid_lines >= max_rows:
                raise _invalid_file(
                    f"The file has more than {max_rows} rows; split it.",
                    code="too_many_rows",
                )
            value, problems = _check_line(record, line=line, seen=seen)
            if problems:
                invalid_lines += 1
                errors.extend(problems)
            else:
                rows.append(ImportRow(line=line, **value))
    except csv.Error as exc:
        raise _invalid_file(f"The file is not valid CSV: {exc}.") from exc
    if errors:
        raise ValidationFailed(
            f"{invalid_lines} line(s) are invalid; nothing was imported.",
            errors=errors,
        )
    if not rows:
        raise _invalid_file("The file has a header but no rows.", code="empty_csv")
    return rows


def _row_data(record: dict[str, Any]) -> dict[str, Any]:
    def cell(name: str) -> str:
        return str(record.get(name) or "").strip()

    return {
        "sku": cell("sku"),
        "name": cell("name"),
        "price": cell("price"),
        "stock": cell("stock") or None,
        "category": cell("category"),
        "active": cell("active") or "true",
    }


def _check_line(
    record: dict[str, Any], *, line: int, seen: dict[str, int]
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The line's values, and every problem it has: extra cells, each bad field,
    a repeated SKU.

    A SKU counts as seen from its first line even when that line is invalid,
    so a repeat is reported whatever else is wrong with either line.
    """
    problems: list[dict[str, Any]] = []
    if "__extra__" in record:
        problems.append(
            {
                "field": f"lines.{line}",
                "code": "extra_columns",
                "message": "This line has more columns than the header.",
            }
        )
    data = _row_data(record)
    serializer = ProductImportRowSerializer(data=data)
    if not serializer.is_valid():
        problems.extend(
            {**error, "field": f"lines.{line}.{error['field']}"}
            for error in flatten_errors(serializer.errors)
        )
    key = data["sku"].lower()
    if key and key in seen:
        problems.append(
            {
                "field": f"lines.{line}.sku",
                "code": "duplicate",
                "message": f"This SKU is already on line {seen[key]}.",
            }
        )
    elif key:
        seen[key] = line
    return (serializer.validated_data if not problems else {}), problems
