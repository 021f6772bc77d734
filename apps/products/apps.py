from django.apps import AppConfig


class ProductsConfig(AppConfig):
    name = "apps.products"
    label = "products"
    verbose_name = "Products"

    def ready(self) -> None:
        from apps.core.outbox import outbox_register

        from . import emails

        for kind in emails.COMPOSERS:
            outbox_register(kind=kind, handler=emails.inventory_email_deliver)
