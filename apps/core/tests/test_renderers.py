"""The API's JSON renderer writes exactly the bytes DRF's renderer writes."""

import dataclasses
import datetime
import uuid
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils.translation import gettext_lazy
from rest_framework import renderers
from rest_framework.settings import api_settings

from apps.core.renderers import JSONRenderer

EVERY_CHARACTER = "".join(chr(code) for code in range(0x800)) + "\u2028\u2029\ufeff😀"
PARIS = ZoneInfo("Europe/Paris")


def _both(data, media_type=None, context=None):
    ours = JSONRenderer().render(data, media_type, context)
    drf = renderers.JSONRenderer().render(data, media_type, context)
    return ours, drf


@pytest.mark.parametrize(
    "data",
    [
        {"text": EVERY_CHARACTER, "keys": {"é": 1, "\u2028": 2}},
        {"numbers": [0, -1, 2**63 - 1, -(2**63), 12, True, False, None]},
        {
            "when": datetime.datetime(
                2026, 11, 23, 17, 57, 42, 123456, tzinfo=datetime.UTC
            )
        },
        {"when": datetime.datetime(2026, 11, 23, 17, 57, 42, tzinfo=datetime.UTC)},
        {"when": datetime.datetime(2026, 10, 25, 2, 30, tzinfo=PARIS, fold=1)},
        {"when": datetime.datetime(2026, 11, 23, 17, 57, 42, 5)},  # noqa: DTZ001 - naive
        {"day": datetime.date(2026, 2, 28), "at": datetime.time(9, 5, 0, 7)},
        {"span": datetime.timedelta(hours=1, microseconds=5)},
        {"amount": Decimal("12.50"), "small": Decimal("0.01")},
        {"id": uuid.UUID("01a2099f-dfc8-70fc-b93c-bc729c50f0dc")},
        {"lazy": gettext_lazy("This field is required.")},
        {"tuple": (1, "two"), "set": {3}, "generator": (n for n in range(3))},
        {2: "int key", None: "none key", True: "bool key"},
        [{"nested": [[{"deep": ["x"]}]]}, [], {}],
        "a bare string",
        {"huge": 2**70},  # past orjson's 64 bits: DRF's renderer writes it
    ],
)
def test_the_bytes_are_drfs(data):
    if isinstance(data, dict) and "generator" in data:
        # A generator is consumed by the first rendering: give each its own.
        ours = JSONRenderer().render({**data, "generator": (n for n in range(3))})
        drf = renderers.JSONRenderer().render(
            {**data, "generator": (n for n in range(3))}
        )
        assert ours == drf
        return
    ours, drf = _both(data)
    assert ours == drf
    assert isinstance(ours, bytes)


def test_the_json_is_written_by_orjson_not_by_drfs_renderer(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("DRF's renderer was called")

    monkeypatch.setattr(renderers.JSONRenderer, "render", refuse)
    data = {"results": [{"id": "1", "when": datetime.date(2026, 11, 23)}]}
    expected = b'{"results":[{"id":"1","when":"2026-11-23"}]}'
    assert JSONRenderer().render(data) == expected


def test_nothing_renders_as_nothing():
    assert JSONRenderer().render(None) == b""


@pytest.mark.parametrize(
    "media_type", ["application/json; indent=4", "application/json; indent=0"]
)
def test_an_indent_asked_for_is_drfs(media_type):
    data = {"results": [{"id": 1, "name": "Zoë"}], "next": None}
    ours, drf = _both(data, media_type, {})
    assert ours == drf


def test_what_drf_refuses_is_refused_the_same_way():
    @dataclasses.dataclass
    class Point:
        x: int

    for value, error in (
        (object(), TypeError),
        (Point(1), TypeError),
        (datetime.time(9, tzinfo=datetime.UTC), ValueError),
    ):
        with pytest.raises(error):
            renderers.JSONRenderer().render({"value": value})
        with pytest.raises(error):
            JSONRenderer().render({"value": value})


def test_the_api_and_its_shared_pages_render_with_it():
    from apps.core import caching

    assert api_settings.DEFAULT_RENDERER_CLASSES[0] is JSONRenderer
    assert caching.JSONRenderer is JSONRenderer
