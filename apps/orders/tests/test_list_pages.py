"""The order list's written-out page statement gives the ORM's pages.

``CursorPagination.paginate_rows`` over ``order_list_page`` (what an unfiltered
list runs) and ``paginate_queryset`` over ``order_list`` (what a filtered list
runs) are walked over the same orders, forwards and backwards, for members,
shoppers and strangers, at several page sizes: every page, link and cursor
must be the same. On PostgreSQL the first is the written-out SQL; elsewhere
``order_list_page`` reads through the ORM, so the walk checks the paging.
"""

import functools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from apps.core.pagination import CursorPagination, InvalidCursor
from apps.customers.tests.factories import CustomerFactory
from apps.orders.models import Order
from apps.orders.selectors import ORDER_LIST_FIELDS, order_list, order_list_page
from apps.orders.tests.factories import place_order
from apps.stores.selectors import StoreAccess
from apps.stores.tests.factories import StoreFactory
from apps.users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = "http://testserver/api/v1/stores/s/orders/"


def _page(access, url, *, rows):
    """(rows, next, previous) of ``url``, by the written statement or the ORM."""
    paginator = CursorPagination()
    request = Request(APIRequestFactory().get(url))
    if rows:
        read = functools.partial(order_list_page, access=access)
        page = paginator.paginate_rows(read, Order, request)
    else:
        queryset = order_list(access=access).values(*ORDER_LIST_FIELDS)
        page = paginator.paginate_queryset(queryset, request)
    return page, paginator.get_next_link(), paginator.get_previous_link()


def _walk(access, url, link):
    """Every page from ``url`` following ``link`` (0: next, 1: previous)."""
    pages = []
    while url is not None:
        written = _page(access, url, rows=True)
        assert written == _page(access, url, rows=False), url
        pages.append(written)
        url = written[1 + link]
    return pages


@pytest.fixture
def orders():
    store = StoreFactory()
    shopper = UserFactory()
    own = CustomerFactory(store=store, user=shopper)
    placed = [
        place_order(store=store, customer=own if i % 3 == 0 else None) for i in range(8)
    ]
    return store, shopper, placed


@pytest.mark.parametrize("page_size", [1, 3, 8, 25])
@pytest.mark.parametrize("role", ["owner", "shopper", "stranger", "anonymous"])
def test_every_page_and_link_is_the_orms_forwards_and_backwards(
    orders, page_size, role
):
    store, shopper, placed = orders
    user = {"owner": UserFactory(), "shopper": shopper, "stranger": UserFactory()}
    access = StoreAccess(
        store=store,
        role="owner" if role == "owner" else None,
        user=user.get(role),
    )
    forwards = _walk(access, f"{URL}?page_size={page_size}", link=0)
    seen = [row["id"] for page, _, _ in forwards for row in page]
    expected = {
        "owner": placed,
        "shopper": [o for o in placed if o.customer.user_id == shopper.pk],
        "stranger": [],
        "anonymous": [],
    }[role]
    assert seen == sorted((o.pk for o in expected), reverse=True)
    assert forwards[0][2] is None  # the first page has no previous page
    if len(forwards) > 1:
        # Back from the last page to the first, through reverse cursors.
        backwards = _walk(access, forwards[-1][2], link=1)
        assert [page for page, _, _ in reversed(backwards)] == [
            page for page, _, _ in forwards[:-1]
        ]


def test_the_rows_are_the_orms_with_the_same_types(orders):
    store, _, _ = orders
    access = StoreAccess(store=store, role="owner", user=UserFactory())
    rows = order_list_page(access=access, position=None, backwards=False, limit=3)
    expected = list(order_list(access=access).values(*ORDER_LIST_FIELDS)[:3])
    assert rows == expected
    assert [type(v) for v in rows[0].values()] == [
        type(v) for v in expected[0].values()
    ]


def test_another_stores_orders_are_never_read(orders):
    store, shopper, placed = orders
    elsewhere = CustomerFactory(user=shopper)  # the shopper, in another store
    place_order(customer=elsewhere)
    place_order()  # and a store of its own
    for access, expected in [
        (StoreAccess(store=store, role="owner", user=UserFactory()), placed),
        (
            StoreAccess(store=store, role=None, user=shopper),
            [o for o in placed if o.customer.user_id == shopper.pk],
        ),
    ]:
        rows = order_list_page(access=access, position=None, backwards=False, limit=100)
        assert {row["id"] for row in rows} == {o.pk for o in expected}


def test_a_page_is_one_statement(orders):
    store, _, _ = orders
    access = StoreAccess(store=store, role="owner", user=UserFactory())
    with CaptureQueriesContext(connection) as queries:
        _page(access, f"{URL}?page_size=2", rows=True)
    assert len(queries) == 1
    if connection.vendor == "postgresql":
        # Written out, not built: the ORM quotes every column it selects.
        assert '"orders_order"."id"' not in queries[0]["sql"]


def test_a_cursor_with_an_offset_was_not_issued_here(orders):
    store, _, _ = orders
    access = StoreAccess(store=store, role="owner", user=UserFactory())
    _, next_url, _ = _page(access, f"{URL}?page_size=2", rows=True)
    paginator = CursorPagination()
    request = Request(APIRequestFactory().get(next_url))
    paginator.base_url = next_url
    cursor = paginator.decode_cursor(request)
    assert cursor is not None
    assert cursor.offset == 0
    forged = paginator.encode_cursor(cursor._replace(offset=1))
    with pytest.raises(InvalidCursor):
        _page(access, forged, rows=True)
    with pytest.raises(InvalidCursor):
        _page(access, forged, rows=False)
