"""The reports admin: read-only, scoped to owners and managers, with its chart."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from apps.reports.charts import net_sales_chart
from apps.reports.days import last_ended_day
from apps.stores.tests.factories import MembershipFactory, StoreFactory

from .factories import DailySalesReportFactory

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:reports_dailysalesreport_changelist")


def _staff(client, store, role):
    user = MembershipFactory(store=store, role=role).user
    user.is_staff = True
    user.save()
    user.user_permissions.set(
        Permission.objects.filter(codename="view_dailysalesreport")
    )
    client.force_login(user)
    return client


@pytest.fixture
def store_with_reports():
    store = StoreFactory(name="Corner Shop", currency="EUR", timezone="Europe/Paris")
    last = last_ended_day(now=timezone.now(), timezone=store.timezone)
    for n, net in enumerate(["12.00", "-3.50", "40.00"]):
        DailySalesReportFactory(
            store=store, date=last - timedelta(days=n), net_sales=Decimal(net)
        )
    DailySalesReportFactory(store=store, date=last - timedelta(days=45))  # too old
    return store


def test_a_manager_sees_the_list_and_the_chart_of_their_store(
    client, store_with_reports
):
    DailySalesReportFactory(store=StoreFactory(name="Elsewhere"))
    response = _staff(client, store_with_reports, "manager").get(CHANGELIST)

    page = response.content.decode()
    assert response.status_code == 200
    assert "Net sales of Corner Shop, last 30 days (EUR)" in page
    assert page.count('<rect class="bar') == 30
    assert page.count('<rect class="bar negative"') == 1
    assert "40.00 EUR" in page
    assert "Elsewhere" not in page
    assert response.context["cl"].result_count == 4


def test_staff_members_see_no_report(client, store_with_reports):
    response = _staff(client, store_with_reports, "staff").get(CHANGELIST)
    assert response.context["cl"].result_count == 0


def test_a_superuser_chooses_the_store_of_the_chart(admin_client, store_with_reports):
    StoreFactory()  # two stores: no chart until one is chosen
    plain = admin_client.get(CHANGELIST).content.decode()
    chosen = admin_client.get(
        CHANGELIST, {"store__id__exact": str(store_with_reports.pk)}
    ).content.decode()

    assert "Choose a store in the filter" in plain
    assert "Net sales of Corner Shop" in chosen


def test_reports_are_never_added_changed_or_deleted_by_hand(
    admin_client, store_with_reports
):
    report = store_with_reports.daily_sales_reports.first()
    change = admin_client.get(
        reverse("admin:reports_dailysalesreport_change", args=[report.pk])
    )
    assert change.status_code == 200
    assert b'name="_save"' not in change.content
    add = admin_client.get(reverse("admin:reports_dailysalesreport_add"))
    assert add.status_code == 403


def test_the_chart_scales_to_the_largest_net_sale_and_escapes_nothing_unsafe():
    day = timezone.now().date()
    svg = net_sales_chart(
        net_sales={day: Decimal("100"), day - timedelta(days=1): Decimal("-25")},
        last_day=day,
        days=3,
        currency="EUR",
    )
    assert svg.startswith('<svg class="net-sales-chart"')
    assert svg.count("<rect") == 3
    assert "max 100.00 EUR" in svg
    assert "-25.00 EUR" in svg
