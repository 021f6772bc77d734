from django.urls import include, path
from rest_framework.routers import DefaultRouter

from .views import OrderViewSet, ProductViewSet

router = DefaultRouter()
router.register(r"stores/(?P<store_slug>[^/.]+)/products", ProductViewSet, "product")
router.register(r"stores/(?P<store_slug>[^/.]+)/orders", OrderViewSet, "order")

urlpatterns = [
    path("health/", include("apps.core.urls")),
    *router.urls,
]
