"""Demo customers: the demo shopper is one of them, and seeding is idempotent."""

import pytest
from django.core.management import call_command

from apps.customers.models import Address, Customer
from apps.stores.demo import DEMO_PASSWORD, DEMO_STORE_SLUG

pytestmark = pytest.mark.django_db


def test_seed_demo_creates_customers_once_with_the_shopper_linked(capsys):
    call_command("seed_demo")
    first = capsys.readouterr().out
    counts = (Customer.objects.count(), Address.objects.count())
    call_command("seed_demo")

    assert (Customer.objects.count(), Address.objects.count()) == counts
    assert 4 <= counts[0] <= 6
    assert counts[1] >= counts[0]
    assert not Customer.objects.exclude(store__slug=DEMO_STORE_SLUG).exists()
    shopper = Customer.objects.get(email="shopper@orderly.test")
    assert shopper.user is not None
    assert shopper.user.email == "shopper@orderly.test"
    assert f"customers: {counts[0]} in the demo store" in first


def test_the_demo_shopper_reads_their_profile_through_the_api(api_client):
    call_command("seed_demo")
    token = api_client.post(
        "/api/v1/auth/token/",
        {"email": "shopper@orderly.test", "password": DEMO_PASSWORD},
    ).json()["access"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    me = api_client.get(f"/api/v1/stores/{DEMO_STORE_SLUG}/customers/me/")
    assert me.status_code == 200
    assert me.json()["has_account"] is True
    addresses = api_client.get(
        f"/api/v1/stores/{DEMO_STORE_SLUG}/customers/me/addresses/"
    )
    assert len(addresses.json()) == 1


def test_demo_managers_see_the_demo_customers_in_the_admin(client):
    call_command("seed_demo")
    assert client.login(email="manager@orderly.test", password=DEMO_PASSWORD)
    response = client.get("/admin/customers/customer/")
    assert response.status_code == 200
    assert "shopper@orderly.test" in response.content.decode()
