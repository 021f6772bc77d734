"""The filter backend builds no FilterSet for a query that names no filter."""

from types import SimpleNamespace

import django_filters
import pytest
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from apps.core.filters import FilterBackend, StrictChoiceFilter
from apps.core.models import OutboxMessage
from apps.core.pagination import CursorPagination

BUILT: list[dict] = []


class StatusFilter(django_filters.FilterSet):
    status = StrictChoiceFilter(choices=OutboxMessage.Status.choices)

    class Meta:
        model = OutboxMessage
        fields: list[str] = []

    def __init__(self, data=None, *args, **kwargs):
        BUILT.append(dict(data or {}))
        super().__init__(data, *args, **kwargs)


def _filter(query: str):
    BUILT.clear()
    request = Request(APIRequestFactory().get(f"/messages/?{query}"))
    view = SimpleNamespace(filterset_class=StatusFilter, paginator=CursorPagination())
    queryset = OutboxMessage.objects.all()
    return FilterBackend().filter_queryset(request, queryset, view), queryset


@pytest.mark.parametrize("query", ["", "cursor=abc", "cursor=abc&page_size=5"])
def test_a_query_of_pagination_only_builds_no_filterset(query):
    filtered, queryset = _filter(query)
    assert filtered is queryset
    assert BUILT == []


def test_a_filter_in_the_query_is_applied():
    filtered, _ = _filter("status=dead&cursor=abc")
    assert len(BUILT) == 1
    assert "WHERE" in str(filtered.query)
    assert "dead" in str(filtered.query)


@pytest.mark.parametrize("query", ["status=", "status=lost"])
def test_a_bad_filter_value_is_still_refused(query):
    with pytest.raises(ValidationError):
        _filter(query)


def test_an_unknown_parameter_goes_through_the_filterset_which_ignores_it():
    filtered, queryset = _filter("unknown=1")
    assert len(BUILT) == 1
    assert str(filtered.query) == str(queryset.query)
