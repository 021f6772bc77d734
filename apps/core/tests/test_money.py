"""Money rules: minor units, rendering and the grammars of amounts (ADR 0024)."""

import re
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from apps.core.money import (
    AMOUNT_INPUT_PATTERN,
    MAX_AMOUNT,
    MINOR_UNITS,
    TOTAL_MAX_DIGITS,
    amount_pattern,
    amount_string,
    format_amount,
    parse_amount,
)


@pytest.mark.parametrize(
    ("amount", "currency", "rendered"),
    [
        ("21", "EUR", "21.00"),
        ("21.000", "EUR", "21.00"),
        ("0.005", "EUR", "0.01"),  # half up, as on receipts
        ("1500.000", "JPY", "1500"),
        ("1499.5", "JPY", "1500"),
        ("1.25", "KWD", "1.250"),
        ("0", "KWD", "0.000"),
        ("0E-3", "EUR", "0.00"),
        ("999999999.999", "KWD", "999999999.999"),
        ("1E+3", "JPY", "1000"),  # never in exponent notation
    ],
)
def test_an_amount_is_rendered_with_its_currency_minor_unit(amount, currency, rendered):
    assert amount_string(Decimal(amount), currency) == rendered
    assert format_amount(Decimal(amount), currency) == f"{rendered} {currency}"


def test_the_rendered_pattern_is_plain_digits_with_a_minor_unit():
    assert amount_pattern() == r"^(?:0|[1-9][0-9]{0,8})(?:\.[0-9]{2,3})?$"
    assert amount_pattern(max_digits=TOTAL_MAX_DIGITS) == (
        r"^(?:0|[1-9][0-9]{0,10})(?:\.[0-9]{2,3})?$"
    )


@given(
    amount=st.decimals(min_value=0, max_value=MAX_AMOUNT, places=3),
    currency=st.sampled_from(sorted(MINOR_UNITS)),
)
def test_every_rendered_amount_matches_the_pattern(amount, currency):
    rendered = amount_string(amount, currency)
    if Decimal(rendered) <= MAX_AMOUNT:  # rounding 999999999.995 up goes past it
        assert re.fullmatch(amount_pattern(), rendered)
    assert re.fullmatch(amount_pattern(max_digits=TOTAL_MAX_DIGITS), rendered)


@pytest.mark.parametrize("refused", ["21.0", "21.0000", "-1.00", "021.00", "1e3"])
def test_the_rendered_pattern_refuses_what_is_never_rendered(refused):
    assert not re.fullmatch(amount_pattern(), refused)


@pytest.mark.parametrize(
    ("text", "amount"),
    [("12", "12"), ("12.5", "12.50"), ("0.125", "0.125"), ("999999999.999", None)],
)
def test_an_amount_is_read_in_the_input_grammar(text, amount):
    assert parse_amount(text) == Decimal(amount or text)


@pytest.mark.parametrize(
    "value",
    [
        *("", " 12", "12 ", "+12", "-12", "1e3", "12.", ".5", "012", "1.2345"),
        *("NaN", "1000000000", "12\n", 12, 12.5, None, True),
    ],
)
def test_anything_else_is_not_an_amount(value):
    assert parse_amount(value) is None


@given(st.text(alphabet="0123456789.-+e ", max_size=14))
def test_an_amount_is_read_exactly_when_it_matches_the_input_pattern(text):
    matches = re.fullmatch(AMOUNT_INPUT_PATTERN, text) is not None
    assert (parse_amount(text) is not None) == matches
