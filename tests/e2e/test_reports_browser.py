"""The daily reports page of the admin draws its net-sales chart, in headless Chromium.

The screenshot goes to ``artifacts/e2e/`` (ignored by git), which CI keeps
with each run, so that a reviewer can look at the chart as a browser drew it.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone
from playwright.sync_api import expect

from apps.reports.days import last_ended_day
from apps.reports.tests.factories import DailySalesReportFactory
from apps.stores.tests.factories import MembershipFactory, StoreFactory
from apps.users.tests.factories import UserFactory
from tests.e2e.conftest import SCREENSHOTS

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def manager():
    store = StoreFactory(name="Corner Shop", slug="corner-shop", currency="EUR")
    last = last_ended_day(now=timezone.now(), timezone=store.timezone)
    for n in range(30):
        # Varied days, one of them with more refunds than sales.
        net = Decimal(-25) if n == 12 else Decimal(40 + (n * 37) % 90)
        DailySalesReportFactory(
            store=store, date=last - timedelta(days=n), net_sales=net
        )
    user = UserFactory(email="manager@corner.test", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_dailysalesreport"))
    MembershipFactory(store=store, user=user, role="manager")
    return user


def test_a_manager_sees_the_net_sales_chart_of_the_last_30_days(page, manager, log_in):
    log_in(manager, next_url="/admin/reports/dailysalesreport/")

    expect(page.locator("#net-sales h2")).to_have_text(
        "Net sales of Corner Shop, last 30 days (EUR)"
    )
    chart = page.locator("svg.net-sales-chart")
    expect(chart).to_be_visible()
    expect(chart.locator("rect.bar")).to_have_count(30)
    expect(chart.locator("rect.bar.negative")).to_have_count(1)
    box = chart.bounding_box()
    assert box is not None
    assert box["width"] > 300
    assert box["height"] > 100
    # Every bar is drawn with a height, inside the chart.
    heights = chart.locator("rect.bar").evaluate_all(
        "bars => bars.map(bar => bar.getBBox().height)"
    )
    assert all(height >= 1 for height in heights)
    expect(page.locator("#result_list tbody tr")).to_have_count(30)

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "reports-net-sales.png"), full_page=True)
