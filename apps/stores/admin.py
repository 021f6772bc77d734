"""Stores in the admin: memberships inline; non-superusers see only their stores."""

from typing import Any

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest

from apps.core.exceptions import ApplicationError

from .models import Membership, Store
from .selectors import store_role_of
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
class StoreAdmin(admin.ModelAdmin[Store]):
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

    def has_change_permission(
        self, request: HttpRequest, obj: Store | None = None
    ) -> bool:
        allowed = super().has_change_permission(request, obj)
        if not allowed or obj is None or request.user.is_superuser:
            return allowed
        # Store settings and members are the owner's, as in the API.
        return store_role_of(store=obj, user=request.user) == Membership.Role.OWNER

    def get_queryset(self, request: HttpRequest) -> QuerySet[Store]:
        queryset = super().get_queryset(request)
        user = request.user
        if not user.is_authenticated:
            return queryset.none()
        if user.is_superuser:
            return queryset
        member_of = Membership.objects.filter(user=user).values("store_id")
        return queryset.filter(pk__in=member_of)
