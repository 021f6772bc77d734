"""A URL resolver that remembers the paths it has resolved.

Django walks the URL patterns for every request: for an order list, nine
resolvers and 32 patterns (the store's routes come from four apps, each
router's tried in turn), about 88 us of CPU in-process, and the storefront's
cached page pays it too (66 us of a hit's 0.8-1.0 ms of CPU on a slow day:
``SharedPageMiddleware`` resolves before answering). Most requests name a
few paths again and again (the lists of each store), so the project's routes
sit under one resolver that keeps its last ``size`` matches: a path seen
before costs a dictionary lookup and the one ``ResolverMatch`` the root
resolver makes (ADR 0075).

A match only depends on the path: the patterns never change once loaded,
their converters (``str``, ``path``, ``uuid``, the reports' ``isodate``)
read nothing else, and the project has no translated routes or language
prefixes (either would make a match depend on the request's language). The
root resolver copies what it returns into a match of its own for each
request (its arguments in new dictionaries); only ``captured_kwargs``, read
by nothing in the project, is passed on shared. A path that matches nothing
is not remembered, but the API's and the admin's catch-all routes match
every path under them: unknown paths there take places in the memory like
any other, which only sends the paths they push out back to the walk. Each
remembered match holds a few kilobytes, so the memory stays within a few
megabytes per process.
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
