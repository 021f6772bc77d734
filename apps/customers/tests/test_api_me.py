"""A user's own customer profile in a store: join, read, update, addresses."""

import pytest

from apps.core.testing import assert_request_queries
from apps.customers.models import Address, Customer
from apps.customers.services import ADDRESS_LIMIT
from apps.stores.tests.factories import StoreFactory
from apps.users.tests.factories import UserFactory

from .factories import AddressFactory, CustomerFactory

pytestmark = pytest.mark.django_db


def _me(store):
    return f"/api/v1/stores/{store.slug}/customers/me/"


def _my_addresses(store):
    return f"{_me(store)}addresses/"


@pytest.fixture
def shopper(db):
    return UserFactory(email="shay@example.com", first_name="Shay", last_name="Lee")


def test_a_user_becomes_a_customer_from_their_account(auth_client, shopper, store):
    response = auth_client(shopper).post(_me(store))
    assert response.status_code == 201
    body = response.json()
    assert (body["email"], body["first_name"], body["last_name"]) == (
        "shay@example.com",
        "Shay",
        "Lee",
    )
    assert (body["has_account"], body["order_count"], body["tier"]) == (
        True,
        0,
        "bronze",
    )
    customer = Customer.objects.get(pk=body["id"])
    assert (customer.store, customer.user) == (store, shopper)


def test_becoming_a_customer_twice_is_a_conflict(auth_client, shopper, store):
    client = auth_client(shopper)
    assert client.post(_me(store)).status_code == 201
    again = client.post(_me(store))
    assert again.status_code == 409
    assert again.json()["code"] == "already_customer"
    assert Customer.objects.filter(user=shopper).count() == 1


def test_a_user_may_be_a_customer_of_several_stores(auth_client, shopper):
    client = auth_client(shopper)
    first, second = StoreFactory(), StoreFactory()
    assert client.post(_me(first)).status_code == 201
    assert client.post(_me(second)).status_code == 201
    assert client.get(_me(first)).json()["id"] != client.get(_me(second)).json()["id"]


def test_registering_never_claims_a_customer_staff_created_with_my_email(
    auth_client, shopper, store
):
    """Sign-up does not verify emails: taking over the profile would leak it."""
    phone_order = CustomerFactory(store=store, email="SHAY@example.com", phone="+33 1")
    AddressFactory(customer=phone_order)
    response = auth_client(shopper).post(_me(store))
    assert response.status_code == 409
    assert response.json()["code"] == "customer_email_taken"
    phone_order.refresh_from_db()
    assert phone_order.user is None
    assert auth_client(shopper).get(_my_addresses(store)).status_code == 404
    assert Customer.objects.filter(store=store).count() == 1


def test_a_customer_with_my_email_linked_to_another_account_is_a_conflict(
    auth_client, shopper, store
):
    CustomerFactory(store=store, email=shopper.email, user=UserFactory())
    response = auth_client(shopper).post(_me(store))
    assert response.status_code == 409
    assert response.json()["code"] == "customer_email_taken"
    assert not Customer.objects.filter(user=shopper).exists()


def test_register_takes_no_fields(auth_client, shopper, store):
    response = auth_client(shopper).post(_me(store), {"email": "other@example.com"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "unknown_field"
    assert not Customer.objects.exists()


def test_before_registering_there_is_no_profile_to_read_or_change(
    auth_client, shopper, store
):
    client = auth_client(shopper)
    assert client.get(_me(store)).status_code == 404
    assert client.patch(_me(store), {"first_name": "X"}).status_code == 404
    assert client.get(_my_addresses(store)).status_code == 404
    address = {"line1": "1", "city": "c", "country": "FR"}
    assert client.post(_my_addresses(store), address).status_code == 404
    assert not Customer.objects.exists()


def test_not_yet_a_customer_is_the_answer_of_an_unknown_store(auth_client, shopper):
    client = auth_client(shopper)
    store = StoreFactory()
    missing = client.get("/api/v1/stores/no-such-store/customers/me/")
    assert client.get(_me(store)).json() == missing.json()


def test_anonymous_callers_must_authenticate(api_client, store):
    assert api_client.get(_me(store)).status_code == 401
    assert api_client.post(_me(store)).status_code == 401


def test_a_store_member_can_also_be_its_customer(auth_client, member_of, store):
    manager = member_of(store, "manager")
    client = auth_client(manager)
    assert client.get(_me(store)).status_code == 404
    assert client.post(_me(store)).status_code == 201
    assert client.get(_me(store)).json()["email"] == manager.email


def test_a_customer_changes_their_names_and_phone_but_not_their_email(
    auth_client, shopper, store
):
    client = auth_client(shopper)
    client.post(_me(store))
    response = client.patch(_me(store), {"first_name": "Sky", "phone": "+44 20 7946"})
    assert response.status_code == 200
    assert (response.json()["first_name"], response.json()["phone"]) == (
        "Sky",
        "+44 20 7946",
    )
    refused = client.patch(_me(store), {"email": "else@example.com"})
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["field"] == "email"
    assert Customer.objects.get(user=shopper).email == "shay@example.com"


def test_a_shopper_is_not_a_member_and_cannot_use_the_back_office(
    auth_client, shopper, store
):
    own = CustomerFactory(store=store, user=shopper, email=shopper.email)
    client = auth_client(shopper)
    assert client.get(f"/api/v1/stores/{store.slug}/customers/").status_code == 404
    own_url = f"/api/v1/stores/{store.slug}/customers/{own.pk}/"
    assert client.get(own_url).status_code == 404


# --- My addresses ------------------------------------------------------------------


def test_a_customer_manages_their_own_addresses(auth_client, shopper, store):
    client = auth_client(shopper)
    client.post(_me(store))
    created = client.post(
        _my_addresses(store), {"line1": "1 Rue", "city": "Paris", "country": "FR"}
    )
    assert created.status_code == 201
    assert created.json()["country"] == "FR"
    url = f"{_my_addresses(store)}{created.json()['id']}/"
    assert client.get(url).json()["city"] == "Paris"
    assert client.patch(url, {"kind": "billing"}).json()["kind"] == "billing"
    assert [a["kind"] for a in client.get(_my_addresses(store)).json()] == ["billing"]
    assert client.delete(url).status_code == 204
    assert client.get(_my_addresses(store)).json() == []


def test_another_customers_address_is_not_found_through_me(auth_client, shopper, store):
    CustomerFactory(store=store, user=shopper, email=shopper.email)
    neighbour = AddressFactory(customer=CustomerFactory(store=store))
    client = auth_client(shopper)
    url = f"{_my_addresses(store)}{neighbour.pk}/"
    assert client.get(url).status_code == 404
    assert client.patch(url, {"city": "Stolen"}).status_code == 404
    assert client.delete(url).status_code == 404
    neighbour.refresh_from_db()
    assert neighbour.city != "Stolen"


def test_my_address_in_another_store_is_not_reachable_through_this_one(
    auth_client, shopper, store
):
    CustomerFactory(store=store, user=shopper, email=shopper.email)
    elsewhere = CustomerFactory(user=shopper, email=shopper.email)
    address = AddressFactory(customer=elsewhere)
    response = auth_client(shopper).get(f"{_my_addresses(store)}{address.pk}/")
    assert response.status_code == 404


def test_my_addresses_are_bounded_too(auth_client, shopper, store):
    customer = CustomerFactory(store=store, user=shopper, email=shopper.email)
    AddressFactory.create_batch(ADDRESS_LIMIT, customer=customer)
    response = auth_client(shopper).post(
        _my_addresses(store), {"line1": "1", "city": "c", "country": "FR"}
    )
    assert response.status_code == 409
    assert response.json()["code"] == "address_limit_reached"
    assert Address.objects.filter(customer=customer).count() == ADDRESS_LIMIT


def test_me_and_my_addresses_run_a_fixed_number_of_queries(auth_client, shopper, store):
    customer = CustomerFactory(store=store, user=shopper, email=shopper.email)
    client = auth_client(shopper)
    # user with store + role, my customer with statistics
    assert_request_queries(client, _me(store), expected=2)
    AddressFactory(customer=customer)
    # ... and the addresses
    assert_request_queries(client, _my_addresses(store), expected=3)
    AddressFactory.create_batch(ADDRESS_LIMIT - 1, customer=customer)
    response = assert_request_queries(client, _my_addresses(store), expected=3)
    assert len(response.json()) == ADDRESS_LIMIT
