"""Top-level URL configuration."""

from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path, re_path
from django.views.generic import RedirectView
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)

from apps.core import views as core_views
from apps.core.resolvers import RememberingResolver

api_v1: list[URLPattern | URLResolver] = [
    path("", core_views.ApiRootView.as_view(), name="root"),
    path("auth/", include("apps.users.urls.auth")),
    path("users/", include("apps.users.urls.users")),
    path("stores/", include("apps.stores.urls")),
    path("stores/<str:store_slug>/", include("apps.products.urls")),
    path("stores/<str:store_slug>/", include("apps.customers.urls")),
    path("stores/<str:store_slug>/", include("apps.orders.urls")),
    path("stores/<str:store_slug>/", include("apps.reports.urls")),
]

routes: list[URLPattern | URLResolver] = [
    # A browser opening the server lands on the API root, not on a 404.
    path("", RedirectView.as_view(pattern_name="v1:root"), name="home"),
    path("health/", include("apps.core.urls")),
    path("api/v1/", include((api_v1, "v1"))),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="schema"),
        name="docs",
    ),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
    # Anything else under /api/ is a problem+json 404, even with DEBUG on.
    re_path(r"^api/", core_views.api_not_found),
    path(settings.ADMIN_URL, admin.site.urls),
]

# The routes above, resolved once per path and then remembered (the last 1,024
# paths per process): Django's walk through them took 66-88 us of CPU per
# request (apps/core/resolvers.py, ADR 0075).
urlpatterns = [RememberingResolver(routes, size=1024)]

handler400 = "apps.core.views.bad_request"
handler403 = "apps.core.views.permission_denied"
handler404 = "apps.core.views.page_not_found"
handler500 = "apps.core.views.server_error"

admin.site.site_header = "Orderly administration"
admin.site.site_title = "Orderly admin"
# "View site" opens the API documentation (there is no HTML storefront).
admin.site.site_url = "/api/docs/"
