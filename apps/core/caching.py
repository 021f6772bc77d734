"""Entity tags for any viewset: conditional GET, a shared page cache, If-Match.

``CachedListModelMixin`` and ``CachedRetrieveModelMixin`` stand in for DRF's
``ListModelMixin`` and ``RetrieveModelMixin``. They render the read as JSON
with an ``ETag``, and answer ``If-None-Match`` with 304 when the caller's copy
is current. The viewset decides, per request, whether the page may be shared
(``shared_page``): when it returns a ``SharedPage``, the rendered page and its
tag are kept in the cache under that key and served from there until the
entry expires or, when the page names a *version key*, until the version
stored there changes: the page is kept with the version it was built under,
and one ``MGET`` reads both (the store's catalog version, for products), so a
write never has to find and delete cached pages, and a hit is one cache round
trip.

Every answer says where it came from (``X-Cache``): ``HIT`` or ``MISS`` for a
shared page, ``BYPASS`` for a caller whose answer is never shared (members see
more than the public). ``Vary: Authorization`` keeps HTTP caches from handing
one caller's answer to another, and ``Cache-Control: no-cache`` makes clients
revalidate with the ``ETag`` rather than reuse a copy unasked.

``If-None-Match`` uses the weak comparison of RFC 9110 (``W/"x"`` matches
``"x"``), accepts a list of tags, and ``*`` matches any current
representation: the resource exists, so the caller's copy is current.

``ConditionalWriteMixin`` carries the same tag over to the writes of an item
(ADR 0036): ``if_match()`` hands the request's ``If-Match`` to the service,
which compares it under its row lock (``apps.core.preconditions``), and
``tagged()`` answers a write with the item's representation and its new
``ETag``. The tag is always the hash of the representation a GET answers, so
the tag of a write's answer, of a read and of the comparison are one value.
"""

import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.urls import Resolver404, ResolverMatch, resolve
from django.utils.cache import patch_vary_headers
from django.utils.http import parse_etags
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request

from .preconditions import IF_MATCH_PATTERN, IfMatch
from .renderers import JSONRenderer
from .serializers import ProblemSerializer
from .throttling import count_throttles


@dataclass(frozen=True)
class SharedPage:
    """Where the page of a request may be shared: its cache key and lifetime.

    ``version_key``, if given, names a cache key holding the version of what
    the page shows (a random token, made on first use): a page built under an
    older version is never served. Replacing the token makes every page that
    names the key stale at once.
    """

    key: str
    timeout: int
    version_key: str | None = None


@dataclass(frozen=True)
class CachedPage:
    body: bytes
    etag: str
    # The headers the view adds to every answer (DRF's ``Allow``), kept with
    # the page so that SharedPageMiddleware answers a hit as the view would.
    headers: tuple[tuple[str, str], ...] = ()


def make_etag(body: bytes) -> str:
    """A strong entity tag for a rendered body."""
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


# Pages are stored as plain (version, body, tag, headers) tuples under a
# prefix of their own, so that a release which changes their shape never
# unpickles an older one.
PAGE_PREFIX = "page:v3:"


def page_keys(shared: SharedPage) -> list[str]:
    """The cache keys ``page_get`` reads: the page and its version's."""
    name = PAGE_PREFIX + shared.key
    return [name] if shared.version_key is None else [name, shared.version_key]


def page_get(
    shared: SharedPage, found: dict[str, Any] | None = None
) -> tuple[CachedPage | None, str | None]:
    """The page shared under ``shared.key`` if it is current, and the version.

    The page and its version are read together (one ``MGET``: a hit costs one
    round trip to Redis, where reading the version and then the page under a
    key naming it cost two, about 0.2 ms more per hit; docs/performance.md),
    or taken from ``found``, what a caller read of ``page_keys`` (in the round
    trip that counted the request's throttles: SharedPageMiddleware).
    The version is None when it cannot be read (the cache is down): such a
    page is neither served nor shared, since nothing says what it shows.
    """
    name = PAGE_PREFIX + shared.key
    if found is None:
        found = cache.get_many(page_keys(shared))
    version = ""
    if shared.version_key is not None:
        current = found.get(shared.version_key)
        if current is None:
            cache.add(shared.version_key, uuid.uuid4().hex, timeout=None)
            current = cache.get(shared.version_key)
            if current is None:
                return None, None
        version = str(current)
    value = found.get(name)
    if not isinstance(value, tuple) or len(value) != 4 or value[0] != version:
        return None, version
    return CachedPage(body=value[1], etag=value[2], headers=value[3]), version


def page_put(shared: SharedPage, version: str, page: CachedPage) -> None:
    """Share ``page`` as built under ``version`` (read before it was built)."""
    cache.set(
        PAGE_PREFIX + shared.key,
        (version, page.body, page.etag, page.headers),
        shared.timeout,
    )


def if_none_match(request: HttpRequest, etag: str) -> bool:
    """Whether ``If-None-Match`` matches ``etag`` (the caller's copy is current)."""
    header = request.headers.get("If-None-Match")
    if not header:
        return False
    tags = {tag.removeprefix("W/") for tag in parse_etags(header)}
    return "*" in tags or etag.removeprefix("W/") in tags


class ConditionalReadMixin(GenericAPIView):
    """Answer a read from the shared cache or from ``build``, with an ``ETag``."""

    def shared_page(self) -> SharedPage | None:
        """Where this request's answer may be shared, or None if it must not be."""
        return None

    def conditional_read(self, build: Callable[[], Any]) -> HttpResponse:
        """Serve the data that ``build`` returns, or its cached rendering."""
        shared = self.shared_page()
        if shared is None:
            return _respond(self.request, _render(build()), "BYPASS")
        page, version = page_get(shared)
        if page is not None:
            return _respond(self.request, page, "HIT")
        page = _render(build(), headers=tuple(self.default_response_headers.items()))
        if version is not None:
            page_put(shared, version, page)
        return _respond(self.request, page, "MISS")


class SharedPageMiddleware:
    """Answer an anonymous GET from its shared page before the rest of the stack.

    A cache hit of a public page needs none of what follows this middleware
    (sessions, CSRF, authentication, messages) nor DRF's dispatch: serving it
    here took the storefront hit from about 0.9 to 0.6 ms in-process, the
    largest share of what separated it from the floor (ADR 0065,
    docs/performance.md). It answers only what the view would answer with
    the same page:

    - a GET with no ``Authorization`` header (the API authenticates by JWT
      only), no session cookie, and an ``Accept`` the JSON renderer satisfies
      without negotiation (none, ``*/*`` or ``application/json``);
    - to a URL whose view class names the page an anonymous read shares
      (``public_shared_page``, a class method: the same key the view uses);
    - when the view's throttles let the caller through (counted on the same
      counters, before anything is read; the view does not count the request
      again) and that page is in the cache under its current version.

    Anything else, a miss or a refused throttle included, goes down the stack
    unchanged, where the view builds (and shares) the page or answers the
    error. ``apps/products/tests/test_shared_page_middleware.py`` holds each
    answer equal, header for header, to the one the view gives.
    """

    ACCEPT = frozenset({"*/*", "application/json"})

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.serve(request)
        return self.get_response(request) if response is None else response

    def serve(self, request: HttpRequest) -> HttpResponse | None:
        meta = request.META
        accept = meta.get("HTTP_ACCEPT")
        if (
            request.method != "GET"
            or "HTTP_AUTHORIZATION" in meta
            or (accept is not None and accept not in self.ACCEPT)
            # The session middleware would answer a session cookie (deleting a
            # stale one, with Vary: Cookie): the view's path does that.
            or settings.SESSION_COOKIE_NAME in request.COOKIES
        ):
            return None
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return None
        public_page = getattr(
            getattr(match.func, "cls", None), "public_shared_page", None
        )
        if public_page is None:
            return None
        # The throttles first, as DRF runs them before the view reads anything:
        # a caller over the limit costs no query. Every throttle counts (DRF
        # runs them all); one that refuses sends the request on to the view,
        # which counts it again and answers 429. When the page can be named
        # without a query (its store's id was read a moment ago), it is read
        # in the same round trip as the counters: one round trip for a hit.
        request.user = AnonymousUser()  # what authentication makes of this caller
        view = _view_for(match, request)
        throttles = view.get_throttles()
        shared = public_page(request, match, remembered_only=True)
        found: dict[str, Any] | None = None
        counted = count_throttles(
            throttles, request, view, () if shared is None else page_keys(shared)
        )
        if counted is None:
            # A list, not a generator: every throttle counts, as in DRF.
            allowed = all([t.allow_request(request, view) for t in throttles])  # noqa: C419
        else:
            waits, found = counted
            allowed = all(wait is None for wait in waits)
        if not allowed:
            return None
        request.throttles_counted = True  # type: ignore[attr-defined] # the view's skip it
        if shared is None:
            shared = public_page(request, match, remembered_only=False)
            if shared is None:
                return None
            found = None
        page, _ = page_get(shared, found)
        if page is None:
            return None  # the view builds the page and shares it
        request.resolver_match = match  # for the access log
        response = _respond(request, page, "HIT")
        response["Content-Length"] = str(len(response.content))
        return response


def _view_for(match: ResolverMatch, request: HttpRequest) -> Any:
    """The view instance DRF would make for ``match`` (for its throttles)."""
    view = match.func.cls(**match.func.initkwargs)  # type: ignore[attr-defined]
    view.action_map = match.func.actions  # type: ignore[attr-defined]
    view.action = view.action_map.get("get")
    view.request, view.args, view.kwargs = request, match.args, match.kwargs
    return view


class CachedListModelMixin(ConditionalReadMixin, mixins.ListModelMixin):
    def list(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponse:  # type: ignore[override]
        page = super().list
        return self.conditional_read(lambda: page(request, *args, **kwargs).data)


class CachedRetrieveModelMixin(ConditionalReadMixin, mixins.RetrieveModelMixin):
    def representation(self, instance: Any) -> Any:
        """The data a read answers for ``instance``, as ``get_object`` loads it."""
        return self.get_serializer(instance).data

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponse:  # type: ignore[override]
        return self.conditional_read(lambda: self.representation(self.get_object()))


class ConditionalWriteMixin(CachedRetrieveModelMixin):
    """Tag an item's writes as its reads are tagged; pass If-Match to the service."""

    def reload(self, instance: Any) -> Any:
        """``instance`` read again as ``get_object`` reads it (annotations included).

        A service returns the bare row it wrote; a view whose representation
        needs more (annotations, related rows) reads it again through its
        selector. The default suits a representation made of the row alone.
        """
        return instance

    def etag_of(self, instance: Any) -> str:
        """The current tag of the item: that of the representation a GET answers."""
        return _render(self.representation(self.reload(instance))).etag

    def if_match(self) -> IfMatch | None:
        """The request's If-Match, for the service to check under its row lock."""
        header = self.request.headers.get("If-Match")
        return None if header is None else IfMatch(header=header, tag_of=self.etag_of)

    def tagged(self, instance: Any, status: int = 200) -> HttpResponse:
        """Answer a write with the item's representation and its new ``ETag``."""
        page = _render(self.representation(self.reload(instance)))
        response = HttpResponse(
            page.body, status=status, content_type="application/json"
        )
        response["ETag"] = page.etag
        return response


# --- What the OpenAPI schema says about tags -----------------------------------

ETAG_HEADER = OpenApiParameter(
    "ETag",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    response=[200, 201, 304],
    description="The strong entity tag of the item's representation. Send it "
    "back in `If-Match` to change the item only if it is still current, or in "
    "`If-None-Match` to read it only if it has changed.",
)
IF_MATCH_HEADER = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    pattern=IF_MATCH_PATTERN,
    description="The `ETag` of the item as you last read it: the write happens "
    "only if the item is still in that state, else 412 `precondition_failed` "
    "and nothing changes. Tags compare strongly (a weak `W/` tag never "
    "matches); `*` matches any existing item. Without the header, the write "
    "happens whatever the item's state.",
)
NOT_MODIFIED = OpenApiResponse(
    description="Not modified: the tag in `If-None-Match` is current."
)
PRECONDITION_FAILED = OpenApiResponse(
    ProblemSerializer,
    description="`precondition_failed`: `If-Match` does not name the item's "
    "current state (it changed since it was read, or the tag is weak or "
    "malformed). Nothing was changed; read the item again.",
)


def tagged_read(summary: str, serializer: Any) -> Any:
    """``extend_schema`` of an item's read: the item, its ``ETag``, and 304."""
    return extend_schema(
        summary=summary,
        parameters=[ETAG_HEADER],
        responses={200: serializer, 304: NOT_MODIFIED},
    )


def conditional_write(*, responses: dict[Any, Any], **kwargs: Any) -> Any:
    """``extend_schema`` of a write taking If-Match: the header, 412, the new tag."""
    return extend_schema(
        parameters=[IF_MATCH_HEADER, ETAG_HEADER],
        responses={**responses, 412: PRECONDITION_FAILED},
        **kwargs,
    )


def _render(data: Any, headers: tuple[tuple[str, str], ...] = ()) -> CachedPage:
    body = JSONRenderer().render(data)
    return CachedPage(body=body, etag=make_etag(body), headers=headers)


def _respond(request: HttpRequest, page: CachedPage, state: str) -> HttpResponse:
    if if_none_match(request, page.etag):
        response: HttpResponse = HttpResponseNotModified()
    else:
        response = HttpResponse(page.body, content_type="application/json")
    response["ETag"] = page.etag
    response["X-Cache"] = state
    response["Vary"] = "Authorization"
    response["Cache-Control"] = "no-cache"
    for name, value in page.headers:
        if name == "Vary":
            patch_vary_headers(response, [value])
        else:
            response[name] = value
    return response
