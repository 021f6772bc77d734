from apps.core.routers import Router

from . import views

app_name = "products"

router = Router()
router.register("products", views.ProductViewSet, basename="product")
router.register("categories", views.CategoryViewSet, basename="category")

urlpatterns = router.urls
