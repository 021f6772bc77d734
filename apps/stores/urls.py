from apps.core.routers import Router, SingletonRouter

from . import views

app_name = "stores"

stores = Router()
stores.register("", views.StoreViewSet, basename="store")  # store-list
store = SingletonRouter()  # a store is one object at its slug
store.register("<str:store_slug>", views.StoreDetailViewSet, basename="store-detail")
members = Router()
members.register("<str:store_slug>/members", views.MembershipViewSet, basename="member")

# The payment-webhook secret: one per store, revealed and rotated by owners.
secret = SingletonRouter()
secret.register(
    "<str:store_slug>/webhook-secret",
    views.WebhookSecretViewSet,
    basename="webhook-secret",
)

urlpatterns = [*stores.urls, *store.urls, *members.urls, *secret.urls]
