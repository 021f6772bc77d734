from django.urls import path

from . import views

app_name = "stores"

store_list = views.StoreViewSet.as_view({"get": "list", "post": "create"})
store_detail = views.StoreDetailViewSet.as_view(
    {"get": "retrieve", "patch": "partial_update"}
)
member_list = views.MembershipViewSet.as_view({"get": "list", "post": "create"})
member_detail = views.MembershipViewSet.as_view(
    {"patch": "partial_update", "delete": "destroy"}
)

urlpatterns = [
    path("", store_list, name="store-list"),
    path("<str:store_slug>/", store_detail, name="store-detail"),
    path("<str:store_slug>/members/", member_list, name="member-list"),
    path(
        "<str:store_slug>/members/<uuid:membership_id>/",
        member_detail,
        name="member-detail",
    ),
]
