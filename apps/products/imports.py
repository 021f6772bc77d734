"""Reading a product CSV into validated rows, with errors by line number.

Columns: ``sku``, ``name``, ``price`` (required), ``stock``, ``category``,
``active`` (optional). The whole file is checked before anything is written:
one bad line and nothing is imported.
"""

import csv
import io
from typing import Any

from rest_framework import serializers

from apps.core.exceptions import ValidationFailed, flatten_errors

from .serializers import MAX_STOCK, SKU_PATTERN, price_field
from .services import ImportRow

REQUIRED_COLUMNS = ("sku", "name", "price")
OPTIONAL_COLUMNS = ("stock", "category", "active")


class ProductImportRowSerializer(serializers.Serializer):
    sku = serializers.RegexField(SKU_PATTERN, max_length=64)
    name = serializers.CharField(max_length=200)
    price = price_field()
    stock = serializers.IntegerField(min_value=0, max_value=MAX_STOCK, allow_null=True)
    category = serializers.CharField(max_length=100, allow_blank=True)
    active = serializers.BooleanField()


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
    try:
        for record in reader:
            line = reader.line_num
            if len(rows) + len(errors) >= max_rows:
                raise _invalid_file(
                    f"The file has more than {max_rows} rows; split it.",
                    code="too_many_rows",
                )
            if "__extra__" in record:
                errors.append(
                    {
                        "field": f"lines.{line}",
                        "code": "extra_columns",
                        "message": "This line has more columns than the header.",
                    }
                )
                continue
            data = {
                "sku": (record.get("sku") or "").strip(),
                "name": (record.get("name") or "").strip(),
                "price": (record.get("price") or "").strip(),
                "stock": (record.get("stock") or "").strip() or None,
                "category": (record.get("category") or "").strip(),
                "active": (record.get("active") or "").strip() or "true",
            }
            serializer = ProductImportRowSerializer(data=data)
            if not serializer.is_valid():
                for error in flatten_errors(serializer.errors):
                    errors.append({**error, "field": f"lines.{line}.{error['field']}"})
                continue
            value = serializer.validated_data
            key = value["sku"].lower()
            if key in seen:
                errors.append(
                    {
                        "field": f"lines.{line}.sku",
                        "code": "duplicate",
                        "message": f"This SKU is already on line {seen[key]}.",
                    }
                )
                continue
            seen[key] = line
            rows.append(ImportRow(line=line, **value))
    except csv.Error as exc:
        raise _invalid_file(f"The file is not valid CSV: {exc}.") from exc
    if errors:
        bad_lines = len({error["field"].split(".")[1] for error in errors})
        raise ValidationFailed(
            f"{bad_lines} line(s) are invalid; nothing was imported.", errors=errors
        )
    if not rows:
        raise _invalid_file("The file has a header but no rows.", code="empty_csv")
    return rows
