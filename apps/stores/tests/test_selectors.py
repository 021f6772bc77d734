"""Store resolution: the statement written as SQL answers what the ORM would."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.utils import timezone

from apps.stores.models import Membership, Store
from apps.stores.selectors import store_id_by_slug, store_resolve
from apps.users.tests.factories import UserFactory

from .factories import MembershipFactory, StoreFactory


def _fields(store: Store) -> dict:
    return {f.attname: getattr(store, f.attname) for f in Store._meta.concrete_fields}


@pytest.mark.django_db
def test_the_store_comes_back_as_the_orm_loads_it():
    store = StoreFactory(webhook_secret_rotated_at=timezone.now() - timedelta(hours=1))
    access = store_resolve(slug=store.slug, user=None)
    loaded = Store.objects.get(pk=store.pk)
    assert _fields(access.store) == _fields(
        loaded
    )  # values and types, column by column
    assert all(
        type(getattr(access.store, name)) is type(value)
        for name, value in _fields(loaded).items()
    )


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Membership.Role.OWNER, Membership.Role.STAFF])
def test_a_member_gets_their_role(role):
    membership = MembershipFactory(role=role)
    access = store_resolve(slug=membership.store.slug, user=membership.user)
    assert access.role == role
    assert access.is_member
    assert access.user == membership.user


@pytest.mark.django_db
def test_a_signed_in_stranger_and_an_anonymous_caller_have_no_role():
    store = StoreFactory()
    MembershipFactory(store=store)  # someone else's membership
    MembershipFactory(user=(stranger := UserFactory()))  # a role in another store
    for user in (stranger, AnonymousUser(), None):
        access = store_resolve(slug=store.slug, user=user)
        assert access.store.pk == store.pk
        assert access.role is None
        assert not access.is_member
    assert store_resolve(slug=store.slug, user=stranger).user == stranger
    assert store_resolve(slug=store.slug, user=AnonymousUser()).user is None


@pytest.mark.django_db
@pytest.mark.parametrize("slug", ["missing", "NOT A SLUG", "x' OR '1'='1", ""])
def test_an_unknown_or_malformed_slug_is_404(slug):
    StoreFactory(slug="real")
    with pytest.raises(Http404):
        store_resolve(slug=slug, user=None)


@pytest.mark.django_db
def test_a_slug_names_its_store_id_as_a_uuid():
    store = StoreFactory()
    StoreFactory()  # another store
    found = store_id_by_slug(slug=store.slug)
    assert found == store.pk
    assert isinstance(found, type(store.pk))  # a UUID on SQLite as on PostgreSQL


@pytest.mark.django_db
@pytest.mark.parametrize("slug", ["missing", "NOT A SLUG", "x' OR '1'='1", ""])
def test_an_unknown_or_malformed_slug_names_no_store(slug):
    StoreFactory(slug="real")
    assert store_id_by_slug(slug=slug) is None


@pytest.mark.django_db
def test_a_found_store_id_is_remembered_for_the_set_seconds(
    settings, monkeypatch, django_assert_num_queries
):
    from apps.stores import selectors

    settings.STORE_ID_MEMORY_SECONDS = 5
    store = StoreFactory()
    clock = [1000.0]
    monkeypatch.setattr(selectors.time, "monotonic", lambda: clock[0])
    with django_assert_num_queries(1):
        assert store_id_by_slug(slug=store.slug) == store.pk
        assert store_id_by_slug(slug=store.slug) == store.pk
        assert selectors.store_id_remembered(slug=store.slug) == store.pk
    clock[0] += 5
    assert selectors.store_id_remembered(slug=store.slug) is None
    with django_assert_num_queries(1):
        assert store_id_by_slug(slug=store.slug) == store.pk


@pytest.mark.django_db
def test_unknown_slugs_are_not_remembered_and_the_table_is_bounded(
    settings, monkeypatch, django_assert_num_queries
):
    from apps.stores import selectors

    settings.STORE_ID_MEMORY_SECONDS = 60
    with django_assert_num_queries(2):
        assert store_id_by_slug(slug="nobody-here") is None
        assert store_id_by_slug(slug="nobody-here") is None
    assert selectors._store_ids == {}
    monkeypatch.setattr(selectors, "_STORE_IDS_KEPT", 2)
    stores = StoreFactory.create_batch(3)
    for store in stores:
        store_id_by_slug(slug=store.slug)
    assert list(selectors._store_ids) == [stores[2].slug]  # full: started again


@pytest.mark.django_db
def test_with_no_memory_every_lookup_reads_the_store(
    settings, django_assert_num_queries
):
    settings.STORE_ID_MEMORY_SECONDS = 0
    store = StoreFactory()
    with django_assert_num_queries(2):
        store_id_by_slug(slug=store.slug)
        store_id_by_slug(slug=store.slug)
