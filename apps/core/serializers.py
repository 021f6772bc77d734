"""Serializers shared by every app: strict input fields, the amount fields, strict
input and the problem document.

Input fields take JSON as it is typed (ADR 0021). DRF's own fields convert what
they can: ``12`` becomes the text ``"12"``, ``"yes"`` and ``1`` become ``True``,
``"12"`` and ``12.0`` become the integer 12. The ``Strict*`` fields below refuse
a value of another JSON type with the field's ``invalid`` code instead, so that
the types of the OpenAPI schema are the whole truth: what the schema calls
invalid, the server refuses, and the other way round.
"""

import re
from collections.abc import Mapping
from datetime import datetime, tzinfo
from decimal import Decimal
from typing import Any

from django.core.validators import EmailValidator, RegexValidator
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import empty, get_attribute

from .money import (
    DECIMAL_PLACES,
    MAX_AMOUNT,
    MAX_DIGITS,
    amount_pattern,
    amount_string,
    decimal_pattern,
)

# --- Strict input fields -----------------------------------------------------------


def json_type(value: Any) -> str:
    """Name the JSON type of a parsed value, for error messages."""
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number with a fraction"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, list | tuple):
        return "an array"
    return "another type"


def _wrong_type(expected: str, value: Any) -> serializers.ValidationError:
    return serializers.ValidationError(
        f"Expected {expected}, not {json_type(value)}.", code="invalid"
    )


class _StringOnly:
    """Refuse anything but a JSON string before the field's own checks."""

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, str):
            raise _wrong_type("a string", data)
        return super().to_internal_value(data)  # type: ignore[misc]


class StrictCharField(_StringOnly, serializers.CharField):
    """Text, and only text: a number is refused, not turned into a string.

    Everything else is DRF's ``CharField``: surrounding whitespace is trimmed,
    a blank value is refused unless ``allow_blank``, NUL characters are refused.
    ``max_length`` also counts the characters as sent, before trimming, so that
    the schema's ``maxLength`` holds for the body a client builds.
    """

    def run_validation(self, data: Any = empty) -> Any:
        if (
            isinstance(data, str)
            and self.max_length is not None
            and len(data) > self.max_length
        ):
            self.fail("max_length", max_length=self.max_length)
        return super().run_validation(data)


# Django's EmailValidator without what a JSON schema pattern cannot say or what
# no shopper's address needs: the local part is a dot-atom (no quoted string),
# the domain an ASCII host name (no [IP literal], no bare "localhost"; a host
# name beyond ASCII is sent in its xn-- form, as DNS knows it). Written without
# look-arounds, so that ECMA, Python and Rust read the pattern alike; ASCII
# classes keep it cheap to check and to generate from.
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_TLD = r"(?:[A-Za-z][A-Za-z-]{0,61}[A-Za-z]|[Xx][Nn]--[A-Za-z0-9]{1,59})"
EMAIL_PATTERN = rf"^{_ATOM}(?:\.{_ATOM})*@{_LABEL}(?:\.{_LABEL})*\.{_TLD}$"


class StrictEmailField(_StringOnly, serializers.EmailField):
    """An email address as a string, matched as sent (no trimming).

    It matches ``EMAIL_PATTERN``, which the schema publishes (instead of the
    ambiguous ``format: email``): every address it admits passes Django's
    validator too, which it therefore replaces.
    """

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("trim_whitespace", False)
        super().__init__(**kwargs)
        self.validators = [
            validator
            for validator in self.validators
            if not isinstance(validator, EmailValidator)
        ]
        self.validators.append(
            RegexValidator(
                EMAIL_PATTERN[:-1] + r"\Z",
                message=self.error_messages["invalid"],
                code="invalid",
            )
        )


class StrictRegexField(_StringOnly, serializers.RegexField):
    r"""A string matching ``regex`` as sent: the schema's ``pattern`` is the truth.

    Nothing is trimmed, and a final ``$`` means the end of the text (``\Z``),
    not "before a final newline" as in Python: ``"ABC\n"`` is not ``^[A-Z]+$``.
    """

    def __init__(self, regex: str, **kwargs: Any) -> None:
        kwargs.setdefault("trim_whitespace", False)
        if regex.endswith("$") and not regex.endswith("\\$"):
            regex = regex[:-1] + "\\Z"
        super().__init__(regex, **kwargs)


class StrictSlugField(StrictRegexField):
    """Letters, digits, ``-`` and ``_``, as sent (no trimming)."""

    default_error_messages = serializers.SlugField.default_error_messages

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(r"^[-a-zA-Z0-9_]+$", **kwargs)


class StrictIntegerField(serializers.IntegerField):
    """A JSON integer: ``"12"``, ``12.0`` and ``true`` are refused."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, bool) or not isinstance(data, int):
            raise _wrong_type("an integer", data)
        return super().to_internal_value(data)


class StrictBooleanField(serializers.BooleanField):
    """``true`` or ``false``: ``"yes"``, ``"true"``, ``1`` and ``"on"`` are refused."""

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, bool):
            raise _wrong_type("true or false", data)
        return data


UUID_RE = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")


class StrictUUIDField(serializers.UUIDField):
    """A UUID in its standard form (``8-4-4-4-12`` hex digits).

    DRF's field also reads an integer, 32 bare hex digits, ``{...}`` and
    ``urn:uuid:...``; none of them is ``format: uuid``.
    """

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, str):
            raise _wrong_type("a UUID string", data)
        if not UUID_RE.fullmatch(data):
            self.fail("invalid", value=data)
        return super().to_internal_value(data)


class StrictDecimalField(serializers.DecimalField):
    """A decimal sent as a string of plain digits: ``"12"``, ``"12.5"``, ``"0.125"``.

    A JSON number is refused (a binary float is not an exact amount), and so are
    the spellings ``Decimal()`` forgives: exponents, ``+``, a leading or
    trailing point, leading zeros, spaces. What is left is exactly ``pattern``,
    which the schema publishes: at most ``max_digits - decimal_places`` digits
    before the point, at most ``decimal_places`` after it, and a minus sign only
    if ``min_value`` allows negative amounts. Bounds other than the ones the
    digits imply cannot be written as a pattern, so they are refused here.
    """

    # The grammar first (code ``invalid``); DRF's checks then name the bound.
    NUMERAL = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?")

    def __init__(self, max_digits: int, decimal_places: int, **kwargs: Any) -> None:
        super().__init__(max_digits, decimal_places, **kwargs)
        whole = max_digits - decimal_places
        limit = Decimal(10) ** whole - Decimal(10) ** -decimal_places
        self.signed = self.min_value is None or self.min_value < 0
        if self.max_value not in (None, limit) or self.min_value not in (
            None,
            0,
            -limit,
        ):
            raise ValueError(
                f"StrictDecimalField bounds must be 0, {limit} or -{limit}, the ones "
                "its digits imply; others cannot be published as a pattern."
            )
        self.pattern = decimal_pattern(
            max_digits=max_digits, decimal_places=decimal_places, signed=self.signed
        )

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, str):
            raise _wrong_type('a decimal string such as "12.50"', data)
        if not self.NUMERAL.fullmatch(data):
            self.fail("invalid")
        if data.startswith("-") and not self.signed:  # "-0" is not below zero
            self.fail("min_value", min_value=self.min_value)
        return super().to_internal_value(data)


# --- Amounts -----------------------------------------------------------------------
# Every amount of the API goes through these two fields, on the rules of
# apps.core.money: in as AmountInputField, out as AmountField.


class AmountInputField(StrictDecimalField):
    """An amount as sent: a decimal string that fits an amount column.

    Up to 9 digits before the point and 3 after it, never negative, in the
    grammar of ``apps.core.money.decimal_pattern``. Whether the amount also fits
    the currency's minor unit is the services' business (code ``precision``).
    """

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "help_text", "Decimal string, at most the currency's decimal places."
        )
        super().__init__(
            max_digits=MAX_DIGITS,
            decimal_places=DECIMAL_PLACES,
            min_value=Decimal(0),
            max_value=MAX_AMOUNT,
            **kwargs,
        )


def datetime_string(value: datetime | None, zone: tzinfo | None = None) -> str | None:
    """A datetime as DRF's ``DateTimeField`` renders it: ISO 8601, ``Z`` for UTC.

    For rows rendered by hand (``order_list_rows``, ``product_public_rows``):
    in ``zone``, by default the current time zone, as DRF renders (UTC unless
    a request activates another). A page's renderer looks the zone up once
    and passes it: looking it up for each of a page's 50 values took about a
    tenth of an order list request's time (docs/performance.md).
    """
    if value is None:
        return None
    text = value.astimezone(
        zone if zone is not None else timezone.get_current_timezone()
    ).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


class AmountField(serializers.Field):
    """An amount as rendered: a string with its currency's minor unit.

    ``"21.00"`` in a EUR store, ``"1500"`` in JPY, ``"1.250"`` in KWD. The
    currency is ``currency_source``, a dotted path on the instance
    (``"currency"`` on an order, ``"order.currency"`` on its lines), or else
    the serializer context's ``currency`` (a store's catalog, a summary).
    ``max_digits`` is the precision of the value: ``TOTAL_MAX_DIGITS`` for a
    sum over many rows; ``signed`` for a figure that may be negative (net
    sales). The schema (``apps.core.schema``) publishes the rendered grammar
    as a ``pattern``.
    """

    def __init__(
        self,
        *,
        currency_source: str | None = None,
        max_digits: int = MAX_DIGITS,
        signed: bool = False,
        **kwargs: Any,
    ) -> None:
        kwargs["read_only"] = True
        kwargs.setdefault(
            "help_text",
            "Decimal string with the currency's decimal places "
            '("1500" in JPY, "21.00" in EUR, "1.250" in KWD).',
        )
        super().__init__(**kwargs)
        self.currency_source = currency_source
        self.pattern = amount_pattern(max_digits=max_digits, signed=signed)

    def get_attribute(self, instance: Any) -> tuple[Decimal, str] | None:
        amount = super().get_attribute(instance)
        if amount is None:
            return None
        if self.currency_source is None:
            currency = self.context["currency"]
        else:
            currency = get_attribute(instance, self.currency_source.split("."))
        return amount, str(currency)

    def to_representation(self, value: tuple[Decimal, str]) -> str:
        amount, currency = value
        return amount_string(amount, currency)


# --- Serializers -------------------------------------------------------------------


class StrictInputSerializer(serializers.Serializer):
    """An input serializer that rejects fields it does not know.

    A typo in a field name (``fist_name``) is a 400 that names the field, rather
    than a request that silently does less than the caller meant.
    """

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            known = {name for name, field in self.fields.items() if not field.read_only}
            unknown = sorted(str(key) for key in data if key not in known)
            if unknown:
                raise serializers.ValidationError(
                    {
                        key: [
                            serializers.ErrorDetail(
                                "Unknown field.", code="unknown_field"
                            )
                        ]
                        for key in unknown
                    }
                )
        return super().to_internal_value(data)


class EmptyInputSerializer(StrictInputSerializer):
    """A body with no fields: ``{}`` or nothing; any field is refused."""


class ProblemFieldErrorSerializer(serializers.Serializer):
    field = serializers.CharField(
        allow_null=True, help_text="Dotted path of the field; null for the request."
    )
    code = serializers.CharField(help_text="Machine code, e.g. `required`.")
    message = serializers.CharField()


@extend_schema_field(
    {
        "oneOf": [
            {"type": "integer"},
            {"type": "object", "additionalProperties": {"type": "integer"}},
        ]
    }
)
class AvailableStockField(serializers.JSONField):
    """The ``available`` member of an ``insufficient_stock`` problem."""


class ProblemSerializer(serializers.Serializer):
    """RFC 9457 problem details, as every error response is rendered."""

    type = serializers.CharField(help_text="URN naming the problem type.")
    title = serializers.CharField(help_text="The HTTP status phrase.")
    status = serializers.IntegerField()
    detail = serializers.CharField(help_text="What went wrong and how to fix it.")
    code = serializers.CharField(
        help_text="Stable machine code, e.g. `validation_error`, `not_found`."
    )
    # A field named like Serializer.errors: DRF moves declared fields off the class.
    errors = ProblemFieldErrorSerializer(many=True)  # type: ignore[assignment]
    retry_after = serializers.IntegerField(
        required=False, help_text="Seconds to wait (throttled responses only)."
    )
    available = AvailableStockField(
        required=False,
        help_text="`insufficient_stock` only: the stock left, a number for one "
        "product, or per product id for the lines of an order.",
    )
    order_status = serializers.CharField(
        required=False,
        help_text="`invalid_transition` only: the order's current status.",
    )
    allowed = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text="`invalid_transition` only: the actions the order accepts now.",
    )
