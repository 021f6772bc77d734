from django.urls import path

from . import views

app_name = "customers"

customer_list = views.CustomerViewSet.as_view({"get": "list", "post": "create"})
customer_detail = views.CustomerViewSet.as_view(
    {"get": "retrieve", "patch": "partial_update"}
)
address_list = views.CustomerAddressViewSet.as_view({"get": "list", "post": "create"})
address_detail = views.CustomerAddressViewSet.as_view(
    {"get": "retrieve", "patch": "partial_update", "delete": "destroy"}
)
me = views.MyCustomerViewSet.as_view(
    {"get": "retrieve", "post": "create", "patch": "partial_update"}
)
my_address_list = views.MyAddressViewSet.as_view({"get": "list", "post": "create"})
my_address_detail = views.MyAddressViewSet.as_view(
    {"get": "retrieve", "patch": "partial_update", "delete": "destroy"}
)

urlpatterns = [
    path("customers/", customer_list, name="customer-list"),
    # "me" before the customer ids, for the reader: a uuid never matches it.
    path("customers/me/", me, name="customer-me"),
    path("customers/me/addresses/", my_address_list, name="my-address-list"),
    path(
        "customers/me/addresses/<uuid:address_id>/",
        my_address_detail,
        name="my-address-detail",
    ),
    path("customers/<uuid:customer_id>/", customer_detail, name="customer-detail"),
    path(
        "customers/<uuid:customer_id>/link-account/",
        views.CustomerViewSet.as_view({"post": "link_account"}),
        name="customer-link-account",
    ),
    path(
        "customers/<uuid:customer_id>/addresses/",
        address_list,
        name="address-list",
    ),
    path(
        "customers/<uuid:customer_id>/addresses/<uuid:address_id>/",
        address_detail,
        name="address-detail",
    ),
]
