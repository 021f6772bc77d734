"""Every admin list page opens and runs a bounded number of queries; every
add page and the change page of a demo row open.

With the demo data loaded (50 products with their ledgers, customers, users,
memberships), a list page that ran a query per row would exceed the bound.
App-specific tests pin the exact counts and compare small and large lists.
"""

import io

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.urls import reverse

from apps.core.testing import count_queries
from apps.users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

MAX_QUERIES = 12
CHANGELISTS = sorted(
    f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"
    for model in admin.site._registry
)


@pytest.fixture
def superuser_client(client):
    call_command("seed_demo", stdout=io.StringIO())
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize("name", CHANGELISTS)
def test_admin_list_page_runs_a_bounded_number_of_queries(superuser_client, name):
    queries, response = count_queries(lambda: superuser_client.get(reverse(name)))
    assert response.status_code == 200
    assert queries <= MAX_QUERIES, f"{name}: {queries} queries"


@pytest.mark.parametrize("model", sorted(admin.site._registry, key=str))
def test_admin_add_and_change_pages_open(superuser_client, model):
    opts = model._meta
    model_admin = admin.site._registry[model]
    request = superuser_client.get("/").wsgi_request
    if model_admin.has_add_permission(request):
        add = superuser_client.get(
            reverse(f"admin:{opts.app_label}_{opts.model_name}_add")
        )
        assert add.status_code == 200, f"{opts.label} add page: {add.status_code}"
    row = model._default_manager.order_by("pk").first()
    if row is None:
        return
    change = superuser_client.get(
        reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[row.pk])
    )
    assert change.status_code == 200, f"{opts.label} change page: {change.status_code}"


def test_every_domain_model_with_rows_is_in_the_admin():
    registered = {model._meta.label for model in admin.site._registry}
    assert {
        "products.Product",
        "products.Category",
        "customers.Customer",
        "stores.Store",
        "users.User",
    } <= registered
