"""The catalog in the admin. Stock is read-only: it changes through the
"Adjust stock" action, which calls the same service as the API."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.html import format_html

from apps.core.exceptions import ApplicationError
from apps.core.models import max_length_of
from apps.core.money import format_amount, quantize
from apps.stores.scoping import StoreScopedAdminMixin
from apps.users.selectors import user_from_request

from . import selectors, services
from .models import STOCK_LIMIT, Category, Product, StockMovement


class StockMovementInline(admin.TabularInline[StockMovement, Product]):
    model = StockMovement
    extra = 0
    can_delete = False
    ordering = ("-id",)
    fields = (
        "created_at",
        "delta",
        "reason",
        "balance_after",
        "actor",
        "note",
        "order_id",
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[StockMovement]:
        return super().get_queryset(request).select_related("actor", "product")


# The catalog fields people edit; stock changes only through the action.
EDITABLE_FIELDS = (
    "store",
    "sku",
    "name",
    "description",
    "category",
    "price",
    "low_stock_threshold",
    "is_active",
)


class ProductAdminForm(forms.ModelForm[Product]):
    class Meta:
        model = Product
        fields = EDITABLE_FIELDS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        product = self.instance
        # UUIDv7 primary keys exist before the first save: only an instance
        # already in the database has a store and a price to show.
        if not product._state.adding and "price" not in self.data:
            # "21.00" in a EUR store, not the column's "21.000".
            self.initial["price"] = quantize(product.price, product.store.currency)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        store = cleaned.get("store") or getattr(self.instance, "store", None)
        if store is None or "price" not in cleaned:
            return cleaned
        category = cleaned.get("category")
        try:
            services.product_check(
                store=store,
                price=cleaned["price"],
                category_id=category.pk if category else None,
            )
        except ApplicationError as exc:
            raise ValidationError(
                {e["field"]: e["message"] for e in exc.errors} or exc.message
            ) from exc
        return cleaned


class StockAdjustmentForm(forms.Form):
    delta = forms.IntegerField(
        min_value=-STOCK_LIMIT,
        max_value=STOCK_LIMIT,
        help_text="Units to add; negative to remove.",
    )
    reason = forms.ChoiceField(
        choices=[
            (StockMovement.Reason.RESTOCK, "Restock"),
            (StockMovement.Reason.ADJUSTMENT, "Adjustment"),
        ]
    )
    note = forms.CharField(
        max_length=max_length_of(StockMovement, "note"), required=False
    )

    def clean_delta(self) -> int:
        delta: int = self.cleaned_data["delta"]
        if delta == 0:
            raise ValidationError("A stock change cannot be zero.")
        return delta


@admin.register(Product)
class ProductAdmin(StoreScopedAdminMixin, admin.ModelAdmin[Product]):
    form = ProductAdminForm
    list_display = (
        "sku",
        "name",
        "store",
        "category",
        "price_display",
        "stock",
        "is_active",
    )
    list_display_links = ("sku", "name")
    list_select_related = ("store", "category")
    list_filter = (
        "is_active",
        ("store", admin.RelatedOnlyFieldListFilter),
        ("category", admin.RelatedOnlyFieldListFilter),
    )
    search_fields = ("sku", "name")
    ordering = ("-id",)
    fields = (*EDITABLE_FIELDS, "stock_quantity", "created_at", "updated_at")
    readonly_fields = ("stock_quantity", "created_at", "updated_at")
    inlines = (StockMovementInline,)
    actions = ("adjust_stock",)
    list_per_page = 50

    def get_queryset(self, request: HttpRequest) -> QuerySet[Product]:
        return selectors.product_admin_list(super().get_queryset(request))

    @admin.display(description="price", ordering="price")
    def price_display(self, product: Product) -> str:
        return format_amount(product.price, product.store.currency)

    @admin.display(description="stock", ordering="stock_quantity")
    def stock(self, product: Product) -> str:
        if getattr(product, "is_low_stock", False):
            return format_html(
                '<strong class="low-stock" style="color:#ba2121" title="Low stock">'
                "{} ⚠</strong>",
                product.stock_quantity,
            )
        return str(product.stock_quantity)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = tuple(super().get_readonly_fields(request, obj))
        return (*fields, "store") if obj is not None else fields  # fixed once created

    def save_model(
        self, request: HttpRequest, obj: Product, form: Any, change: bool
    ) -> None:
        actor = user_from_request(request)
        if change:
            changes = {name: form.cleaned_data[name] for name in form.changed_data}
            if "category" in changes:
                category = changes.pop("category")
                changes["category_id"] = category.pk if category else None
            services.product_update(product=obj, **changes)
            return
        created = services.product_create(
            store=obj.store,
            actor=actor,
            sku=obj.sku,
            name=obj.name,
            description=obj.description,
            price=obj.price,
            category_id=obj.category_id,
            low_stock_threshold=obj.low_stock_threshold,
            is_active=obj.is_active,
        )
        obj.pk = created.pk  # the admin redirects and logs with the saved row
        obj._state.adding = False

    def can_change(self, request: HttpRequest, product: Product) -> bool:
        """Whether the user may change the product; their stores are read once."""
        if request.user.is_superuser:
            return True
        cache_attr = "_orderly_writable_store_ids"
        writable = getattr(request, cache_attr, None)
        if writable is None:
            writable = set(self._store_ids(request, self.change_roles))
            setattr(request, cache_attr, writable)
        return product.store_id in writable

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> Any:
        # Deleting a product is a soft delete: the ledger and past orders keep
        # pointing at it, so Django's PROTECT check does not apply here.
        deleted = [str(obj) for obj in objs]
        perms_needed = set() if self.has_delete_permission(request) else {"product"}
        return deleted, {"products": len(deleted)}, perms_needed, []

    def delete_model(self, request: HttpRequest, obj: Product) -> None:
        services.product_delete(product=obj)

    def delete_queryset(
        self, request: HttpRequest, queryset: QuerySet[Product]
    ) -> None:
        for product in queryset:
            self.delete_model(request, product)

    @admin.action(
        description="Adjust stock of the selected products", permissions=["change"]
    )
    def adjust_stock(
        self, request: HttpRequest, queryset: QuerySet[Product]
    ) -> HttpResponse | None:
        products = [
            p for p in queryset.select_related("store") if self.can_change(request, p)
        ]
        form = StockAdjustmentForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            done = 0
            for product in products:
                try:
                    services.product_stock_adjust(
                        product=product,
                        actor=user_from_request(request),
                        **form.cleaned_data,
                    )
                    done += 1
                except ApplicationError as exc:
                    self.message_user(
                        request, f"{product.sku}: {exc.message}", messages.ERROR
                    )
            if done:
                self.message_user(request, f"Stock adjusted for {done} product(s).")
            return None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "products": products,
            "form": form,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "title": "Adjust stock",
        }
        return TemplateResponse(
            request, "admin/products/product/adjust_stock.html", context
        )


@admin.register(Category)
class CategoryAdmin(StoreScopedAdminMixin, admin.ModelAdmin[Category]):
    list_display = ("name", "store")
    list_select_related = ("store",)
    list_filter = (("store", admin.RelatedOnlyFieldListFilter),)
    search_fields = ("name",)
    ordering = ("store", "name")
    fields = ("store", "name", "description")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ("store",) if obj is not None else ()

    def save_model(
        self, request: HttpRequest, obj: Category, form: Any, change: bool
    ) -> None:
        # Through the services, so the storefront cache is refreshed too.
        if change:
            changes = {name: form.cleaned_data[name] for name in form.changed_data}
            services.category_update(category=obj, **changes)
            return
        created = services.category_create(
            store=obj.store, name=obj.name, description=obj.description
        )
        obj.pk = created.pk
        obj._state.adding = False

    def delete_model(self, request: HttpRequest, obj: Category) -> None:
        services.category_delete(category=obj)

    def delete_queryset(
        self, request: HttpRequest, queryset: QuerySet[Category]
    ) -> None:
        for category in queryset:
            self.delete_model(request, category)
