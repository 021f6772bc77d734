"""Stores in the admin: memberships inline; non-superusers see only their stores.

The webhook secret is on no page. Owners (and superusers) rotate it with the
"Rotate webhook secret" action, which shows the new secret once, in a message.
"""

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest

from apps.core.exceptions import ApplicationError
from apps.users.selectors import user_from_request

from .models import Membership, Store
from .scoping import StoreScopedAdminMixin
from .selectors import member_has_role, store_ids_of_member, store_webhook_secrets
from .services import membership_roles_check, store_webhook_secret_rotate


class MembershipInlineFormSet(BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        roles = [
            form.cleaned_data["role"]
            for form in self.forms
            if form.cleaned_data
            and not form.cleaned_data.get("DELETE")
            and form.cleaned_data.get("role")
        ]
        try:
            membership_roles_check(roles=roles)
        except ApplicationError as exc:
            raise ValidationError(exc.message) from exc


class MembershipInline(admin.TabularInline[Membership, Store]):
    model = Membership
    formset = MembershipInlineFormSet
    extra = 0
    autocomplete_fields = ("user",)
    fields = ("user", "role", "created_at")
    readonly_fields = ("created_at",)


@admin.register(Store)
class StoreAdmin(StoreScopedAdminMixin, admin.ModelAdmin[Store]):
    # The store is its own tenant; only owners change its settings and members.
    store_path = "pk"
    change_roles = frozenset({Membership.Role.OWNER})

    list_display = ("name", "slug", "currency", "timezone", "created_at")
    list_filter = ("currency",)
    search_fields = ("name", "slug")
    ordering = ("name",)
    inlines = (MembershipInline,)
    # Secrets are neither shown nor typed in: rotation makes them (ADR 0027).
    exclude = ("webhook_secret", "previous_webhook_secret")
    readonly_fields = ("id", "webhook_secret_rotated_at", "created_at", "updated_at")
    actions = ("rotate_webhook_secret",)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            fields += ["slug", "currency"]  # fixed once the store exists
        return fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        # A store is created through the API (store_create makes its owner).
        return request.user.is_superuser

    def has_rotate_webhook_secret_permission(self, request: HttpRequest) -> bool:
        if request.user.is_superuser:
            return True
        return self.has_change_permission(request) and member_has_role(
            user=user_from_request(request), roles=[Membership.Role.OWNER]
        )

    @admin.action(
        description="Rotate webhook secret", permissions=["rotate_webhook_secret"]
    )
    def rotate_webhook_secret(
        self, request: HttpRequest, queryset: QuerySet[Store]
    ) -> None:
        actor = user_from_request(request)
        if not actor.is_superuser:
            owned = store_ids_of_member(user=actor, roles=[Membership.Role.OWNER])
            for store in queryset.exclude(pk__in=owned):
                self.message_user(
                    request,
                    f"{store.name}: only its owners rotate its webhook secret; "
                    "it is unchanged.",
                    messages.WARNING,
                )
            queryset = queryset.filter(pk__in=owned)
        for store in queryset:
            store = store_webhook_secret_rotate(store=store, actor=actor)
            until = store_webhook_secrets(store=store).previous_valid_until
            previous = (
                f"The previous secret verifies until {until:%Y-%m-%d %H:%M} UTC."
                if until
                else "The previous secret no longer verifies."
            )
            self.message_user(
                request,
                f"New webhook secret of {store.name}: {store.webhook_secret} -- "
                "copy it now for the payment provider; the admin does not show it "
                f"again. {previous}",
                messages.SUCCESS,
            )
