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

from apps.core.money import format_amount
from apps.stores.scoping import StoreScopedAdminMixin

from . import services
from .models import Address, Customer
from .selectors import customer_annotate
from .services import ADDRESS_LIMIT


class CustomerAdminForm(forms.ModelForm[Customer]):
    def clean_email(self) -> str:
        # The API stores emails lower case (services); so does the admin.
        return str(self.cleaned_data["email"]).strip().lower()


class AddressInline(admin.TabularInline[Address, Customer]):
    model = Address
    extra = 0
    max_num = ADDRESS_LIMIT
    fields = ("kind", "line1", "line2", "city", "postal_code", "country")


@admin.register(Customer)
class CustomerAdmin(StoreScopedAdminMixin, admin.ModelAdmin[Customer]):
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
    # The account link changes only through customer_link_account (staff vouch for
    # it in the API, POST customers/{id}/link-account/); sign-up never links
    # (docs/decisions/0012).
    readonly_fields = ("user",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Customer]:
        return customer_annotate(super().get_queryset(request))

    def get_readonly_fields(
        self, request: HttpRequest, obj: Customer | None = None
    ) -> Any:
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            fields.append("store")  # a customer never moves to another store
        return fields

    # Writes go through the services, which hold the rules (email casing and
    # uniqueness, the address limit), exactly as for the API.

    def save_model(
        self, request: HttpRequest, obj: Customer, form: Any, change: bool
    ) -> None:
        if change:
            changes = {name: form.cleaned_data[name] for name in form.changed_data}
            services.customer_update(customer=obj, **changes)
            return
        created = services.customer_create(
            store=obj.store,
            email=obj.email,
            first_name=obj.first_name,
            last_name=obj.last_name,
            phone=obj.phone,
        )
        obj.pk = created.pk  # the admin redirects and logs with the saved row
        obj._state.adding = False

    def save_formset(
        self, request: HttpRequest, form: Any, formset: Any, change: bool
    ) -> None:
        customer = form.instance
        # The admin's history message reads these lists, as formset.save() sets them.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = (
            [],
            [],
            [],
        )
        for address_form in formset.deleted_forms:
            if not address_form.instance._state.adding:
                services.address_delete(address=address_form.instance)
                formset.deleted_objects.append(address_form.instance)
        for address_form in formset.forms:
            if address_form in formset.deleted_forms or not address_form.has_changed():
                continue
            data = {
                name: address_form.cleaned_data[name]
                for name in ("kind", "line1", "line2", "city", "postal_code", "country")
            }
            if address_form.instance._state.adding:
                address = services.address_create(customer=customer, **data)
                formset.new_objects.append(address)
            else:
                address = services.address_update(address=address_form.instance, **data)
                formset.changed_objects.append((address, address_form.changed_data))

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
        return format_amount(amount, customer.store.currency)

    # Sorted by what the tier is made of, not alphabetically by its name.
    @admin.display(description="tier", ordering="total_spent")
    def tier(self, customer: Customer) -> str:
        return str(getattr(customer, "tier"))  # noqa: B009 - an annotation
