"""Read helpers shared by every app's selectors."""

from typing import TypeVar

from django.db.models import Model, QuerySet
from django.http import Http404

M = TypeVar("M", bound=Model)


def first_or_404(queryset: QuerySet[M]) -> M:
    """The first row of an already-scoped queryset, or 404.

    Selectors scope the queryset to what the caller may see first, so a row of
    another store (or another customer) is a 404 like a row that never existed.
    """
    row = queryset.first()
    if row is None:
        raise Http404
    return row
