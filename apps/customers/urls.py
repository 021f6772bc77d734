from apps.core.routers import Router, SingletonRouter

from . import views

app_name = "customers"

# The caller's own profile and addresses come first, for the reader: "me" is
# never a customer id anyway, since the id routes take only a uuid.
me = SingletonRouter()
me.register("customers/me", views.MyCustomerViewSet, basename="customer-me")
router = Router()
router.register("customers/me/addresses", views.MyAddressViewSet, basename="my-address")
router.register("customers", views.CustomerViewSet, basename="customer")
router.register(
    "customers/<uuid:customer_id>/addresses",
    views.CustomerAddressViewSet,
    basename="address",
)

urlpatterns = [*me.urls, *router.urls]
