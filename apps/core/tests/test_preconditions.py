"""If-Match as RFC 9110 reads it: strong comparison, ``*``, lists, malformed values."""

import re

import pytest

from apps.core.exceptions import PreconditionFailed
from apps.core.models import OutboxMessage
from apps.core.preconditions import IF_MATCH_PATTERN, IfMatch, if_match_check

CURRENT = '"3f1c9a0b"'
ROW = OutboxMessage(kind="tests.row")  # any model: only its name is read


def _check(header):
    if_match_check(IfMatch(header=header, tag_of=lambda row: CURRENT), ROW)


def _refused(header) -> str:
    with pytest.raises(PreconditionFailed) as refused:
        _check(header)
    assert refused.value.code == "precondition_failed"
    assert refused.value.status_code == 412
    return refused.value.message


def test_no_header_is_no_condition():
    if_match_check(None, ROW)


@pytest.mark.parametrize(
    "header",
    [
        CURRENT,
        f'"0000", {CURRENT}',
        f'  "0000" ,{CURRENT} , ',
        f", ,{CURRENT}",
        "*",
        " * ",
    ],
)
def test_the_current_tag_alone_or_in_a_list_and_the_star_match(header):
    _check(header)


@pytest.mark.parametrize("header", ['"0000"', '"3f1c9a0b0"', '"", "3f1c9a0"'])
def test_another_tag_is_refused_as_a_change_since_the_read(header):
    message = _refused(header)
    assert "outbox message has changed" in message


@pytest.mark.parametrize("header", [f"W/{CURRENT}", f'W/{CURRENT}, W/"0000"'])
def test_a_weak_tag_never_matches_even_the_current_one(header):
    assert "weak" in _refused(header)


def test_a_strong_tag_still_matches_beside_weak_ones():
    _check(f'W/"0000", {CURRENT}')


@pytest.mark.parametrize(
    "header",
    [
        "",
        " ",
        ",",
        "3f1c9a0b",  # not quoted
        '"3f1c9a0b',  # quote not closed
        f"{CURRENT} {CURRENT}",  # no comma between the tags
        f"garbage, {CURRENT}",  # one bad element spoils the list
        f"*, {CURRENT}",
        "**",
        'w/"3f1c9a0b"',  # the weak prefix is case-sensitive
        '"3f1c 9a0b"',  # no space inside a tag
        '"3f1c\u00e99a0b"',  # no obs-text either
    ],
)
def test_a_malformed_value_matches_nothing(header):
    assert "must be * or" in _refused(header)


@pytest.mark.parametrize(
    ("header", "well_formed"),
    [
        (CURRENT, True),
        (f'W/"x", {CURRENT},', True),
        ("*", True),
        ("", False),
        ("3f1c9a0b", False),
        (f"garbage, {CURRENT}", False),
    ],
)
def test_the_published_pattern_is_the_grammar_the_check_applies(header, well_formed):
    assert bool(re.fullmatch(IF_MATCH_PATTERN, header)) is well_formed
