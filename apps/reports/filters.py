"""Query-string filters of the daily report list: ``?from=&to=``, store-local dates."""

import django_filters

from apps.core.filters import StrictDateFilter

from .models import DailySalesReport


class DailyReportFilter(django_filters.FilterSet):
    date_from = StrictDateFilter(
        field_name="date", lookup_expr="gte", help_text="First day (store-local)."
    )
    date_to = StrictDateFilter(
        field_name="date", lookup_expr="lte", help_text="Last day (store-local)."
    )

    class Meta:
        model = DailySalesReport
        fields: list[str] = []


# The API says `from` and `to`; `from` is a Python keyword, so the filters are
# declared under other names and published under these.
DailyReportFilter.base_filters = {
    "from": DailyReportFilter.base_filters["date_from"],
    "to": DailyReportFilter.base_filters["date_to"],
}
