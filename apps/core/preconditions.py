"""``If-Match``: a write that happens only while the caller's copy is current.

A client reads an item, keeps its ``ETag`` and sends it back in ``If-Match``
with a write. The write happens only if the tag still names the item's
current representation; otherwise it is refused with 412
``precondition_failed`` and nothing changes (ADR 0036).

Invariants:
- The comparison is made by the service, right after it locks the row it is
  about to change and before it changes anything, with the tag of the item
  as it stands under that lock. Two editors who send the same tag are
  serialized by the lock: the second compares with the state the first left,
  so at most one of them writes. A view never compares on its own.
- Tags are compared strongly (RFC 9110, 8.8.3.2): a weak tag (``W/"..."``)
  never matches.
- ``*`` matches any current representation. The locked row exists, and a
  missing item is answered 404 before any precondition is looked at.
- A value that is neither ``*`` nor a list of entity tags matches nothing
  (RFC 9110, 13.1.1: the condition is false).
- No header, no condition: services take ``if_match=None`` and write as they
  always did, so the admin, tasks and commands call the same functions.

This module knows no HTTP framework. The view wraps the header in an
``IfMatch`` with ``tag_of``, the function that computes an item's current tag
(the hash of the representation a GET would answer).
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models

from .exceptions import PreconditionFailed

# An entity tag (RFC 9110, 8.8.3), without the obs-text bytes: the tags this
# server issues are hex digits in quotes.
ENTITY_TAG = r'(?:W/)?"[\x21\x23-\x7e]*"'
# What the OpenAPI schema declares for If-Match, and what the check accepts:
# ``*``, or a comma-separated list of entity tags (empty elements allowed).
IF_MATCH_PATTERN = (
    rf"^(?:\*|(?:,[ \t]*)*{ENTITY_TAG}(?:[ \t]*,(?:[ \t]*{ENTITY_TAG})?)*)$"
)


@dataclass(frozen=True)
class IfMatch:
    """The ``If-Match`` header of a request, and how to tag an item's current state."""

    header: str
    tag_of: Callable[[Any], str]


def if_match_check(if_match: IfMatch | None, instance: models.Model) -> None:
    """Refuse the write (412) unless ``If-Match`` names ``instance``'s current state.

    Call it under the row lock the write takes, before changing anything.
    """
    if if_match is None:
        return
    value = if_match.header.strip(" \t")
    if value == "*":
        return
    if re.fullmatch(IF_MATCH_PATTERN, value) is None:
        raise PreconditionFailed(
            "If-Match must be * or a comma-separated list of quoted entity tags, "
            'e.g. If-Match: "3f1c9a...": send the ETag exactly as it was received.'
        )
    strong = [tag for tag in re.findall(ENTITY_TAG, value) if not tag.startswith("W/")]
    if not strong:
        raise PreconditionFailed(
            'If-Match compares entity tags strongly: a weak tag (W/"...") never '
            "matches. Send the ETag exactly as it was received."
        )
    if if_match.tag_of(instance) not in strong:
        name = instance._meta.verbose_name
        raise PreconditionFailed(
            f"This {name} has changed since the ETag you sent was read; read it "
            "again (GET), then retry with its new ETag."
        )
