"""The reports API: list, day, CSV export and today so far, for owners and managers."""

import csv
import io
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.core.testing import assert_request_queries
from apps.products.tests.factories import ProductFactory
from apps.reports.days import local_date
from apps.reports.selectors import sales_today
from apps.stores.tests.factories import StoreFactory

from .factories import DailySalesReportFactory, sold_at

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop():
    return StoreFactory(slug="shop", currency="KWD", timezone="Asia/Kuwait")


@pytest.fixture
def manager_client(shop, member_of, auth_client):
    return auth_client(member_of(shop, "manager"))


def _reports(store, days, first=date(2026, 3, 1)):
    return [
        DailySalesReportFactory(store=store, date=first + timedelta(days=n))
        for n in range(days)
    ]


URL = "/api/v1/stores/shop/reports/daily/"


def test_a_report_renders_amounts_with_the_currencys_minor_unit(shop, manager_client):
    DailySalesReportFactory(store=shop, date=date(2026, 3, 10))

    body = manager_client.get(URL + "2026-03-10/").json()

    assert body["date"] == "2026-03-10"
    assert body["currency"] == "KWD"
    assert body["gross_sales"] == "60.500"  # KWD has three decimals
    assert body["net_sales"] == "43.500"
    assert body["average_order_value"] == "20.170"
    assert body["orders_placed"] == 4
    assert body["top_products"] == [
        {"sku": "MUG-1", "name": "Mug", "quantity": 2, "revenue": "20.00"}
    ]
    assert "built_at" in body


def test_a_day_without_a_report_or_not_a_date_is_404(shop, manager_client):
    assert manager_client.get(URL + "2026-03-10/").status_code == 404
    missing = manager_client.get(URL + "2026-02-30/")
    assert missing.status_code == 404
    assert missing["Content-Type"] == "application/problem+json"


def test_the_list_is_newest_first_within_the_dates_asked(shop, manager_client):
    _reports(shop, 10)
    _reports(StoreFactory(), 3)  # another store's reports never show

    body = manager_client.get(URL, {"from": "2026-03-03", "to": "2026-03-05"}).json()

    assert [r["date"] for r in body["results"]] == [
        "2026-03-05",
        "2026-03-04",
        "2026-03-03",
    ]


def test_the_list_pages_with_a_cursor(shop, manager_client):
    _reports(shop, 5)

    first = manager_client.get(URL, {"page_size": 2}).json()
    second = manager_client.get(first["next"]).json()

    assert [r["date"] for r in first["results"]] == ["2026-03-05", "2026-03-04"]
    assert [r["date"] for r in second["results"]] == ["2026-03-03", "2026-03-02"]


@pytest.mark.parametrize(
    "query",
    [{"from": "2026-3-1"}, {"to": "yesterday"}, {"from": ""}],
)
def test_date_filters_are_strict(shop, manager_client, query):
    response = manager_client.get(URL, query)
    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"


def test_from_after_to_is_refused(shop, manager_client):
    response = manager_client.get(URL, {"from": "2026-03-05", "to": "2026-03-01"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "invalid_range"


@pytest.mark.parametrize("reports", [1, 15])
def test_the_list_runs_the_same_queries_for_any_page_size(
    shop, manager_client, reports
):
    _reports(shop, reports)
    # The caller with the store and the caller's role, the page.
    assert_request_queries(manager_client, URL, expected=2)


def test_a_range_exports_as_csv_oldest_first(shop, manager_client):
    _reports(shop, 5)

    response = manager_client.get(
        URL, {"from": "2026-03-02", "to": "2026-03-04"}, HTTP_ACCEPT="text/csv"
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="shop-daily-sales-2026-03-02-2026-03-04.csv"'
    )
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [row["date"] for row in rows] == ["2026-03-02", "2026-03-03", "2026-03-04"]
    assert rows[0]["gross_sales"] == "60.500"
    assert rows[0]["currency"] == "KWD"
    assert "top_products" not in rows[0]


def test_format_csv_in_the_query_exports_too(shop, manager_client):
    _reports(shop, 2)
    response = manager_client.get(URL, {"format": "csv", "from": "2026-03-01"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.decode().count("\r\n") == 3  # header and two days


@pytest.mark.parametrize("asked", ["", "xml"])
def test_a_format_other_than_json_or_csv_is_refused(shop, manager_client, asked):
    response = manager_client.get(URL, {"format": asked})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "format"


def test_a_csv_export_is_bounded(shop, manager_client):
    response = manager_client.get(
        URL, {"format": "csv", "from": "2025-01-01", "to": "2026-03-01"}
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"][0]["code"] == "invalid_range"


def test_refusals_of_a_csv_request_are_problem_json(shop, member_of, auth_client):
    staff = auth_client(member_of(shop, "staff"))
    response = staff.get(URL, HTTP_ACCEPT="text/csv")
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 403


def test_today_so_far_counts_since_the_stores_midnight(shop, manager_client):
    product = ProductFactory(store=shop, price=Decimal("1.250"), stock=10)
    now = timezone.now()
    sold_at(product, now - timedelta(seconds=1), quantity=2)
    sold_at(product, now - timedelta(days=2))  # an earlier day

    response = manager_client.get("/api/v1/stores/shop/reports/today/")

    body = response.json()
    assert body["orders_paid"] == 1
    assert body["gross_sales"] == "2.500"
    assert body["date"] == local_date(at=now, timezone="Asia/Kuwait").isoformat()
    assert response["X-Cache"] == "MISS"


def test_today_so_far_is_cached_per_store_for_its_owners_and_managers(
    shop, member_of, auth_client
):
    url = "/api/v1/stores/shop/reports/today/"
    first = auth_client(member_of(shop, "manager")).get(url)
    product = ProductFactory(store=shop, stock=10)
    sold_at(product, timezone.now() - timedelta(seconds=1))

    owner = auth_client(member_of(shop, "owner")).get(url)
    other_store = StoreFactory(slug="other")
    elsewhere = auth_client(member_of(other_store, "owner")).get(
        "/api/v1/stores/other/reports/today/"
    )

    assert owner["X-Cache"] == "HIT"
    assert owner.content == first.content  # the same figures for a short while
    assert elsewhere["X-Cache"] == "MISS"


def test_today_so_far_starts_at_local_midnight():
    store = StoreFactory(timezone="Pacific/Auckland")
    product = ProductFactory(store=store, price=Decimal("2.00"), stock=10)
    sold_at(product, datetime(2026, 3, 10, 10, 59, tzinfo=UTC))  # 23:59 on the 10th
    sold_at(product, datetime(2026, 3, 10, 11, 0, tzinfo=UTC))  # 00:00 on the 11th

    today = sales_today(store=store, now=datetime(2026, 3, 10, 12, tzinfo=UTC))

    assert today.date == date(2026, 3, 11)
    assert today.orders_paid == 1


def test_net_sales_below_zero_keep_their_sign(shop, manager_client):
    DailySalesReportFactory(
        store=shop, date=date(2026, 3, 10), net_sales=Decimal("-3.5")
    )
    body = manager_client.get(URL + "2026-03-10/").json()
    assert body["net_sales"] == "-3.500"
