"""Strict input fields take JSON as it is typed (ADR 0021)."""

import re
import uuid
from decimal import Decimal

import pytest
from django.core.validators import EmailValidator
from hypothesis import given
from hypothesis import strategies as st
from rest_framework import serializers

from apps.core.money import AMOUNT_INPUT_PATTERN
from apps.core.serializers import (
    EMAIL_PATTERN,
    AmountField,
    AmountInputField,
    StrictBooleanField,
    StrictCharField,
    StrictDecimalField,
    StrictEmailField,
    StrictInputSerializer,
    StrictIntegerField,
    StrictRegexField,
    StrictSlugField,
    StrictUUIDField,
)


def _errors(field, value):
    class Input(StrictInputSerializer):
        pass

    Input._declared_fields = {"value": field}
    serializer = Input(data={"value": value})
    if serializer.is_valid():
        return None, serializer.validated_data["value"]
    return [(e.code, str(e)) for e in serializer.errors["value"]], None


def _accepts(field, value):
    errors, _ = _errors(field, value)
    return errors is None


@pytest.mark.parametrize("value", [12, 1.5, True, ["a"], {"a": 1}])
def test_a_text_field_refuses_what_is_not_a_string(value):
    errors, _ = _errors(StrictCharField(max_length=10), value)
    assert errors is not None
    assert errors[0][0] == "invalid"
    assert errors[0][1].startswith("Expected a string, not ")


def test_a_text_field_names_the_type_it_was_sent():
    errors, _ = _errors(StrictCharField(), 12)
    assert errors == [("invalid", "Expected a string, not an integer.")]


def test_a_text_field_keeps_trimming_and_blank_rules():
    assert _errors(StrictCharField(), "  Ada  ") == (None, "Ada")
    assert _errors(StrictCharField(), "   ")[0] == [
        ("blank", "This field may not be blank.")
    ]
    assert _errors(StrictCharField(allow_blank=True), "   ") == (None, "")
    assert (
        _errors(StrictCharField(), "a\x00b")[0][0][0] == "null_characters_not_allowed"
    )


def test_max_length_counts_the_characters_as_sent():
    field = StrictCharField(max_length=3)
    assert _accepts(field, "abc")
    assert not _accepts(StrictCharField(max_length=3), " abc")
    assert not _accepts(StrictCharField(max_length=3, allow_blank=True), "    ")


@pytest.mark.parametrize("value", [12, " ada@example.com", "ada@example.com\n"])
def test_an_email_field_refuses_numbers_and_untrimmed_text(value):
    assert not _accepts(StrictEmailField(), value)


@pytest.mark.parametrize(
    "value",
    [
        "ada@example.com",
        "o'brien+shop@mail.example.co",
        "ada@xn--mnchen-3ya.de",
        "a@b.xn--p1ai",
    ],
)
def test_an_email_field_takes_an_address(value):
    assert _errors(StrictEmailField(), value) == (None, value)


@pytest.mark.parametrize(
    "value",
    [
        *("ada@example.c", "ada@localhost", '"ada lovelace"@example.com'),
        *("ada@[127.0.0.1]", "ada@-example.com", "ada@example.com-"),
        *("ada..b@example.com", "ada@example", "ada@münchen.de"),
    ],
)
def test_an_email_field_refuses_what_its_pattern_refuses(value):
    assert not re.fullmatch(EMAIL_PATTERN, value)
    errors, _ = _errors(StrictEmailField(), value)
    assert errors == [("invalid", "Enter a valid email address.")]


# The schema states both the pattern and maxLength 254 (longer addresses fail
# Django's 320-character bound, or the field's own).
@given(
    st.from_regex(EMAIL_PATTERN[:-1] + r"\Z", fullmatch=True).filter(
        lambda value: len(value) <= 254
    )
)
def test_every_address_of_the_pattern_passes_djangos_validator(value):
    EmailValidator()(value)
    assert _accepts(StrictEmailField(), value)


@pytest.mark.parametrize("value", ["ABC\n", " ABC", "ABC ", 12])
def test_a_regex_field_matches_the_text_as_sent(value):
    assert not _accepts(StrictRegexField(r"^[A-Z]+$"), value)


def test_a_slug_field_matches_the_text_as_sent():
    assert _accepts(StrictSlugField(), "my-store")
    assert not _accepts(StrictSlugField(), "my-store\n")
    assert not _accepts(StrictSlugField(), " my-store")


@pytest.mark.parametrize("value", ["12", 12.0, 12.5, True, "1e3"])
def test_an_integer_field_takes_json_integers_only(value):
    errors, _ = _errors(StrictIntegerField(), value)
    assert errors is not None
    assert errors[0][0] == "invalid"


def test_an_integer_field_keeps_its_bounds():
    assert _errors(StrictIntegerField(min_value=0), 12) == (None, 12)
    assert _errors(StrictIntegerField(min_value=0), -1)[0][0][0] == "min_value"


@pytest.mark.parametrize("value", ["true", "yes", 1, 0, "on", None])
def test_a_boolean_field_takes_true_or_false_only(value):
    assert not _accepts(StrictBooleanField(), value)


def test_a_boolean_field_takes_true_and_false():
    assert _errors(StrictBooleanField(), True) == (None, True)
    assert _errors(StrictBooleanField(), False) == (None, False)


def test_a_uuid_field_takes_the_standard_form_only():
    value = uuid.uuid4()
    assert _errors(StrictUUIDField(), str(value)) == (None, value)
    assert _errors(StrictUUIDField(), str(value).upper()) == (None, value)
    for spelling in (value.int, value.hex, f"{{{value}}}", f"urn:uuid:{value}"):
        assert not _accepts(StrictUUIDField(), spelling), spelling


def _price():
    return StrictDecimalField(
        max_digits=12,
        decimal_places=3,
        min_value=Decimal("0"),
        max_value=Decimal("999999999.999"),
    )


def test_a_price_pattern_is_plain_digits():
    assert _price().pattern == r"^(?:0|[1-9][0-9]{0,8})(?:\.[0-9]{1,3})?$"


@pytest.mark.parametrize(
    "value",
    [
        *("", "-", ".", "-0", "-5", "1e3", "+5", ".5", "5.", " 5", "5 ", "007"),
        *("1.2345", "1000000000", "NaN", "Infinity", "\u0661\u0662", "5\n"),
    ],
)
def test_a_price_refuses_every_other_spelling(value):
    assert not re.fullmatch(_price().pattern, value)
    assert not _accepts(_price(), value)


@pytest.mark.parametrize("value", [12, 12.5, True])
def test_a_price_refuses_json_numbers(value):
    errors, _ = _errors(_price(), value)
    assert errors is not None
    assert errors[0][0] == "invalid"
    assert "decimal string" in errors[0][1]


@pytest.mark.parametrize(
    ("value", "expected"),
    [("0", "0"), ("12", "12"), ("12.5", "12.5"), ("999999999.999", "999999999.999")],
)
def test_a_price_takes_plain_digits(value, expected):
    errors, result = _errors(_price(), value)
    assert errors is None
    assert result == Decimal(expected)


@given(st.text(alphabet="0123456789.-+e ", max_size=16))
def test_the_pattern_is_exactly_what_a_price_field_accepts(value):
    assert bool(re.fullmatch(_price().pattern, value)) == _accepts(_price(), value)


@given(st.from_regex(r"^(?:0|[1-9][0-9]{0,8})(?:\.[0-9]{1,3})?$", fullmatch=True))
def test_every_string_of_the_pattern_is_a_valid_price(value):
    assert _accepts(_price(), value)


def test_a_signed_decimal_takes_a_minus_sign():
    field = StrictDecimalField(max_digits=5, decimal_places=2)
    assert field.pattern == r"^-?(?:0|[1-9][0-9]{0,2})(?:\.[0-9]{1,2})?$"
    assert _accepts(StrictDecimalField(max_digits=5, decimal_places=2), "-999.99")


def test_a_decimal_below_one_needs_its_fraction():
    field = StrictDecimalField(max_digits=2, decimal_places=2, min_value=Decimal(0))
    assert field.pattern == r"^0\.[0-9]{1,2}$"
    for value in ("0", "1", "0.123"):
        assert not re.fullmatch(field.pattern, value)
        assert not _accepts(
            StrictDecimalField(max_digits=2, decimal_places=2, min_value=Decimal(0)),
            value,
        )


def test_bounds_a_pattern_cannot_state_are_refused():
    with pytest.raises(ValueError, match="bounds"):
        StrictDecimalField(max_digits=5, decimal_places=2, max_value=Decimal("10"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-01T10:00:00+18:37", "2026-10-31T15:23:00+00:00"),
        ("2026-11-01t10:00:00z", "2026-11-01T10:00:00+00:00"),
        ("2026-11-01T10:00:00.5-03:00", "2026-11-01T13:00:00.500000+00:00"),
    ],
)
def test_a_date_time_filter_reads_rfc_3339_into_utc(text, expected):
    from apps.core.filters import OffsetDateTimeField

    assert OffsetDateTimeField().clean(text).isoformat() == expected


@pytest.mark.parametrize(
    "text",
    [
        "2026-11-01",
        "2026-11-01T10:00:00",
        "9999-12-31T23:59:59-23:59",
        "2026-13-01T00:00:00Z",
    ],
)
def test_a_date_time_filter_refuses_what_is_not_a_moment_it_can_store(text):
    from django.core.exceptions import ValidationError

    from apps.core.filters import OffsetDateTimeField

    with pytest.raises(ValidationError):
        OffsetDateTimeField().clean(text)


# --- Amounts -------------------------------------------------------------------------


class _Line:
    def __init__(self, price, order_currency):
        self.price = price
        self.order = type("Order", (), {"currency": order_currency})()


@pytest.mark.parametrize(
    ("currency", "rendered"), [("EUR", "21.00"), ("JPY", "21"), ("KWD", "21.000")]
)
def test_an_amount_renders_with_the_context_currency(currency, rendered):
    class Output(serializers.Serializer):
        price = AmountField()

    data = Output({"price": Decimal("21.000")}, context={"currency": currency}).data
    assert data == {"price": rendered}


@pytest.mark.parametrize(
    ("currency", "price", "rendered"),
    [("EUR", "4.5", "4.50"), ("JPY", "1500.000", "1500"), ("KWD", "1.25", "1.250")],
)
def test_an_amount_renders_with_the_currency_of_its_instance(currency, price, rendered):
    class Output(serializers.Serializer):
        price = AmountField(currency_source="order.currency")

    assert Output(_Line(Decimal(price), currency)).data == {"price": rendered}


def test_the_instance_currency_wins_over_the_context():
    class Output(serializers.Serializer):
        price = AmountField(currency_source="order.currency")

    data = Output(_Line(Decimal("7"), "JPY"), context={"currency": "KWD"}).data
    assert data == {"price": "7"}


def test_a_missing_amount_renders_as_null():
    class Output(serializers.Serializer):
        price = AmountField(allow_null=True)

    assert Output({"price": None}, context={"currency": "EUR"}).data == {"price": None}


def test_an_amount_field_is_read_only():
    class Input(StrictInputSerializer):
        price = AmountField()

    serializer = Input(data={"price": "12.00"})
    assert not serializer.is_valid()
    assert serializer.errors["price"][0].code == "unknown_field"


def test_an_amount_input_is_bounded_by_the_column():
    field = AmountInputField()
    assert field.pattern == AMOUNT_INPUT_PATTERN
    assert _errors(AmountInputField(), "999999999.999") == (
        None,
        Decimal("999999999.999"),
    )
    for refused in ("1000000000", "-1", "1.2345", "1e3"):
        assert not _accepts(AmountInputField(), refused)
