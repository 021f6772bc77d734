from django.urls import path

from . import views

app_name = "products"

product_list = views.ProductViewSet.as_view({"get": "list", "post": "create"})
product_detail = views.ProductViewSet.as_view(
    {"get": "retrieve", "patch": "partial_update", "delete": "destroy"}
)
category_list = views.CategoryViewSet.as_view({"get": "list", "post": "create"})
category_detail = views.CategoryViewSet.as_view(
    {"get": "retrieve", "patch": "partial_update", "delete": "destroy"}
)

urlpatterns = [
    path("products/", product_list, name="product-list"),
    path(
        "products/import/",
        views.ProductViewSet.as_view(
            {"post": "import_csv"}, parser_classes=views.ProductViewSet.IMPORT_PARSERS
        ),
        name="product-import",
    ),
    path("products/<uuid:product_id>/", product_detail, name="product-detail"),
    path(
        "products/<uuid:product_id>/stock-adjustments/",
        views.ProductViewSet.as_view({"post": "stock_adjustments"}),
        name="product-stock-adjustments",
    ),
    path(
        "products/<uuid:product_id>/stock-movements/",
        views.ProductViewSet.as_view({"get": "stock_movements"}),
        name="product-stock-movements",
    ),
    path("categories/", category_list, name="category-list"),
    path("categories/<uuid:category_id>/", category_detail, name="category-detail"),
]
