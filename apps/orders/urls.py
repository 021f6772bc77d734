from django.urls import path

from apps.core.routers import Router

from . import views
from .webhooks import PaymentWebhookView

app_name = "orders"

router = Router()
router.register("orders", views.OrderViewSet, basename="order")

urlpatterns = [
    *router.urls,
    # Signed by the payment provider; no JWT (apps/orders/webhooks.py).
    path("payments/webhook/", PaymentWebhookView.as_view(), name="payment-webhook"),
]
