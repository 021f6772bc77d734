"""Customer services: the invariants hold whoever calls them (API, admin, tasks)."""

import pytest

from apps.core.exceptions import ConflictError, ValidationFailed
from apps.core.testing import run_concurrently
from apps.customers import services
from apps.customers.models import Address, Customer
from apps.stores.tests.factories import StoreFactory
from apps.users.tests.factories import UserFactory

from .factories import AddressFactory, CustomerFactory

pytestmark = pytest.mark.django_db


def test_customer_create_stores_the_email_lower_case(user, store):
    customer = services.customer_create(
        store=store, actor=user, email="  Mixed.Case@Example.COM "
    )
    assert customer.email == "mixed.case@example.com"
    assert customer.user is None


def test_customer_create_refuses_an_email_of_the_store_in_any_casing(user, store):
    CustomerFactory(store=store, email="one@example.com")
    with pytest.raises(ValidationFailed) as excinfo:
        services.customer_create(store=store, actor=user, email="ONE@example.com")
    assert excinfo.value.errors[0]["field"] == "email"
    assert Customer.objects.filter(store=store).count() == 1


def test_the_database_refuses_a_duplicate_email_even_without_the_service(store):
    from django.db import IntegrityError, transaction

    CustomerFactory(store=store, email="one@example.com")
    with pytest.raises(IntegrityError), transaction.atomic():
        CustomerFactory(store=store, email="One@Example.com")


def test_customer_update_changes_only_contact_fields(user, store):
    customer = CustomerFactory(store=store)
    other_store = StoreFactory()
    services.customer_update(
        customer=customer,
        actor=user,
        first_name="Kim",
        store=other_store,
        user=user,
        email="KIM@example.com",
    )
    customer.refresh_from_db()
    assert (customer.first_name, customer.email) == ("Kim", "kim@example.com")
    assert (customer.store, customer.user) == (store, None)


def test_customer_register_creates_a_customer_from_the_account(store):
    user = UserFactory(first_name="Ada", last_name="L")
    customer = services.customer_register(store=store, user=user)
    assert (customer.user, customer.email, customer.first_name) == (
        user,
        user.email,
        "Ada",
    )


def test_customer_register_never_takes_over_a_customer_with_the_same_email(store):
    user = UserFactory(email="ada@example.com", first_name="Ada")
    existing = CustomerFactory(store=store, email="ADA@example.com")
    with pytest.raises(ConflictError) as excinfo:
        services.customer_register(store=store, user=user)
    assert excinfo.value.code == "customer_email_taken"
    existing.refresh_from_db()
    assert existing.user is None


def test_customer_register_twice_is_a_conflict(store):
    user = UserFactory()
    services.customer_register(store=store, user=user)
    with pytest.raises(ConflictError) as excinfo:
        services.customer_register(store=store, user=user)
    assert excinfo.value.code == "already_customer"


def test_address_create_upper_cases_the_country(user):
    address = services.address_create(
        customer=CustomerFactory(), actor=user, line1="1", city="Oslo", country="no"
    )
    assert (address.country, address.kind) == ("NO", Address.Kind.SHIPPING)


def test_address_create_stops_at_the_limit(user):
    customer = CustomerFactory()
    AddressFactory.create_batch(services.ADDRESS_LIMIT, customer=customer)
    with pytest.raises(ConflictError) as excinfo:
        services.address_create(
            customer=customer, actor=user, line1="1", city="c", country="FR"
        )
    assert excinfo.value.code == "address_limit_reached"


def test_address_update_changes_only_address_fields(user):
    address = AddressFactory()
    other = CustomerFactory()
    services.address_update(address=address, actor=user, country="de", customer=other)
    address.refresh_from_db()
    assert address.country == "DE"
    assert address.customer != other


def test_address_delete_removes_only_that_address(user):
    address, kept = AddressFactory(), AddressFactory()
    services.address_delete(address=address, actor=user)
    assert list(Address.objects.all()) == [kept]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_address_creations_never_pass_the_limit():
    customer = CustomerFactory()
    AddressFactory.create_batch(services.ADDRESS_LIMIT - 2, customer=customer)
    actor = UserFactory()

    def add():
        services.address_create(
            customer=customer, actor=actor, line1="1", city="c", country="FR"
        )

    outcomes = run_concurrently(*[add for _ in range(6)])
    assert sorted(outcomes) == ["address_limit_reached"] * 4 + ["ok"] * 2
    assert customer.addresses.count() == services.ADDRESS_LIMIT


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_registrations_of_one_user_make_one_customer():
    store = StoreFactory()
    user = UserFactory()
    outcomes = run_concurrently(
        *[lambda: services.customer_register(store=store, user=user)] * 4
    )
    assert sorted(outcomes) == ["already_customer"] * 3 + ["ok"]
    assert Customer.objects.filter(store=store, user=user).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_staff_creates_with_one_email_make_one_customer():
    store = StoreFactory()
    actor = UserFactory()
    outcomes = run_concurrently(
        *[
            lambda: services.customer_create(
                store=store, actor=actor, email="same@example.com"
            )
        ]
        * 4
    )
    assert sorted(outcomes) == ["ok"] + ["validation_error"] * 3
    assert Customer.objects.filter(store=store).count() == 1
