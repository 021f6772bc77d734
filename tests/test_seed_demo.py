import pytest
from django.core.management import call_command

from apps.stores.models import Membership, Store
from apps.users.models import User


@pytest.mark.django_db
def test_seed_demo_is_idempotent_and_prints_the_credentials(capsys):
    call_command("seed_demo")
    first = capsys.readouterr().out
    counts = (User.objects.count(), Store.objects.count(), Membership.objects.count())
    call_command("seed_demo")
    second = capsys.readouterr().out

    assert (
        User.objects.count(),
        Store.objects.count(),
        Membership.objects.count(),
    ) == counts
    assert counts == (5, 1, 3)
    assert first == second
    assert "owner@orderly.test" in first
    assert "/api/docs/" in first
    roles = set(Membership.objects.values_list("role", flat=True))
    assert roles == {"owner", "manager", "staff"}


@pytest.mark.django_db
def test_demo_credentials_log_in(client, api_client):
    from apps.stores.demo import DEMO_PASSWORD

    call_command("seed_demo")
    response = api_client.post(
        "/api/v1/auth/token/",
        {"email": "owner@orderly.test", "password": DEMO_PASSWORD},
    )
    assert response.status_code == 200
    assert client.login(email="admin@orderly.test", password=DEMO_PASSWORD)
