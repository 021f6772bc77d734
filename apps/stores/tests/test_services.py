"""Store services: the invariants hold whoever calls them (API, admin, tasks)."""

import base64
from datetime import timedelta

import pytest
from django.utils import timezone

from apps.core.exceptions import ConflictError
from apps.core.testing import assert_if_match_guards, run_concurrently
from apps.stores import services
from apps.stores.models import Membership, Store
from apps.stores.selectors import store_webhook_secrets
from apps.users.tests.factories import UserFactory

from .factories import MembershipFactory, StoreFactory


@pytest.mark.django_db
def test_store_create_writes_the_store_and_the_owner_membership_together(user):
    store = services.store_create(actor=user, name="Shop", currency="KWD")
    assert Membership.objects.get(store=store).role == "owner"
    assert store.slug == "shop"
    prefix, key = store.webhook_secret.split("_", 1)
    assert prefix == "whsec"
    assert len(base64.b64decode(key, validate=True)) == 32
    assert store.previous_webhook_secret == ""
    assert store.webhook_secret_rotated_at is None


@pytest.mark.django_db
def test_store_update_refuses_fields_that_are_fixed(user):
    store = StoreFactory(currency="EUR", name="Old")
    with pytest.raises(TypeError, match="currency, slug"):
        services.store_update(
            store=store,
            name="New",
            currency="USD",  # type: ignore[call-arg]
            slug="x",
        )
    store.refresh_from_db()
    assert (store.name, store.currency) == ("Old", "EUR")
    assert store.slug != "x"


@pytest.mark.django_db
def test_removing_a_manager_never_needs_another_owner(user):
    membership = MembershipFactory(role="manager")
    services.membership_remove(membership=membership)
    assert not Membership.objects.filter(pk=membership.pk).exists()


@pytest.mark.django_db
def test_removing_the_last_owner_is_refused(user):
    membership = MembershipFactory(role="owner")
    with pytest.raises(ConflictError) as excinfo:
        services.membership_remove(membership=membership)
    assert excinfo.value.code == "last_owner"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attempt", range(5))
def test_two_owners_removing_each_other_at_once_leave_one_owner(attempt):
    """Without the store row lock both removals would see another owner and pass."""
    store = StoreFactory()
    first = MembershipFactory(store=store, role="owner")
    second = MembershipFactory(store=store, role="owner")

    outcomes = run_concurrently(
        lambda: services.membership_remove(membership=first),
        lambda: services.membership_remove(membership=second),
    )

    assert sorted(outcomes) == ["last_owner", "ok"]
    assert Membership.objects.filter(store=store, role="owner").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_demotions_of_all_owners_keep_one_owner():
    store = StoreFactory()
    owners = [MembershipFactory(store=store, role="owner") for _ in range(4)]

    outcomes = run_concurrently(
        *[
            (lambda m=m: services.membership_change_role(membership=m, role="staff"))
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


@pytest.mark.django_db
def test_rotating_the_webhook_secret_keeps_the_replaced_one_as_previous(user):
    store = StoreFactory()
    old = store.webhook_secret
    before = timezone.now()
    rotated = services.store_webhook_secret_rotate(store=store, actor=user)
    store.refresh_from_db()
    assert store.webhook_secret == rotated.webhook_secret != old
    assert store.webhook_secret.startswith("whsec_")
    assert store.previous_webhook_secret == old
    assert store.webhook_secret_rotated_at >= before


@pytest.mark.django_db
def test_the_previous_secret_counts_until_the_grace_period_ends(user, settings):
    store = services.store_webhook_secret_rotate(store=StoreFactory(), actor=user)
    rotated_at = store.webhook_secret_rotated_at
    until = rotated_at + settings.WEBHOOK_SECRET_GRACE
    during = store_webhook_secrets(store=store, now=until - timedelta(seconds=1))
    assert (during.previous, during.previous_valid_until) == (
        store.previous_webhook_secret,
        until,
    )
    after = store_webhook_secrets(store=store, now=until)
    assert (after.current, after.previous, after.previous_valid_until) == (
        store.webhook_secret,
        None,
        None,
    )


@pytest.mark.django_db
def test_a_store_never_rotated_has_no_previous_secret():
    store = StoreFactory()
    secrets = store_webhook_secrets(store=store)
    assert (secrets.current, secrets.previous) == (store.webhook_secret, None)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attempt", range(3))
def test_concurrent_rotations_leave_every_returned_secret_valid(attempt):
    """Without the row lock both would keep the original as previous: one
    caller would be handed a secret that no longer verifies anything."""
    store = StoreFactory()
    original = store.webhook_secret
    actor = UserFactory()
    handed_out = []

    def rotate():
        rotated = services.store_webhook_secret_rotate(store=store, actor=actor)
        handed_out.append(rotated.webhook_secret)

    assert run_concurrently(rotate, rotate) == ["ok", "ok"]
    store.refresh_from_db()
    assert {store.webhook_secret, store.previous_webhook_secret} == set(handed_out)
    assert original not in handed_out


@pytest.mark.django_db
def test_store_update_checks_if_match_against_the_locked_row():
    store = StoreFactory()
    assert_if_match_guards(
        store,
        "name",
        lambda if_match: services.store_update(
            store=store, if_match=if_match, low_stock_threshold=3
        ),
    )
