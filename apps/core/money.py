"""Money: ISO 4217 currencies, their minor units, and amounts as people read them.

Amounts are ``Decimal``, never float. Each currency has a minor unit (JPY 0
decimals, EUR 2, KWD 3); an amount is stored with up to three decimals and
always shown, sent and charged quantized to its currency's minor unit.

This module is the one place that knows those rules, and it imports no DRF: the
services, the admin and the emails use it as they are. The API's fields for
amounts (``AmountField``, ``AmountInputField`` in ``apps.core.serializers``)
are built on it, and no app re-declares a money bound or grammar:

- An amount is sent as a decimal string in one grammar (``decimal_pattern``):
  plain digits, up to ``MAX_DIGITS - DECIMAL_PLACES`` before the point and up
  to ``DECIMAL_PLACES`` after it, no sign, no exponent.
- An amount is rendered by ``amount_string`` with exactly its currency's
  decimals (``"21.00"``, ``"1500"``, ``"1.250"``), which ``amount_pattern``
  describes.
"""

import functools
import re
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import models

MINOR_UNITS: dict[str, int] = {
    "AED": 2, "AUD": 2, "BHD": 3, "BRL": 2, "CAD": 2, "CHF": 2, "CLP": 0,
    "CNY": 2, "CZK": 2, "DKK": 2, "EUR": 2, "GBP": 2, "HKD": 2, "HUF": 2,
    "IDR": 2, "ILS": 2, "INR": 2, "ISK": 0, "JOD": 3, "JPY": 0, "KRW": 0,
    "KWD": 3, "MXN": 2, "MYR": 2, "NOK": 2, "NZD": 2, "OMR": 3, "PHP": 2,
    "PLN": 2, "RON": 2, "SAR": 2, "SEK": 2, "SGD": 2, "THB": 2, "TND": 3,
    "TRY": 2, "TWD": 2, "UAH": 2, "USD": 2, "VND": 0, "ZAR": 2,
}  # fmt: skip

CURRENCY_CHOICES = [(code, code) for code in sorted(MINOR_UNITS)]


# --- Columns --------------------------------------------------------------------
# Every amount column is DECIMAL(12, 3): three decimals hold the largest minor unit
# (KWD, BHD, JOD, OMR, TND), nine digits before the point hold any one price or
# order total. Sums over many rows (a customer's total spent, a day's sales) are
# computed as DECIMAL(TOTAL_MAX_DIGITS, 3).
MAX_DIGITS = 12
DECIMAL_PLACES = 3
TOTAL_MAX_DIGITS = 14
# The largest amount one column holds (999999999.999): what inputs are bounded by.
MAX_AMOUNT = Decimal(10) ** (MAX_DIGITS - DECIMAL_PLACES) - Decimal(1).scaleb(
    -DECIMAL_PLACES
)


def money_field(**kwargs: Any) -> "models.DecimalField[Decimal, Decimal]":
    """A model field for an amount (the currency lives on the store or the order)."""
    return models.DecimalField(
        max_digits=MAX_DIGITS, decimal_places=DECIMAL_PLACES, **kwargs
    )


def money_total_field(**kwargs: Any) -> "models.DecimalField[Decimal, Decimal]":
    """A model field for a stored sum of amounts (a day's sales, say)."""
    return models.DecimalField(
        max_digits=TOTAL_MAX_DIGITS, decimal_places=DECIMAL_PLACES, **kwargs
    )


def total_output_field() -> "models.DecimalField[Decimal, Decimal]":
    """The output field of an aggregate or annotation that adds amounts up."""
    return models.DecimalField(
        max_digits=TOTAL_MAX_DIGITS, decimal_places=DECIMAL_PLACES
    )


# --- Currencies and their minor units ------------------------------------------------


def minor_unit(currency: str) -> int:
    """Decimal places of the currency's minor unit (JPY 0, EUR 2, KWD 3)."""
    return MINOR_UNITS[currency]


@functools.cache
def _minor_step(currency: str) -> Decimal:
    """The currency's smallest amount: ``Decimal("0.01")`` for EUR, ``1`` for JPY."""
    return Decimal(1).scaleb(-minor_unit(currency))


def quantize(amount: Decimal, currency: str) -> Decimal:
    """Round an amount to the currency's minor unit, half up as on receipts."""
    return amount.quantize(_minor_step(currency), rounding=ROUND_HALF_UP)


def fits_minor_unit(amount: Decimal, currency: str) -> bool:
    """Whether the amount has no more decimals than the currency allows."""
    return quantize(amount, currency) == amount


def amount_string(amount: Decimal, currency: str) -> str:
    """An amount as the API renders it: ``"21.00"`` in EUR, ``"1500"`` in JPY."""
    return format(quantize(amount, currency), "f")


def format_amount(amount: Decimal, currency: str) -> str:
    """An amount as a person reads it: ``"21.00 EUR"``, ``"1500 JPY"``."""
    return f"{amount_string(amount, currency)} {currency}"


# --- Grammars: amounts as sent and as rendered -------------------------------------
# Written without look-arounds or \d, so that ECMA, Python and Rust regular
# expressions (clients, the server, schema validators) read them alike.


def decimal_pattern(*, max_digits: int, decimal_places: int, signed: bool) -> str:
    """The grammar of a decimal string as sent: ``"12"``, ``"12.5"``, ``"0.125"``.

    At most ``max_digits - decimal_places`` digits before the point (no leading
    zero), at most ``decimal_places`` after it, a minus sign only if ``signed``.
    """
    whole = max_digits - decimal_places
    sign = "-?" if signed else ""
    if not whole:  # below one: "0" has a whole digit, "0.5" has none
        return f"^{sign}0\\.[0-9]{{1,{decimal_places}}}$"
    integer = f"(?:0|[1-9][0-9]{{0,{whole - 1}}})"
    fraction = f"(?:\\.[0-9]{{1,{decimal_places}}})?" if decimal_places else ""
    return f"^{sign}{integer}{fraction}$"


# An amount as sent: fits the column, never negative. Whether it also fits the
# currency's minor unit is a business rule of the services (ADR 0014).
AMOUNT_INPUT_PATTERN = decimal_pattern(
    max_digits=MAX_DIGITS, decimal_places=DECIMAL_PLACES, signed=False
)


def parse_amount(value: object) -> Decimal | None:
    """Read an amount sent as text in the input grammar; None if it is not one."""
    if not isinstance(value, str) or not re.fullmatch(AMOUNT_INPUT_PATTERN, value):
        return None
    return Decimal(value)


def amount_pattern(*, max_digits: int = MAX_DIGITS, signed: bool = False) -> str:
    """The grammar of an amount as ``amount_string`` renders it.

    A minus sign only if ``signed`` (a net figure), no leading zero, at most
    ``max_digits - DECIMAL_PLACES`` digits before the point; then, for a
    currency with a minor unit, a point and exactly that many digits (2 or 3
    for the currencies of ``MINOR_UNITS``).
    """
    places = sorted({unit for unit in MINOR_UNITS.values() if unit})
    whole = max_digits - DECIMAL_PLACES
    fraction = f"(?:\\.[0-9]{{{places[0]},{places[-1]}}})?" if places else ""
    sign = "-?" if signed else ""
    return f"^{sign}(?:0|[1-9][0-9]{{0,{whole - 1}}}){fraction}$"
