from django.urls import path

from apps.users import views

app_name = "users"

urlpatterns = [
    path("me/", views.MeView.as_view(), name="me"),
]
