"""Stores in the admin: memberships inline; non-superusers see only their stores."""

from typing import Any

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest

from apps.core.exceptions import ApplicationError

from .models import Membership, Store
from .scoping import StoreScopedAdminMixin
from .services import membership_roles_check


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
    readonly_fields = ("id", "created_at", "updated_at")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            fields += ["slug", "currency"]  # fixed once the store exists
        if not request.user.is_superuser:
            fields.append("webhook_secret")
        return fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        # A store is created through the API (store_create makes its owner).
        return request.user.is_superuser
