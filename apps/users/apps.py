from django.apps import AppConfig


class UsersConfig(AppConfig):
    name = "apps.users"
    label = "users"
    verbose_name = "Users"

    def ready(self) -> None:
        from apps.core.outbox import outbox_register

        from . import emails

        outbox_register(
            kind=emails.PASSWORD_RESET_EMAIL,
            handler=emails.password_reset_email_deliver,
        )
