from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "apps.reports"
    label = "reports"
    verbose_name = "Reports"

    def ready(self) -> None:
        from apps.core.outbox import outbox_register

        from . import emails

        outbox_register(kind=emails.DAILY_SUMMARY, handler=emails.daily_summary_deliver)
