"""The generated OpenAPI schema states what the server does."""

import re

import pytest
from django.urls import path
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.money import TOTAL_MAX_DIGITS, amount_pattern
from apps.core.schema import NO_NUL, NO_NUL_OR_BLANK, NOT_BLANK
from apps.core.serializers import (
    AmountField,
    AmountInputField,
    StrictCharField,
    StrictDecimalField,
    StrictInputSerializer,
    StrictIntegerField,
)


class ThingCreateInputSerializer(StrictInputSerializer):
    name = StrictCharField(max_length=20)
    note = StrictCharField(max_length=50, required=False, allow_blank=True)
    secret = StrictCharField(max_length=50, trim_whitespace=False, required=False)
    price = StrictDecimalField(max_digits=12, decimal_places=3, min_value=0)
    count = StrictIntegerField(required=False, min_value=1)


class ThingUpdateInputSerializer(StrictInputSerializer):
    name = StrictCharField(max_length=20)
    note = StrictCharField(max_length=50, required=False, allow_blank=True)
    price = AmountInputField(required=False)


class ThingOutputSerializer(serializers.Serializer):
    name = serializers.CharField()
    price = AmountField()
    sales = AmountField(max_digits=TOTAL_MAX_DIGITS, help_text="All time.")


class ThingView(APIView):
    @extend_schema(
        request=ThingCreateInputSerializer, responses={201: ThingOutputSerializer}
    )
    def post(self, request):
        return Response(status=201)

    @extend_schema(
        request=ThingUpdateInputSerializer, responses={200: ThingOutputSerializer}
    )
    def patch(self, request):
        return Response()

    def get(self, request):
        return Response()


@pytest.fixture(scope="module")
def document():
    generator = SchemaGenerator(patterns=[path("things/", ThingView.as_view())])
    return generator.get_schema(request=None, public=True)


def _component(document, name):
    return document["components"]["schemas"][name]


def test_strict_request_bodies_refuse_unknown_fields(document):
    assert _component(document, "ThingCreateInputRequest")["additionalProperties"] is (
        False
    )
    assert _component(document, "PatchedThingUpdateInputRequest")[
        "additionalProperties"
    ] is (False)


def test_responses_are_not_closed(document):
    assert "additionalProperties" not in _component(document, "ThingOutput")


def test_a_patch_body_requires_what_its_serializer_requires(document):
    component = _component(document, "PatchedThingUpdateInputRequest")
    assert component["required"] == ["name"]
    operation = document["paths"]["/things/"]["patch"]
    assert operation["requestBody"]["required"] is True


def test_optional_fields_are_not_required(document):
    component = _component(document, "ThingCreateInputRequest")
    assert sorted(component["required"]) == ["name", "price"]


def test_a_decimal_publishes_the_pattern_the_server_applies(document):
    price = _component(document, "ThingCreateInputRequest")["properties"]["price"]
    assert price == {
        "type": "string",
        "format": "decimal",
        "pattern": r"^(?:0|[1-9][0-9]{0,8})(?:\.[0-9]{1,3})?$",
    }
    for refused in ("", "-", ".", "1e3", "12.3456"):
        assert not re.fullmatch(price["pattern"], refused)


def test_an_amount_publishes_the_grammar_it_is_rendered_in(document):
    properties = _component(document, "ThingOutput")["properties"]
    assert properties["price"] == {
        "type": "string",
        "format": "decimal",
        "pattern": r"^(?:0|[1-9][0-9]{0,8})(?:\.[0-9]{2,3})?$",
        "example": "21.00",
        "readOnly": True,
        "description": 'Decimal string with the currency\'s decimal places ("1500" '
        'in JPY, "21.00" in EUR, "1.250" in KWD).',
    }
    assert properties["sales"]["pattern"] == amount_pattern(max_digits=TOTAL_MAX_DIGITS)
    assert properties["sales"]["description"] == "All time."
    for rendered in ("21.00", "1500", "1.250", "0.00", "0"):
        assert re.fullmatch(properties["price"]["pattern"], rendered)


def test_an_amount_input_publishes_the_column_grammar(document):
    component = _component(document, "PatchedThingUpdateInputRequest")
    price = component["properties"]["price"]
    assert price["pattern"] == r"^(?:0|[1-9][0-9]{0,8})(?:\.[0-9]{1,3})?$"
    assert price["type"] == "string"


def test_text_states_blank_and_nul_rules(document):
    properties = _component(document, "ThingCreateInputRequest")["properties"]
    assert properties["name"]["pattern"] == NOT_BLANK
    assert properties["name"]["maxLength"] == 20
    assert properties["secret"]["pattern"] == NO_NUL
    # Blank or NUL-free, in one pattern: a oneOf would hide the field from the
    # breaking-change gate (ADR 0033).
    assert properties["note"] == {
        "type": "string",
        "pattern": NO_NUL_OR_BLANK,
        "maxLength": 50,
    }
    assert re.fullmatch(NO_NUL_OR_BLANK, "")
    assert not re.fullmatch(NO_NUL_OR_BLANK, "a\x00")


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("Ada", True),
        (" Ada ", True),
        ("   ", False),
        ("\t\n", False),
        ("\x1f", False),
        ("\u3000", False),
        ("a\x00", False),
    ],
)
def test_the_not_blank_pattern_follows_the_server(value, valid):
    assert bool(re.search(NOT_BLANK, value)) is valid
    assert bool(value.strip()) is valid or "\x00" in value


def test_the_not_blank_pattern_spells_out_what_strip_removes():
    assert "\\s" not in NOT_BLANK
    for code in range(0x110000):
        if chr(code).isspace():
            assert not re.search(NOT_BLANK, chr(code)), hex(code)


def test_every_operation_declares_the_errors_any_request_can_get(document):
    for method, operation in document["paths"]["/things/"].items():
        statuses = set(operation["responses"])
        assert {"400", "401", "403", "404", "406", "413", "429"} <= statuses, method
    assert "415" in document["paths"]["/things/"]["post"]["responses"]
    assert "415" not in document["paths"]["/things/"]["get"]["responses"]
