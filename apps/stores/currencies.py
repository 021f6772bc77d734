"""ISO 4217 currencies a store may trade in, with their minor unit (decimals)."""

from decimal import ROUND_HALF_UP, Decimal

MINOR_UNITS: dict[str, int] = {
    "AED": 2, "AUD": 2, "BHD": 3, "BRL": 2, "CAD": 2, "CHF": 2, "CLP": 0,
    "CNY": 2, "CZK": 2, "DKK": 2, "EUR": 2, "GBP": 2, "HKD": 2, "HUF": 2,
    "IDR": 2, "ILS": 2, "INR": 2, "ISK": 0, "JOD": 3, "JPY": 0, "KRW": 0,
    "KWD": 3, "MXN": 2, "MYR": 2, "NOK": 2, "NZD": 2, "OMR": 3, "PHP": 2,
    "PLN": 2, "RON": 2, "SAR": 2, "SEK": 2, "SGD": 2, "THB": 2, "TND": 3,
    "TRY": 2, "TWD": 2, "UAH": 2, "USD": 2, "VND": 0, "ZAR": 2,
}  # fmt: skip

CURRENCY_CHOICES = [(code, code) for code in sorted(MINOR_UNITS)]


def minor_unit(currency: str) -> int:
    """Decimal places of the currency's minor unit (JPY 0, EUR 2, KWD 3)."""
    return MINOR_UNITS[currency]


def quantize(amount: Decimal, currency: str) -> Decimal:
    """Round an amount to the currency's minor unit, half up as on receipts."""
    exponent = Decimal(1).scaleb(-minor_unit(currency))
    return amount.quantize(exponent, rounding=ROUND_HALF_UP)


def fits_minor_unit(amount: Decimal, currency: str) -> bool:
    """Whether the amount has no more decimals than the currency allows."""
    return quantize(amount, currency) == amount
