"""Catalog endpoints: a cached public storefront and staff catalog management."""

from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpResponse, HttpResponseNotModified
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import BaseParser, MultiPartParser
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.serializer_helpers import ReturnDict

from apps.core.exceptions import ValidationFailed
from apps.core.serializers import ProblemSerializer
from apps.stores.scoping import IsStoreManager, IsStoreMember, StoreScopedViewMixin
from apps.users.selectors import user_from_request

from . import cache, selectors, services
from .filters import ProductFilter, PublicProductFilter
from .imports import decode_csv, parse_product_csv
from .models import Category, Product
from .serializers import (
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
)

CONFLICT = OpenApiResponse(ProblemSerializer, description="`insufficient_stock`")


class CSVParser(BaseParser):
    """Hand the raw CSV bytes to the view (the body size is capped upstream)."""

    media_type = "text/csv"

    def parse(
        self, stream: Any, media_type: Any = None, parser_context: Any = None
    ) -> Any:
        return {"csv": stream.read() if stream is not None else b""}


@extend_schema(tags=["products"])
@extend_schema_view(
    list=extend_schema(
        summary="List products (public: active only, cached; members: all, with stock)",
        responses={200: ProductStaffOutputSerializer(many=True)},
    ),
    retrieve=extend_schema(
        summary="Read a product (supports If-None-Match)",
        responses={
            200: ProductStaffOutputSerializer,
            304: OpenApiResponse(description="Not modified"),
        },
    ),
)
class ProductViewSet(
    StoreScopedViewMixin, mixins.ListModelMixin, viewsets.GenericViewSet
):
    lookup_url_kwarg = "product_id"
    IMPORT_PARSERS = (CSVParser, MultiPartParser)

    def get_permissions(self) -> list[BasePermission]:
        if self.action in ("list", "retrieve"):
            return [AllowAny()]
        if self.action == "stock_movements":
            return [IsStoreMember()]
        return [IsStoreManager()]

    @property
    def is_staff(self) -> bool:
        if getattr(self, "swagger_fake_view", False):
            return True  # the schema documents the members' view (a superset)
        return self.store_role is not None

    def get_queryset(self) -> QuerySet[Product]:
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return Product.objects.none()
        return selectors.product_list(store=self.store, staff=self.is_staff)

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

    def get_product(self) -> Product:
        return selectors.product_get(
            store=self.store, staff=self.is_staff, product_id=self.kwargs["product_id"]
        )

    # --- Reads: the public ones go through the storefront cache -------------------

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        if self.is_staff:
            response = super().list(request, *args, **kwargs)
            response["X-Cache"] = "BYPASS"
            return response
        return self._cached(
            request, "list", lambda: super(ProductViewSet, self).list(request).data
        )

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        if self.is_staff:
            body = self._render(self.get_serializer(self.get_product()).data)
            return self._respond(request, body, cache.make_etag(body), "BYPASS")
        return self._cached(
            request, "detail", lambda: self.get_serializer(self.get_product()).data
        )

    def _cached(self, request: Request, view: str, build: Any) -> HttpResponse:
        key = cache.page_key(
            store_id=self.store.pk, view=view, url=request.build_absolute_uri()
        )
        page = cache.page_get(key)
        state = "HIT"
        if page is None:
            page = cache.page_set(key, self._render(build()))
            state = "MISS"
        return self._respond(request, page.body, page.etag, state)

    def _render(self, data: ReturnDict[Any, Any] | dict[str, Any]) -> bytes:
        return JSONRenderer().render(data)

    def _respond(
        self, request: Request, body: bytes, etag: str, state: str
    ) -> HttpResponse:
        if etag in request.headers.get("If-None-Match", ""):
            response: HttpResponse = HttpResponseNotModified()
        else:
            response = HttpResponse(body, content_type="application/json")
        response["ETag"] = etag
        response["X-Cache"] = state
        response["Vary"] = "Authorization"
        response["Cache-Control"] = "no-cache"  # clients revalidate with the ETag
        return response

    # --- Writes -----------------------------------------------------------------

    def _staff_output(
        self, product: Product, code: int = status.HTTP_200_OK
    ) -> Response:
        product = selectors.product_get(
            store=self.store, staff=True, product_id=product.pk
        )
        context = self.get_serializer_context()
        return Response(
            ProductStaffOutputSerializer(product, context=context).data, status=code
        )

    @extend_schema(
        request=ProductCreateInputSerializer,
        responses={201: ProductStaffOutputSerializer},
        summary="Create a product (manager+)",
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = ProductCreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        product = services.product_create(
            store=self.store,
            actor=user_from_request(request),
            **serializer.validated_data,
        )
        return self._staff_output(product, status.HTTP_201_CREATED)

    @extend_schema(
        request=ProductUpdateInputSerializer,
        responses={200: ProductStaffOutputSerializer},
        summary="Change a product's catalog fields (manager+)",
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = ProductUpdateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        product = services.product_update(
            product=self.get_product(),
            actor=user_from_request(request),
            **serializer.validated_data,
        )
        return self._staff_output(product)

    @extend_schema(responses={204: None}, summary="Delete a product (soft; manager+)")
    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        services.product_delete(
            product=self.get_product(), actor=user_from_request(request)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        request=StockAdjustmentInputSerializer,
        responses={201: StockMovementOutputSerializer, 409: CONFLICT},
        summary="Adjust stock with a reason (manager+); writes the ledger",
    )
    @action(detail=True, methods=["post"], url_path="stock-adjustments")
    def stock_adjustments(
        self, request: Request, *args: Any, **kwargs: Any
    ) -> Response:
        serializer = StockAdjustmentInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        movement = services.product_stock_adjust(
            product=self.get_product(),
            actor=user_from_request(request),
            **serializer.validated_data,
        )
        return Response(
            StockMovementOutputSerializer(movement).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        responses={200: StockMovementOutputSerializer(many=True)},
        summary="A product's stock ledger, newest first (members)",
    )
    @action(detail=True, methods=["get"], url_path="stock-movements")
    def stock_movements(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        queryset = selectors.stock_movement_list(product=self.get_product())
        page = self.paginate_queryset(queryset)
        data = StockMovementOutputSerializer(page, many=True).data
        return self.get_paginated_response(data)

    @extend_schema(
        request={
            "text/csv": OpenApiTypes.STR,
            "multipart/form-data": {
                "type": "object",
                "properties": {"file": {"type": "string", "format": "binary"}},
                "required": ["file"],
            },
        },
        responses={200: ProductImportResultSerializer},
        summary="Upsert products from a CSV (sku,name,price[,stock,category,active])",
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        parser_classes=[CSVParser, MultiPartParser],
    )
    def import_csv(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        raw = request.data.get("csv")
        if raw is None:
            upload = request.data.get("file")
            if upload is None or not hasattr(upload, "read"):
                raise ValidationFailed(
                    "Send the CSV as a text/csv body or as a multipart `file`.",
                    code="invalid_csv",
                    errors=[
                        {
                            "field": "file",
                            "code": "required",
                            "message": "No CSV file was sent.",
                        }
                    ],
                )
            raw = upload.read()
        rows = parse_product_csv(
            decode_csv(raw), max_rows=settings.PRODUCT_IMPORT_MAX_ROWS
        )
        result = services.product_import(
            store=self.store, actor=user_from_request(request), rows=rows
        )
        return Response(ProductImportResultSerializer(result).data)


@extend_schema(tags=["categories"])
class CategoryViewSet(
    StoreScopedViewMixin, mixins.ListModelMixin, viewsets.GenericViewSet
):
    serializer_class = CategoryOutputSerializer
    lookup_url_kwarg = "category_id"

    def get_permissions(self) -> list[BasePermission]:
        if self.action in ("list", "retrieve"):
            return [AllowAny()]
        return [IsStoreManager()]

    def get_queryset(self) -> QuerySet[Category]:
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return Category.objects.none()
        return selectors.category_list(store=self.store)

    def get_object(self) -> Category:
        return selectors.category_get(
            store=self.store, category_id=self.kwargs["category_id"]
        )

    @extend_schema(summary="Read a category")
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(CategoryOutputSerializer(self.get_object()).data)

    @extend_schema(
        request=CategoryInputSerializer,
        responses={201: CategoryOutputSerializer},
        summary="Create a category (manager+)",
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = CategoryInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        category = services.category_create(
            store=self.store,
            actor=user_from_request(request),
            **serializer.validated_data,
        )
        return Response(
            CategoryOutputSerializer(category).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        request=CategoryUpdateInputSerializer,
        responses={200: CategoryOutputSerializer},
        summary="Rename a category (manager+)",
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = CategoryUpdateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        category = services.category_update(
            category=self.get_object(),
            actor=user_from_request(request),
            **serializer.validated_data,
        )
        return Response(CategoryOutputSerializer(category).data)

    @extend_schema(responses={204: None}, summary="Delete a category (manager+)")
    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        services.category_delete(
            category=self.get_object(), actor=user_from_request(request)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)
