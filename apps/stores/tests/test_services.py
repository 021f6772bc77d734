"""Store services: the invariants hold whoever calls them (API, admin, tasks)."""

import pytest

from apps.core.exceptions import ConflictError
from apps.core.testing import run_concurrently
from apps.stores import services
from apps.stores.models import Membership, Store
from apps.users.tests.factories import UserFactory

from .factories import MembershipFactory, StoreFactory


@pytest.mark.django_db
def test_store_create_writes_the_store_and_the_owner_membership_together(user):
    store = services.store_create(actor=user, name="Shop", currency="KWD")
    assert Membership.objects.get(store=store).role == "owner"
    assert store.slug == "shop"
    assert len(store.webhook_secret) >= 40


@pytest.mark.django_db
def test_store_update_ignores_fields_that_are_fixed(user):
    store = StoreFactory(currency="EUR")
    services.store_update(store=store, actor=user, name="New", currency="USD", slug="x")
    store.refresh_from_db()
    assert (store.name, store.currency) == ("New", "EUR")
    assert store.slug != "x"


@pytest.mark.django_db
def test_removing_a_manager_never_needs_another_owner(user):
    membership = MembershipFactory(role="manager")
    services.membership_remove(membership=membership, actor=user)
    assert not Membership.objects.filter(pk=membership.pk).exists()


@pytest.mark.django_db
def test_removing_the_last_owner_is_refused(user):
    membership = MembershipFactory(role="owner")
    with pytest.raises(ConflictError) as excinfo:
        services.membership_remove(membership=membership, actor=user)
    assert excinfo.value.code == "last_owner"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attempt", range(5))
def test_two_owners_removing_each_other_at_once_leave_one_owner(attempt):
    """Without the store row lock both removals would see another owner and pass."""
    store = StoreFactory()
    first = MembershipFactory(store=store, role="owner")
    second = MembershipFactory(store=store, role="owner")
    actor = UserFactory()

    outcomes = run_concurrently(
        lambda: services.membership_remove(membership=first, actor=actor),
        lambda: services.membership_remove(membership=second, actor=actor),
    )

    assert sorted(outcomes) == ["last_owner", "ok"]
    assert Membership.objects.filter(store=store, role="owner").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_demotions_of_all_owners_keep_one_owner():
    store = StoreFactory()
    owners = [MembershipFactory(store=store, role="owner") for _ in range(4)]
    actor = UserFactory()

    outcomes = run_concurrently(
        *[
            (
                lambda m=m: services.membership_change_role(
                    membership=m, actor=actor, role="staff"
                )
            )
            for m in owners
        ]
    )

    assert outcomes.count("ok") == 3
    assert outcomes.count("last_owner") == 1
    assert Membership.objects.filter(store=store, role="owner").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_creates_with_the_same_slug_create_one_store():
    users = [UserFactory() for _ in range(4)]
    outcomes = run_concurrently(
        *[
            (
                lambda u=u: services.store_create(
                    actor=u, name="Race", slug="race", currency="EUR"
                )
            )
            for u in users
        ]
    )
    assert sorted(outcomes) == ["ok"] + ["validation_error"] * 3
    assert Store.objects.filter(slug="race").count() == 1
    assert Membership.objects.filter(store__slug="race").count() == 1
