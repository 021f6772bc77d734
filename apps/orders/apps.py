from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "apps.orders"
    label = "orders"
    verbose_name = "Orders"

    def ready(self) -> None:
        from apps.core.outbox import outbox_register

        from . import emails

        for kind in emails.EMAILS:
            outbox_register(kind=kind, handler=emails.order_email_deliver)
