"""Customer services: the invariants hold whoever calls them (API, admin, tasks)."""

import pytest

from apps.core.exceptions import ConflictError, ValidationFailed
from apps.core.testing import assert_if_match_guards, run_concurrently
from apps.customers import services
from apps.customers.models import Address, Customer
from apps.stores.tests.factories import StoreFactory
from apps.users.tests.factories import UserFactory

from .factories import AddressFactory, CustomerFactory

pytestmark = pytest.mark.django_db


def test_customer_create_stores_the_email_lower_case(user, store):
    customer = services.customer_create(store=store, email="  Mixed.Case@Example.COM ")
    assert customer.email == "mixed.case@example.com"
    assert customer.user is None


def test_customer_create_refuses_an_email_of_the_store_in_any_casing(user, store):
    CustomerFactory(store=store, email="one@example.com")
    with pytest.raises(ValidationFailed) as excinfo:
        services.customer_create(store=store, email="ONE@example.com")
    assert excinfo.value.errors[0]["field"] == "email"
    assert Customer.objects.filter(store=store).count() == 1


def test_the_database_refuses_a_duplicate_email_even_without_the_service(store):
    from django.db import IntegrityError, transaction

    CustomerFactory(store=store, email="one@example.com")
    with pytest.raises(IntegrityError), transaction.atomic():
        CustomerFactory(store=store, email="One@Example.com")


def test_customer_update_changes_contact_fields(user, store):
    customer = CustomerFactory(store=store)
    services.customer_update(
        customer=customer, first_name="Kim", email="KIM@example.com"
    )
    customer.refresh_from_db()
    assert (customer.first_name, customer.email) == ("Kim", "kim@example.com")


def test_customer_update_refuses_any_other_field(user, store):
    customer = CustomerFactory(store=store, first_name="Ann")
    with pytest.raises(TypeError, match="store, user"):
        services.customer_update(
            customer=customer,
            first_name="Kim",
            store=StoreFactory(),  # type: ignore[call-arg]
            user=user,
        )
    customer.refresh_from_db()
    assert (customer.first_name, customer.store, customer.user) == ("Ann", store, None)


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
        customer=CustomerFactory(), line1="1", city="Oslo", country="no"
    )
    assert (address.country, address.kind) == ("NO", Address.Kind.SHIPPING)


def test_address_create_stops_at_the_limit(user):
    customer = CustomerFactory()
    AddressFactory.create_batch(services.ADDRESS_LIMIT, customer=customer)
    with pytest.raises(ConflictError) as excinfo:
        services.address_create(customer=customer, line1="1", city="c", country="FR")
    assert excinfo.value.code == "address_limit_reached"


def test_address_update_changes_address_fields(user):
    address = AddressFactory()
    services.address_update(address=address, country="de")
    address.refresh_from_db()
    assert address.country == "DE"


def test_address_update_refuses_a_misspelled_field(user):
    address = AddressFactory(city="Lyon")
    with pytest.raises(TypeError, match="citty"):
        services.address_update(
            address=address,
            citty="Paris",  # type: ignore[call-arg]
        )


def test_address_delete_removes_only_that_address(user):
    address, kept = AddressFactory(), AddressFactory()
    services.address_delete(address=address)
    assert list(Address.objects.all()) == [kept]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_address_creations_never_pass_the_limit():
    customer = CustomerFactory()
    AddressFactory.create_batch(services.ADDRESS_LIMIT - 2, customer=customer)

    def add():
        services.address_create(customer=customer, line1="1", city="c", country="FR")

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
    outcomes = run_concurrently(
        *[lambda: services.customer_create(store=store, email="same@example.com")] * 4
    )
    assert sorted(outcomes) == ["ok"] + ["validation_error"] * 3
    assert Customer.objects.filter(store=store).count() == 1


# --- If-Match: compared with the locked row -------------------------------------


@pytest.mark.parametrize(
    "write",
    [
        lambda item, if_match: services.customer_update(
            customer=item, if_match=if_match, phone="+33 1 23 45 67 89"
        ),
        lambda item, if_match: services.customer_link_account(
            customer=item, if_match=if_match
        ),
    ],
    ids=["update", "link_account"],
)
def test_customer_writes_check_if_match_against_the_locked_row(write):
    customer = CustomerFactory()
    UserFactory(email=customer.email)  # an account to link to
    assert_if_match_guards(customer, "first_name", lambda tag: write(customer, tag))


@pytest.mark.parametrize(
    "write",
    [
        lambda item, if_match: services.address_update(
            address=item, if_match=if_match, line2="Building B"
        ),
        lambda item, if_match: services.address_delete(address=item, if_match=if_match),
    ],
    ids=["update", "delete"],
)
def test_address_writes_check_if_match_against_the_locked_row(write):
    address = AddressFactory()
    assert_if_match_guards(address, "city", lambda tag: write(address, tag))
