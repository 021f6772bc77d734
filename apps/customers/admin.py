"""Customers in the admin: statistics columns, addresses inline, per-store access.

Platform superusers see every store's customers. Other admin users see only
the customers of stores they are members of, and change them only where they
are owner or manager -- the same rule as the API. The list runs a fixed number
of queries whatever the page size: statistics are annotations of the list
query and the store comes from a join.
"""

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from apps.stores.currencies import quantize
from apps.stores.models import Membership, Store

from .models import Address, Customer
from .selectors import customer_annotate
from .services import ADDRESS_LIMIT

WRITER_ROLES = (Membership.Role.OWNER, Membership.Role.MANAGER)


def _store_ids(request: HttpRequest, roles: tuple[str, ...] | None = None) -> Any:
    """The stores the admin user belongs to (with one of ``roles``), as a subquery."""
    user = request.user
    if not user.is_authenticated:
        return Membership.objects.none().values("store_id")
    memberships = Membership.objects.filter(user=user)
    if roles is not None:
        memberships = memberships.filter(role__in=roles)
    return memberships.values("store_id")


class CustomerAdminForm(forms.ModelForm[Customer]):
    def clean_email(self) -> str:
        # The API stores emails lower case (services); so does the admin.
        return str(self.cleaned_data["email"]).strip().lower()


class AddressAdminForm(forms.ModelForm[Address]):
    def clean_country(self) -> str:
        return str(self.cleaned_data["country"]).strip().upper()


class AddressInline(admin.TabularInline[Address, Customer]):
    model = Address
    form = AddressAdminForm
    extra = 0
    max_num = ADDRESS_LIMIT
    fields = ("kind", "line1", "line2", "city", "postal_code", "country")


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin[Customer]):
    form = CustomerAdminForm
    list_display = (
        "email",
        "first_name",
        "last_name",
        "store",
        "order_count",
        "total_spent",
        "tier",
        "created_at",
    )
    list_filter = (("store", admin.RelatedOnlyFieldListFilter),)
    list_select_related = ("store",)
    search_fields = ("email", "first_name", "last_name")
    ordering = ("-id",)
    inlines = (AddressInline,)
    fields = ("store", "email", "first_name", "last_name", "phone", "user")
    # Accounts are linked by the customer themselves (POST customers/me/).
    readonly_fields = ("user",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Customer]:
        queryset = customer_annotate(super().get_queryset(request))
        user = request.user
        if not user.is_authenticated:
            return queryset.none()
        if user.is_superuser:
            return queryset
        return queryset.filter(store__in=_store_ids(request))

    def get_readonly_fields(
        self, request: HttpRequest, obj: Customer | None = None
    ) -> Any:
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            fields.append("store")  # a customer never moves to another store
        return fields

    def formfield_for_foreignkey(
        self, db_field: Any, request: HttpRequest, **kwargs: Any
    ) -> forms.ModelChoiceField[Any] | None:
        if db_field.name == "store" and not request.user.is_superuser:
            kwargs["queryset"] = Store.objects.filter(
                pk__in=_store_ids(request, WRITER_ROLES)
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_change_permission(
        self, request: HttpRequest, obj: Customer | None = None
    ) -> bool:
        allowed = super().has_change_permission(request, obj)
        if not allowed or obj is None or request.user.is_superuser:
            return allowed
        return _store_ids(request, WRITER_ROLES).filter(store_id=obj.store_id).exists()

    def has_delete_permission(
        self, request: HttpRequest, obj: Customer | None = None
    ) -> bool:
        # Orders will point at customers: only a platform superuser deletes one.
        return request.user.is_superuser

    @admin.display(description="orders", ordering="order_count")
    def order_count(self, customer: Customer) -> int:
        return int(getattr(customer, "order_count"))  # noqa: B009 - an annotation

    @admin.display(description="total spent", ordering="total_spent")
    def total_spent(self, customer: Customer) -> str:
        amount = getattr(customer, "total_spent")  # noqa: B009 - an annotation
        currency = customer.store.currency
        return f"{quantize(amount, currency)} {currency}"

    # Sorted by what the tier is made of, not alphabetically by its name.
    @admin.display(description="tier", ordering="total_spent")
    def tier(self, customer: Customer) -> str:
        return str(getattr(customer, "tier"))  # noqa: B009 - an annotation
