"""Catalog endpoints: a cached public storefront and staff catalog management."""

from typing import Any
from uuid import UUID

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import ResolverMatch
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.request import Request
from rest_framework.response import Response

from apps.core.caching import (
    ETAG_HEADER,
    CachedListModelMixin,
    ConditionalWriteMixin,
    SharedPage,
    conditional_write,
    tagged_read,
)
from apps.core.serializers import ProblemSerializer
from apps.stores.scoping import IsStoreManager, IsStoreMember, StoreScopedViewMixin
from apps.stores.selectors import store_id_by_slug, store_id_remembered
from apps.users.selectors import user_from_request

from . import cache, selectors, services
from .csv_rows import CSVParser, ProductImportInputSerializer
from .filters import ProductFilter, PublicProductFilter
from .models import Category, Product
from .serializers import (
    PRODUCT_PUBLIC_FIELDS,
    CategoryInputSerializer,
    CategoryOutputSerializer,
    CategoryUpdateInputSerializer,
    ProductCreateInputSerializer,
    ProductImportResultSerializer,
    ProductPublicOutputSerializer,
    ProductStaffOutputSerializer,
    ProductUpdateInputSerializer,
    StockAdjustmentInputSerializer,
    StockMovementOutputSerializer,
    product_public_rows,
)

CONFLICT = OpenApiResponse(
    ProblemSerializer, description="`insufficient_stock`, `stock_limit`"
)
# The two ways to send the file (ProductImportInputSerializer reads either).
IMPORT_REQUEST = {
    "text/csv": OpenApiTypes.STR,
    "multipart/form-data": {
        "type": "object",
        "properties": {"file": {"type": "string", "format": "binary"}},
        "required": ["file"],
    },
}
IMPORT_CONFLICT = OpenApiResponse(
    ProblemSerializer,
    description="`import_conflict`: a product with one of the SKUs was created "
    "meanwhile; nothing was imported, send the file again.",
)


def product_for_audience(*, many: bool = False) -> PolymorphicProxySerializer:
    """A product as each audience reads it: the public shape, or the members'."""
    return PolymorphicProxySerializer(
        component_name="ProductForAudience",
        serializers=[ProductPublicOutputSerializer, ProductStaffOutputSerializer],
        resource_type_field_name=None,
        many=many,
    )


@extend_schema(tags=["products"])
@extend_schema_view(
    list=extend_schema(
        summary="List products (public: active only, cached; members: all, with stock)",
        responses={200: product_for_audience(many=True)},
    ),
    retrieve=tagged_read(
        "Read a product (supports If-None-Match)", product_for_audience()
    ),
)
class ProductViewSet(
    StoreScopedViewMixin,
    CachedListModelMixin,
    ConditionalWriteMixin,
    viewsets.GenericViewSet,
):
    # No docstring: the schema would publish it as each operation's description.
    queryset = Product.objects.none()
    lookup_url_kwarg = "product_id"

    def get_permissions(self) -> list[BasePermission]:
        if self.action in ("list", "retrieve", "metadata"):
            return [AllowAny()]
        if self.action == "stock_movements":
            return [IsStoreMember()]
        return [IsStoreManager()]

    @property
    def is_staff(self) -> bool:
        return self.store_role is not None

    def get_queryset(self) -> QuerySet[Product]:
        return selectors.product_list(store=self.store, staff=self.is_staff)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponse:  # type: ignore[override]
        if self.is_staff:
            return super().list(request, *args, **kwargs)

        def build() -> Any:
            # Columns, not model instances, rendered by hand (product_public_rows):
            # what a storefront cache miss builds and shares.
            rows = self.filter_queryset(self.get_queryset()).values(
                *PRODUCT_PUBLIC_FIELDS
            )
            page = self.paginate_queryset(rows)
            currency = str(self.store.currency)
            if page is None:  # no paginator configured: the whole list
                return product_public_rows(rows, currency=currency)
            data = product_public_rows(page, currency=currency)
            return self.get_paginated_response(data).data

        return self.conditional_read(build)

    @property
    def filterset_class(self) -> type[ProductFilter]:  # read by DjangoFilterBackend
        return ProductFilter if self.is_staff else PublicProductFilter

    def get_serializer_class(self) -> Any:
        return (
            ProductStaffOutputSerializer
            if self.is_staff
            else ProductPublicOutputSerializer
        )

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "currency": self.store.currency}

    def get_object(self) -> Product:
        return selectors.product_get(
            store=self.store, staff=self.is_staff, product_id=self.kwargs["product_id"]
        )

    def shared_page(self) -> SharedPage | None:
        if self.is_staff:
            return None  # members see stock levels and inactive products
        return _public_page(self.store.pk, detail=self.detail, request=self.request)

    @classmethod
    def public_shared_page(
        cls, request: HttpRequest, match: ResolverMatch, *, remembered_only: bool
    ) -> SharedPage | None:
        """The page an anonymous GET of ``match`` shares (SharedPageMiddleware).

        ``remembered_only``: None rather than read the store's id from the
        database (it has not been read in the last few seconds).
        """
        if match.func.actions.get("get") not in ("list", "retrieve"):  # type: ignore[attr-defined]
            return None
        slug = match.kwargs["store_slug"]
        store_id = (
            store_id_remembered(slug=slug)
            if remembered_only
            else store_id_by_slug(slug=slug)
        )
        if store_id is None:
            return None  # the view answers the 404
        detail = bool(match.func.initkwargs.get("detail"))  # type: ignore[attr-defined]
        return _public_page(store_id, detail=detail, request=request)

    def reload(self, instance: Product) -> Product:
        return selectors.product_get(
            store=self.store, staff=self.is_staff, product_id=instance.pk
        )

    # --- Writes -----------------------------------------------------------------

    @extend_schema(
        request=ProductCreateInputSerializer,
        parameters=[ETAG_HEADER],
        responses={201: ProductStaffOutputSerializer},
        summary="Create a product (manager+)",
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponse:
        serializer = ProductCreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        product = services.product_create(
            store=self.store,
            actor=user_from_request(request),
            **serializer.validated_data,
        )
        return self.tagged(product, status.HTTP_201_CREATED)

    @conditional_write(
        request=ProductUpdateInputSerializer,
        responses={200: ProductStaffOutputSerializer},
        summary="Change a product's catalog fields (manager+)",
    )
    def partial_update(
        self, request: Request, *args: Any, **kwargs: Any
    ) -> HttpResponse:
        serializer = ProductUpdateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        product = services.product_update(
            product=self.get_object(),
            if_match=self.if_match(),
            **serializer.validated_data,
        )
        return self.tagged(product)

    @conditional_write(
        responses={204: None},
        summary="Delete a product (soft; manager+)",
    )
    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        services.product_delete(product=self.get_object(), if_match=self.if_match())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        request=StockAdjustmentInputSerializer,
        responses={201: StockMovementOutputSerializer, 409: CONFLICT},
        summary="Adjust stock with a reason (manager+); writes the ledger",
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="stock-adjustments",
        url_name="stock-adjustments",
    )
    def stock_adjustments(
        self, request: Request, *args: Any, **kwargs: Any
    ) -> Response:
        serializer = StockAdjustmentInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        movement = services.product_stock_adjust(
            product=self.get_object(),
            actor=user_from_request(request),
            **serializer.validated_data,
        )
        return Response(
            StockMovementOutputSerializer(movement).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        responses={200: StockMovementOutputSerializer(many=True)},
        summary="A product's stock ledger, newest first (members)",
        filters=False,  # the ledger is not filtered: the product filters do not apply
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="stock-movements",
        url_name="stock-movements",
    )
    def stock_movements(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        queryset = selectors.stock_movement_list(product=self.get_object())
        page = self.paginate_queryset(queryset)
        data = StockMovementOutputSerializer(page, many=True).data
        return self.get_paginated_response(data)

    @extend_schema(
        request=IMPORT_REQUEST,
        responses={200: ProductImportResultSerializer, 409: IMPORT_CONFLICT},
        summary="Upsert products from a CSV (sku,name,price[,stock,category,active])",
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        url_name="import",
        parser_classes=[CSVParser, MultiPartParser],
    )
    def import_csv(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = ProductImportInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = services.product_import(
            store=self.store,
            actor=user_from_request(request),
            **serializer.validated_data,
        )
        return Response(ProductImportResultSerializer(result).data)


@extend_schema(tags=["categories"])
@extend_schema_view(
    list=extend_schema(summary="List the store's categories (public)"),
    retrieve=tagged_read("Read a category", CategoryOutputSerializer),
)
class CategoryViewSet(
    StoreScopedViewMixin,
    mixins.ListModelMixin,
    ConditionalWriteMixin,
    viewsets.GenericViewSet,
):
    queryset = Category.objects.none()
    serializer_class = CategoryOutputSerializer
    lookup_url_kwarg = "category_id"

    def get_permissions(self) -> list[BasePermission]:
        if self.action in ("list", "retrieve", "metadata"):
            return [AllowAny()]
        return [IsStoreManager()]

    def get_queryset(self) -> QuerySet[Category]:
        return selectors.category_list(store=self.store)

    def get_object(self) -> Category:
        return selectors.category_get(
            store=self.store, category_id=self.kwargs["category_id"]
        )

    @extend_schema(
        request=CategoryInputSerializer,
        parameters=[ETAG_HEADER],
        responses={201: CategoryOutputSerializer},
        summary="Create a category (manager+)",
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponse:
        serializer = CategoryInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        category = services.category_create(
            store=self.store, **serializer.validated_data
        )
        return self.tagged(category, status.HTTP_201_CREATED)

    @conditional_write(
        request=CategoryUpdateInputSerializer,
        responses={200: CategoryOutputSerializer},
        summary="Rename a category (manager+)",
    )
    def partial_update(
        self, request: Request, *args: Any, **kwargs: Any
    ) -> HttpResponse:
        serializer = CategoryUpdateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        category = services.category_update(
            category=self.get_object(),
            if_match=self.if_match(),
            **serializer.validated_data,
        )
        return self.tagged(category)

    @conditional_write(
        responses={204: None},
        summary="Delete a category (manager+)",
    )
    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        services.category_delete(category=self.get_object(), if_match=self.if_match())
        return Response(status=status.HTTP_204_NO_CONTENT)


def _public_page(store_id: UUID, *, detail: bool, request: HttpRequest) -> SharedPage:
    """The shared page of a public catalog read: per store, URL and version."""
    return SharedPage(
        key=cache.page_key(
            store_id=store_id,
            view="detail" if detail else "list",
            url=request.build_absolute_uri(),
        ),
        timeout=settings.CATALOG_CACHE_SECONDS,
        version_key=cache.version_key(store_id=store_id),
    )
