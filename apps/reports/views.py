"""Report endpoints for owners and managers (thin: resolve, select, render).

- ``reports/daily/``: the stored daily reports, newest first, a cursor page at
  a time; with ``Accept: text/csv`` or ``?format=csv``, one CSV of a range of
  days (by default the 31 days up to the store's today), oldest first.
- ``reports/daily/{date}/``: one store-local day.
- ``reports/today/``: the figures of the store's current day so far, shared by
  the store's owners and managers through the cache for a short while (the
  answer depends on the store only, never on the caller).
"""

from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, viewsets
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from apps.core.caching import ConditionalReadMixin, SharedPage
from apps.core.exceptions import ValidationFailed
from apps.core.pagination import CursorPagination
from apps.core.renderers import JSONRenderer
from apps.stores.scoping import IsStoreManager, StoreScopedViewMixin

from .days import local_date
from .filters import DailyReportFilter
from .models import DailySalesReport
from .renderers import DailyReportCSVRenderer
from .selectors import daily_report_get, daily_report_list, sales_today
from .serializers import DailySalesReportOutputSerializer, SalesTodayOutputSerializer

# The CSV export: the days it covers unless told, and the most it covers.
CSV_DEFAULT_DAYS = 31
CSV_MAX_DAYS = 366

FORMATS = ("json", "csv")
FORMAT = OpenApiParameter(
    "format",
    OpenApiTypes.STR,
    OpenApiParameter.QUERY,
    enum=FORMATS,
    description="`csv` for a CSV export of the range (or send `Accept: text/csv`).",
)
CSV_RESPONSE = OpenApiResponse(
    OpenApiTypes.STR,
    description="One row per day, oldest first: date, currency, the counts and "
    "the amounts (top products are not exported).",
)


class ReportPagination(CursorPagination):
    ordering = "-date"  # one report per store and date: unique in the list


class ReportViewMixin(StoreScopedViewMixin):
    permission_classes = [IsStoreManager]

    def handle_exception(self, exc: Exception) -> Response:
        # A problem is JSON, whatever the caller asked the data in.
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type
        return super().handle_exception(exc)


@extend_schema(tags=["reports"])
class DailyReportViewSet(
    ReportViewMixin, mixins.ListModelMixin, viewsets.GenericViewSet
):
    queryset = DailySalesReport.objects.none()  # the model, for the schema
    serializer_class = DailySalesReportOutputSerializer
    filterset_class = DailyReportFilter
    pagination_class = ReportPagination
    lookup_url_kwarg = "date"
    lookup_value_converter = "isodate"

    def get_renderers(self) -> list[BaseRenderer]:
        # CSV is the list's (a method the route does not take still gets its
        # 405, whatever `format` says).
        if self.action == "retrieve":
            return [JSONRenderer()]
        return [JSONRenderer(), DailyReportCSVRenderer()]

    def perform_content_negotiation(
        self, request: Request, force: bool = False
    ) -> tuple[BaseRenderer, str]:
        # DRF reads an empty or unknown `format` as "none asked": the schema
        # lists the two there are.
        asked = request.query_params.get("format")
        if not force and asked is not None and asked not in FORMATS:
            raise ValidationFailed.on_field(
                "format", "Ask for `json` or `csv`.", "invalid_choice"
            )
        return super().perform_content_negotiation(request, force)

    def get_queryset(self) -> QuerySet[DailySalesReport]:
        return daily_report_list(store=self.store)

    def get_object(self) -> DailySalesReport:
        return daily_report_get(store=self.store, day=self.kwargs["date"])

    @extend_schema(
        summary="List daily sales reports, or export a range as CSV (owner, manager)",
        parameters=[FORMAT],
        responses={
            (200, "application/json"): DailySalesReportOutputSerializer(many=True),
            (200, "text/csv"): CSV_RESPONSE,
        },
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        queryset = self.filter_queryset(self.get_queryset())  # 400: bad dates
        date_from, date_to = self._range()
        if request.accepted_renderer.format != "csv":
            return super().list(request, *args, **kwargs)
        reports = queryset.filter(date__gte=date_from, date__lte=date_to)
        response = Response(
            self.get_serializer(reports.order_by("date"), many=True).data
        )
        response["Content-Disposition"] = (
            f'attachment; filename="{self.store.slug}-daily-sales-'
            f'{date_from:%Y-%m-%d}-{date_to:%Y-%m-%d}.csv"'
        )
        return response

    @extend_schema(
        summary="Read the sales report of one store-local day (owner, manager)",
        parameters=[
            OpenApiParameter(
                "date",
                OpenApiTypes.DATE,
                OpenApiParameter.PATH,
                description="The day, YYYY-MM-DD, in the store's time zone.",
            )
        ],
    )
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(self.get_serializer(self.get_object()).data)

    def _range(self) -> tuple[date, date]:
        """The days asked for; a CSV export's default and bound applied."""
        filterset = DailyReportFilter(
            self.request.query_params, queryset=DailySalesReport.objects.none()
        )
        filterset.is_valid()  # the filter backend has refused invalid dates
        date_from = filterset.form.cleaned_data.get("from")
        date_to = filterset.form.cleaned_data.get("to")
        if date_from and date_to and date_from > date_to:
            raise ValidationFailed.on_field(
                "from", "`from` must not come after `to`.", "invalid_range"
            )
        if self.request.accepted_renderer.format != "csv":
            return date_from or date.min, date_to or date.max
        date_to = date_to or local_date(at=timezone.now(), timezone=self.store.timezone)
        date_from = date_from or date_to - timedelta(days=CSV_DEFAULT_DAYS - 1)
        if (date_to - date_from).days >= CSV_MAX_DAYS:
            raise ValidationFailed.on_field(
                "from",
                f"A CSV export covers at most {CSV_MAX_DAYS} days; narrow "
                "`from` and `to`.",
                "invalid_range",
            )
        return date_from, date_to


@extend_schema(tags=["reports"])
class TodayReportViewSet(
    ReportViewMixin, ConditionalReadMixin, viewsets.GenericViewSet
):
    serializer_class = SalesTodayOutputSerializer
    pagination_class = None

    def shared_page(self) -> SharedPage:
        # Per store, never per caller: every owner and manager sees the same.
        return SharedPage(
            key=f"reports:today:{self.store.pk}",
            timeout=settings.REPORTS_TODAY_CACHE_SECONDS,
        )

    @extend_schema(
        summary="Sales of the store's current day so far (owner, manager; cached "
        "briefly)",
        responses={200: SalesTodayOutputSerializer},
    )
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.conditional_read(
            lambda: (
                SalesTodayOutputSerializer(
                    sales_today(store=self.store, now=timezone.now())
                ).data
            )
        )
