"""Daily reports in the admin: read-only figures, a net-sales chart per store.

Reports are for owners and managers (as in the API): other staff users see
no report, superusers see every store's. The list filters by store and date;
above it, the net sales of the chosen store's last 30 days are drawn as an
inline SVG chart (``apps.reports.charts``). With no store chosen the chart
shows the one store the user can see, or asks to choose one.
"""

from datetime import timedelta
from typing import Any
from uuid import UUID

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from apps.core.money import format_amount
from apps.stores.models import Membership, Store
from apps.stores.scoping import StoreScopedAdminMixin

from .charts import net_sales_chart
from .days import last_ended_day
from .models import DailySalesReport
from .selectors import daily_report_list

CHART_DAYS = 30
READ_ROLES = frozenset({Membership.Role.OWNER, Membership.Role.MANAGER})


@admin.register(DailySalesReport)
class DailySalesReportAdmin(StoreScopedAdminMixin, admin.ModelAdmin[DailySalesReport]):
    list_display = (
        "date",
        "store",
        "orders_placed",
        "orders_paid",
        "gross",
        "refunded",
        "net",
        "items_sold",
        "new_customers",
    )
    list_filter = (("store", admin.RelatedOnlyFieldListFilter), "date")
    list_select_related = ("store",)
    ordering = ("-date", "store__name")
    date_hierarchy = "date"
    fields = (
        "store",
        "date",
        "currency",
        "orders_placed",
        "orders_paid",
        "gross",
        "refunded",
        "net",
        "average",
        "items_sold",
        "new_customers",
        "top_products",
        "updated_at",
    )
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[DailySalesReport]:
        queryset: QuerySet[DailySalesReport] = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(store__in=self._store_ids(request, READ_ROLES))

    # Built from the orders only (build_daily_reports), never by hand.
    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="Gross sales")
    def gross(self, report: DailySalesReport) -> str:
        return format_amount(report.gross_sales, report.currency)

    @admin.display(description="Refunds")
    def refunded(self, report: DailySalesReport) -> str:
        return format_amount(report.refunds, report.currency)

    @admin.display(description="Net sales")
    def net(self, report: DailySalesReport) -> str:
        return format_amount(report.net_sales, report.currency)

    @admin.display(description="Average order value")
    def average(self, report: DailySalesReport) -> str:
        return format_amount(report.average_order_value, report.currency)

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        store = self._chart_store(request)
        context = {**(extra_context or {}), "chart_store": store}
        if store is not None:
            context["net_sales_chart"] = self._chart(store)
        return super().changelist_view(request, context)

    def _chart_store(self, request: HttpRequest) -> Store | None:
        """The store chosen in the filter, or the only one the user may see."""
        stores = Store.objects.order_by("name")
        if not request.user.is_superuser:
            stores = stores.filter(pk__in=self._store_ids(request, READ_ROLES))
        chosen = request.GET.get("store__id__exact")
        if chosen:
            try:
                return stores.filter(pk=UUID(chosen)).first()
            except ValueError:  # not an id: the list filter says so itself
                return None
        visible = list(stores[:2])
        return visible[0] if len(visible) == 1 else None

    def _chart(self, store: Store) -> Any:
        last_day = last_ended_day(now=timezone.now(), timezone=store.timezone)
        rows = daily_report_list(
            store=store,
            date_from=last_day - timedelta(days=CHART_DAYS - 1),
            date_to=last_day,
        ).values_list("date", "net_sales")
        return net_sales_chart(
            net_sales=dict(rows),
            last_day=last_day,
            days=CHART_DAYS,
            currency=store.currency,
        )
