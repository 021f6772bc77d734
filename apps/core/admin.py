"""The outbox in the admin, for superusers: it is not scoped to a store.

Rows are read-only. "Retry now" delivers the selected pending or dead messages
at once, through the same service as the relay.
"""

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from .models import OutboxMessage
from .outbox import outbox_retry

# The action delivers inline, in the admin request; more than this at once is
# a job for `manage.py relay_outbox --retry-dead`.
RETRY_NOW_LIMIT = 100


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin[OutboxMessage]):
    list_display = (
        "kind",
        "dedup_key",
        "status",
        "attempts",
        "short_error",
        "available_at",
        "created_at",
    )
    list_filter = ("status", "kind")
    search_fields = ("dedup_key", "kind")
    ordering = ("-id",)
    fields = (
        "id",
        "kind",
        "dedup_key",
        "status",
        "payload",
        "attempts",
        "last_error",
        "available_at",
        "delivered_at",
        "created_at",
        "updated_at",
    )
    readonly_fields = fields
    actions = ("retry_now",)
    list_per_page = 50

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and request.user.is_superuser)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def has_retry_permission(self, request: HttpRequest) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # only services record messages

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # A deleted row would let its dedup key be recorded, and sent, again.
        return False

    @admin.display(description="last error")
    def short_error(self, message: OutboxMessage) -> str:
        first_line = message.last_error.partition("\n")[0]
        return first_line if len(first_line) <= 80 else f"{first_line[:79]}…"

    @admin.action(
        description="Retry now: deliver the selected messages", permissions=["retry"]
    )
    def retry_now(
        self, request: HttpRequest, queryset: QuerySet[OutboxMessage]
    ) -> None:
        ids = list(queryset.values_list("pk", flat=True)[: RETRY_NOW_LIMIT + 1])
        if len(ids) > RETRY_NOW_LIMIT:
            self.message_user(
                request,
                f"Select at most {RETRY_NOW_LIMIT} messages at a time, or run "
                "`manage.py relay_outbox --retry-dead`.",
                messages.ERROR,
            )
            return
        report = outbox_retry(message_ids=ids)
        level = messages.WARNING if report.failed or report.dead else messages.SUCCESS
        self.message_user(
            request,
            f"{report.delivered} delivered, {report.failed} failed (will be "
            f"retried), {report.dead} dead, {report.skipped} skipped (already "
            "delivered or being delivered).",
            level,
        )
