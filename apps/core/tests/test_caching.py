"""The conditional read and write mixins, on viewsets of their own (no domain app)."""

import pytest
from django.core.cache import cache
from rest_framework import serializers, viewsets
from rest_framework.permissions import AllowAny
from rest_framework.test import APIRequestFactory

from apps.core.caching import (
    PAGE_PREFIX,
    CachedRetrieveModelMixin,
    ConditionalWriteMixin,
    SharedPage,
    page_get,
)
from apps.core.models import OutboxMessage
from apps.core.preconditions import if_match_check

BUILDS: list[str] = []


class ReportSerializer(serializers.Serializer):
    total = serializers.CharField()


class ReportViewSet(CachedRetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = (AllowAny,)
    authentication_classes = ()
    serializer_class = ReportSerializer

    def get_object(self):
        BUILDS.append(self.kwargs["audience"])
        return {"total": "12.50"}

    def shared_page(self):
        if self.kwargs["audience"] == "private":
            return None
        return SharedPage(key="reports:v7:daily", timeout=60)


def _get(audience, **headers):
    view = ReportViewSet.as_view({"get": "retrieve"})
    return view(APIRequestFactory().get("/report/", **headers), audience=audience)


@pytest.fixture(autouse=True)
def _no_builds_yet():
    BUILDS.clear()  # the cache is emptied for every test by the root conftest


def test_a_shared_page_is_built_once_and_then_served_from_the_cache():
    first, second = _get("public"), _get("public")
    assert (first["X-Cache"], second["X-Cache"]) == ("MISS", "HIT")
    assert first.content == second.content == b'{"total":"12.50"}'
    assert first["ETag"] == second["ETag"]
    assert BUILDS == ["public"]


def test_a_private_answer_is_built_every_time_and_never_stored():
    first, second = _get("private"), _get("private")
    assert (first["X-Cache"], second["X-Cache"]) == ("BYPASS", "BYPASS")
    assert first["ETag"] == second["ETag"]
    assert BUILDS == ["private", "private"]
    assert page_get(SharedPage(key="reports:v7:daily", timeout=60)) == (None, "")


@pytest.mark.parametrize("audience", ["public", "private"])
def test_the_current_tag_answers_304_with_no_body(audience):
    etag = _get(audience)["ETag"]
    response = _get(audience, HTTP_IF_NONE_MATCH=f"W/{etag}")
    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == etag


def test_a_cached_value_of_another_shape_is_a_miss():
    cache.set(PAGE_PREFIX + "reports:v7:daily", {"body": "left by another release"})
    response = _get("public")
    assert response["X-Cache"] == "MISS"
    assert response.content == b'{"total":"12.50"}'


class VersionedReportViewSet(ReportViewSet):
    def shared_page(self):
        return SharedPage(key="reports:daily", timeout=60, version_key="reports:ver")


def _get_versioned():
    view = VersionedReportViewSet.as_view({"get": "retrieve"})
    return view(APIRequestFactory().get("/report/"), audience="public")


def test_a_versioned_page_is_served_only_under_the_version_it_was_built_for():
    assert [_get_versioned()["X-Cache"] for _ in range(2)] == ["MISS", "HIT"]
    first_version = cache.get("reports:ver")
    assert first_version  # made on first use
    cache.set("reports:ver", "replaced", timeout=None)  # what a write does
    assert [_get_versioned()["X-Cache"] for _ in range(2)] == ["MISS", "HIT"]
    assert BUILDS == ["public", "public"]
    # Rebuilt in place: one entry per page, whatever the number of versions.
    shared = SharedPage(key="reports:daily", timeout=60, version_key="reports:ver")
    page, version = page_get(shared)
    assert version == "replaced"
    assert page is not None


def test_a_lost_version_makes_every_page_stale():
    _get_versioned()
    cache.delete("reports:ver")  # evicted: a new random version, never the old
    assert _get_versioned()["X-Cache"] == "MISS"
    assert BUILDS == ["public", "public"]


def test_a_page_whose_version_cannot_be_read_is_served_but_never_shared(monkeypatch):
    # What django-redis answers while Redis is down (errors ignored and logged,
    # config/settings/base.py): every read misses and every write is dropped.
    monkeypatch.setattr(cache, "get_many", lambda keys: {})
    monkeypatch.setattr(cache, "get", lambda key, default=None: default)
    monkeypatch.setattr(cache, "add", lambda *args, **kwargs: False)
    stored = []
    monkeypatch.setattr(cache, "set", lambda *args, **kwargs: stored.append(args))
    response = _get_versioned()
    assert response.status_code == 200
    assert response["X-Cache"] == "MISS"
    assert response.content == b'{"total":"12.50"}'
    assert stored == []  # no page filed under an unknown version
    monkeypatch.undo()  # Redis is back: a version is made, the page shared
    assert [_get_versioned()["X-Cache"] for _ in range(2)] == ["MISS", "HIT"]
    assert BUILDS == ["public", "public"]


# --- Writes: ConditionalWriteMixin -------------------------------------------------


class NoteSerializer(serializers.Serializer):
    kind = serializers.CharField()


class NoteViewSet(ConditionalWriteMixin, viewsets.GenericViewSet):
    """One row in memory, written the way a service writes: check, then change."""

    permission_classes = (AllowAny,)
    authentication_classes = ()
    serializer_class = NoteSerializer
    row = OutboxMessage(kind="draft")

    def get_object(self):
        return self.row

    def partial_update(self, request, *args, **kwargs):
        if_match_check(self.if_match(), self.row)
        self.row.kind = request.data["kind"]
        return self.tagged(self.row)


def _note(method, **headers):
    view = NoteViewSet.as_view({"get": "retrieve", "patch": "partial_update"})
    factory = APIRequestFactory()
    if method == "get":
        return view(factory.get("/note/", **headers))
    return view(factory.patch("/note/", {"kind": "final"}, format="json", **headers))


@pytest.fixture
def note():
    NoteViewSet.row = OutboxMessage(kind="draft")
    return NoteViewSet.row


def test_a_write_answers_the_tag_that_a_read_of_its_result_answers(note):
    before = _note("get")["ETag"]
    written = _note("patch", HTTP_IF_MATCH=before)
    assert written.status_code == 200
    assert written.content == b'{"kind":"final"}'
    assert written["ETag"] == _note("get")["ETag"] != before


def test_a_write_with_the_tag_of_an_older_read_is_412_and_changes_nothing(note):
    stale = _note("get")["ETag"]
    note.kind = "changed by someone else"
    refused = _note("patch", HTTP_IF_MATCH=stale).render()
    assert refused.status_code == 412
    assert refused["Content-Type"] == "application/problem+json"
    assert refused.data["code"] == "precondition_failed"
    assert note.kind == "changed by someone else"


def test_without_if_match_a_write_needs_no_tag(note):
    assert _note("patch").status_code == 200
    assert note.kind == "final"
