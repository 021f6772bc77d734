from datetime import date

from django.urls import register_converter

from apps.core.routers import Router, SingletonRouter

from . import views

app_name = "reports"


class IsoDateConverter:
    """A calendar date in a path, ``YYYY-MM-DD``; an impossible one matches nothing."""

    regex = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"

    def to_python(self, value: str) -> date:
        return date.fromisoformat(value)  # ValueError: no match, so 404

    def to_url(self, value: date | str) -> str:
        return value.isoformat() if isinstance(value, date) else value


register_converter(IsoDateConverter, "isodate")

router = Router()
router.register("reports/daily", views.DailyReportViewSet, basename="daily-report")
today = SingletonRouter()
today.register("reports/today", views.TodayReportViewSet, basename="today-report")

urlpatterns = [*router.urls, *today.urls]
