"""A URL resolver that remembers the paths it has resolved.

Django walks the URL patterns for every request: for an order list, nine
resolvers and 32 patterns (the store's routes come from four apps, each
router's tried in turn), about 88 us of CPU in-process, and the storefront's
cached page pays it too (66 us of a 0.6 ms hit: ``SharedPageMiddleware``
resolves before answering). Most requests name a few paths again and again
(the lists of each store), so the project's routes sit under one resolver
that keeps its last ``size`` matches: a path seen before costs a dictionary
lookup and the one ``ResolverMatch`` the root resolver makes (ADR 0075).

A match only depends on the path: the patterns never change once loaded,
and their converters (``str``, ``uuid``, ``int``) read nothing else. The
root resolver copies what it returns into a match of its own for each
request (its arguments in a new dictionary), so no request holds another's.
A path that matches nothing is not remembered; each asks the patterns again.
"""

import functools
from collections.abc import Sequence
from typing import Any

from django.urls import URLPattern, URLResolver
from django.urls.resolvers import ResolverMatch, RoutePattern


class RememberingResolver(URLResolver):
    """``path("", include(patterns))``, with its last ``size`` matches kept."""

    def __init__(self, patterns: Sequence[URLPattern | URLResolver], size: int) -> None:
        super().__init__(RoutePattern("", is_endpoint=False), list(patterns))
        self._remembered = functools.lru_cache(maxsize=size)(super().resolve)

    def resolve(self, path: Any) -> ResolverMatch:
        # str(): a path may be a lazy string (reverse_lazy), as Django allows.
        return self._remembered(str(path))
