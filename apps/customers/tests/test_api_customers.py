"""The back office's customers: list, filter, create, read, update, addresses."""

import pytest
from django.test import override_settings

from apps.core.testing import assert_request_queries
from apps.customers.models import Address, Customer
from apps.customers.services import ADDRESS_LIMIT
from apps.stores.tests.factories import StoreFactory

from .factories import AddressFactory, CustomerFactory

pytestmark = pytest.mark.django_db


def _customers(store):
    return f"/api/v1/stores/{store.slug}/customers/"


def _customer(customer):
    return f"{_customers(customer.store)}{customer.pk}/"


def _addresses(customer):
    return f"{_customer(customer)}addresses/"


@pytest.fixture
def owner(member_of, store):
    return member_of(store, "owner")


@pytest.fixture
def owner_client(auth_client, owner):
    return auth_client(owner)


# --- List and filters --------------------------------------------------------------


def test_list_shows_the_stores_customers_with_statistics_newest_first(
    owner_client, store
):
    older = CustomerFactory(store=store)
    newer = CustomerFactory(store=store)
    CustomerFactory()  # another store's
    response = owner_client.get(_customers(store))
    assert response.status_code == 200
    results = response.json()["results"]
    assert [c["id"] for c in results] == [str(newer.pk), str(older.pk)]
    assert results[0] | {"id": None, "created_at": None, "updated_at": None} == {
        "id": None,
        "email": newer.email,
        "first_name": newer.first_name,
        "last_name": newer.last_name,
        "phone": "",
        "has_account": False,
        "order_count": 0,
        "total_spent": "0.00",
        "currency": "EUR",
        "last_order_at": None,
        "tier": "bronze",
        "created_at": None,
        "updated_at": None,
    }


def test_total_spent_has_the_minor_unit_of_the_store_currency(auth_client, member_of):
    for currency, zero in (("JPY", "0"), ("KWD", "0.000")):
        store = StoreFactory(currency=currency)
        CustomerFactory(store=store)
        client = auth_client(member_of(store, "staff"))
        customer = client.get(_customers(store)).json()["results"][0]
        assert (customer["total_spent"], customer["currency"]) == (zero, currency)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("search=ALICE", ["alice"]),
        ("search=example.org", ["bob"]),
        ("search=Zimmer", ["bob"]),
        ("search=%20%20", ["alice", "bob"]),
        ("tier=bronze", ["alice", "bob"]),
        ("tier=gold", []),
        ("has_orders=false", ["alice", "bob"]),
        ("has_orders=true", []),
    ],
)
def test_list_filters_by_search_tier_and_orders(owner_client, store, query, expected):
    CustomerFactory(store=store, email="alice@example.com", first_name="Alice")
    CustomerFactory(store=store, email="bob@example.org", last_name="Zimmermann")
    response = owner_client.get(f"{_customers(store)}?{query}")
    assert response.status_code == 200
    names = sorted(c["email"].split("@")[0] for c in response.json()["results"])
    assert names == expected


@override_settings(CUSTOMER_TIER_THRESHOLDS={"silver": 0, "gold": 1, "platinum": 2})
def test_the_tier_filter_works_on_the_annotation(owner_client, store):
    CustomerFactory(store=store)
    silver = owner_client.get(f"{_customers(store)}?tier=silver").json()["results"]
    assert [c["tier"] for c in silver] == ["silver"]
    assert owner_client.get(f"{_customers(store)}?tier=bronze").json()["results"] == []


def test_an_unknown_tier_is_a_400_naming_the_parameter(owner_client, store):
    response = owner_client.get(f"{_customers(store)}?tier=diamond")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "tier"


def test_list_pages_through_every_customer_once(owner_client, store):
    customers = [CustomerFactory(store=store) for _ in range(7)]
    seen, url = [], f"{_customers(store)}?page_size=3"
    while url:
        body = owner_client.get(url).json()
        seen += [c["id"] for c in body["results"]]
        url = body["next"]
    assert seen == [str(c.pk) for c in reversed(customers)]


def test_list_query_count_does_not_grow_with_the_page(owner_client, store):
    CustomerFactory(store=store)
    # 1: the user behind the token with the store and the caller's role; 2: the
    # page, statistics and store included.
    assert_request_queries(owner_client, _customers(store), expected=2)
    for _ in range(30):
        CustomerFactory(store=store)
    response = assert_request_queries(
        owner_client, f"{_customers(store)}?page_size=30&search=customer", expected=2
    )
    assert len(response.json()["results"]) == 30


# --- Create and update -------------------------------------------------------------


@pytest.mark.parametrize("role", ["owner", "manager"])
def test_owners_and_managers_create_a_customer_without_an_account(
    auth_client, member_of, store, role
):
    response = auth_client(member_of(store, role)).post(
        _customers(store),
        {"email": "Phone.Order@Example.COM", "first_name": "Pat", "phone": "+1 555"},
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["email"], body["has_account"], body["tier"]) == (
        "phone.order@example.com",
        False,
        "bronze",
    )
    customer = Customer.objects.get(pk=body["id"])
    assert (customer.store, customer.user, customer.phone) == (store, None, "+1 555")


def test_staff_read_customers_but_may_not_write_them(auth_client, member_of, store):
    client = auth_client(member_of(store, "staff"))
    customer = CustomerFactory(store=store)
    assert client.get(_customer(customer)).status_code == 200
    assert client.get(_addresses(customer)).status_code == 200
    denied = [
        client.post(_customers(store), {"email": "x@example.com"}),
        client.patch(_customer(customer), {"first_name": "X"}),
        client.post(_addresses(customer), {"line1": "1", "city": "c", "country": "FR"}),
    ]
    assert [r.status_code for r in denied] == [403, 403, 403]
    assert {r.json()["code"] for r in denied} == {"permission_denied"}
    assert Customer.objects.filter(store=store).count() == 1
    assert not Address.objects.exists()


def test_an_email_used_in_the_store_in_any_casing_is_a_field_error(owner_client, store):
    CustomerFactory(store=store, email="taken@example.com")
    response = owner_client.post(_customers(store), {"email": "TAKEN@example.com"})
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "field": "email",
            "code": "unique",
            "message": "Another customer of this store already uses taken@example.com.",
        }
    ]


def test_the_same_email_may_be_a_customer_of_another_store(owner_client, store):
    CustomerFactory(email="shared@example.com")
    response = owner_client.post(_customers(store), {"email": "shared@example.com"})
    assert response.status_code == 201


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "email"),
        ({"email": "not-an-email"}, "email"),
        ({"email": "a@example.com", "first_name": "x" * 151}, "first_name"),
        ({"email": "a@example.com", "phone": "call me"}, "phone"),
        ({"email": "a@example.com", "user": "someone"}, "user"),
        ({"email": "a@example.com", "store": "other"}, "store"),
        ({"email": "a@example.com", "tier": "platinum"}, "tier"),
        ({"email": ["a@example.com"]}, "email"),
    ],
)
def test_invalid_customer_input_is_a_400_naming_the_field(
    owner_client, store, payload, field
):
    response = owner_client.post(_customers(store), payload, format="json")
    assert response.status_code == 400
    assert field in {e["field"] for e in response.json()["errors"]}
    assert not Customer.objects.exists()


def test_update_changes_contact_details_and_renders_statistics(owner_client, store):
    customer = CustomerFactory(store=store, email="old@example.com")
    response = owner_client.patch(
        _customer(customer), {"email": "New@Example.com", "last_name": "Doe"}
    )
    assert response.status_code == 200
    assert (response.json()["email"], response.json()["tier"]) == (
        "new@example.com",
        "bronze",
    )
    customer.refresh_from_db()
    assert (customer.email, customer.last_name) == ("new@example.com", "Doe")


def test_update_to_an_email_of_another_customer_is_refused(owner_client, store):
    CustomerFactory(store=store, email="taken@example.com")
    customer = CustomerFactory(store=store, email="mine@example.com")
    response = owner_client.patch(_customer(customer), {"email": "Taken@example.com"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "unique"
    customer.refresh_from_db()
    assert customer.email == "mine@example.com"


def test_keeping_ones_own_email_in_another_casing_is_allowed(owner_client, store):
    customer = CustomerFactory(store=store, email="mine@example.com")
    response = owner_client.patch(_customer(customer), {"email": "MINE@example.com"})
    assert response.status_code == 200


def test_a_customer_of_another_store_is_not_found(owner_client, store):
    foreign = CustomerFactory()
    url = f"{_customers(store)}{foreign.pk}/"
    assert owner_client.get(url).status_code == 404
    assert owner_client.patch(url, {"first_name": "X"}).status_code == 404
    assert owner_client.get(f"{url}addresses/").status_code == 404
    foreign.refresh_from_db()
    assert foreign.first_name != "X"


def test_a_non_uuid_customer_id_is_a_404(owner_client, store):
    assert owner_client.get(f"{_customers(store)}12345/").status_code == 404


# --- Addresses ---------------------------------------------------------------------


def test_owner_manages_a_customers_addresses(owner_client, store):
    customer = CustomerFactory(store=store)
    created = owner_client.post(
        _addresses(customer),
        {"kind": "billing", "line1": "5 Av. Foch", "city": "Paris", "country": "FR"},
    )
    assert created.status_code == 201
    body = created.json()
    assert (body["kind"], body["country"], body["line2"]) == ("billing", "FR", "")
    url = f"{_addresses(customer)}{body['id']}/"

    assert owner_client.get(url).json()["line1"] == "5 Av. Foch"
    changed = owner_client.patch(url, {"country": "BE", "postal_code": "1000"})
    assert (changed.json()["country"], changed.json()["postal_code"]) == ("BE", "1000")
    assert [a["id"] for a in owner_client.get(_addresses(customer)).json()] == [
        body["id"]
    ]

    assert owner_client.delete(url).status_code == 204
    assert not Address.objects.filter(pk=body["id"]).exists()
    assert owner_client.delete(url).status_code == 404


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"line1": "1", "city": "c"}, "country"),
        ({"line1": "1", "city": "c", "country": "XX"}, "country"),
        ({"line1": "1", "city": "c", "country": "FRA"}, "country"),
        ({"line1": "1", "city": "c", "country": "F"}, "country"),
        ({"line1": "1", "city": "c", "country": " FR"}, "country"),
        ({"line1": "1", "city": "c", "country": 33}, "country"),
        ({"line1": "1", "city": "c", "country": "FR", "kind": "home"}, "kind"),
        ({"city": "c", "country": "FR"}, "line1"),
        ({"line1": "1", "country": "FR"}, "city"),
        ({"line1": "x" * 201, "city": "c", "country": "FR"}, "line1"),
        ({"line1": "1", "city": "c", "country": "FR", "customer": "x"}, "customer"),
    ],
)
def test_invalid_address_input_is_a_400_naming_the_field(
    owner_client, store, payload, field
):
    customer = CustomerFactory(store=store)
    response = owner_client.post(_addresses(customer), payload, format="json")
    assert response.status_code == 400
    assert field in {e["field"] for e in response.json()["errors"]}
    assert not Address.objects.exists()


def test_an_unknown_country_says_which_codes_are_expected(owner_client, store):
    customer = CustomerFactory(store=store)
    response = owner_client.post(
        _addresses(customer), {"line1": "1", "city": "c", "country": "ZZ"}
    )
    assert response.json()["errors"][0]["code"] == "invalid_country"
    assert "ISO 3166-1 alpha-2" in response.json()["detail"]


@pytest.mark.parametrize("country", ["fr", "Fr", "fR"])
def test_a_country_in_lower_case_is_refused_with_its_upper_case_spelling(
    owner_client, store, country
):
    customer = CustomerFactory(store=store)
    response = owner_client.post(
        _addresses(customer), {"line1": "1", "city": "c", "country": country}
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    error = response.json()["errors"][0]
    assert (error["field"], error["code"]) == ("country", "invalid_country")
    assert error["message"] == (
        f"Country codes are upper case: send 'FR', not {country!r}."
    )
    assert not Address.objects.exists()


def test_a_customer_has_at_most_the_address_limit(owner_client, store):
    customer = CustomerFactory(store=store)
    AddressFactory.create_batch(ADDRESS_LIMIT, customer=customer)
    response = owner_client.post(
        _addresses(customer), {"line1": "1", "city": "c", "country": "FR"}
    )
    assert response.status_code == 409
    assert response.json()["code"] == "address_limit_reached"
    assert customer.addresses.count() == ADDRESS_LIMIT


def test_an_address_of_another_customer_or_store_is_not_found(owner_client, store):
    customer = CustomerFactory(store=store)
    neighbour = AddressFactory(customer=CustomerFactory(store=store))
    foreign = AddressFactory()
    for address in (neighbour, foreign):
        url = f"{_addresses(customer)}{address.pk}/"
        assert owner_client.get(url).status_code == 404
        assert owner_client.patch(url, {"city": "X"}).status_code == 404
        assert owner_client.delete(url).status_code == 404
        address.refresh_from_db()
        assert address.city != "X"


def test_address_list_query_count_does_not_grow_with_the_rows(owner_client, store):
    customer = CustomerFactory(store=store)
    AddressFactory(customer=customer)
    # user with store + role, the customer, the addresses
    assert_request_queries(owner_client, _addresses(customer), expected=3)
    AddressFactory.create_batch(ADDRESS_LIMIT - 1, customer=customer)
    response = assert_request_queries(owner_client, _addresses(customer), expected=3)
    assert len(response.json()) == ADDRESS_LIMIT


def test_staff_link_a_phone_order_customer_to_the_account_with_its_email(
    auth_client, member_of, store
):
    from apps.customers.tests.factories import CustomerFactory
    from apps.users.tests.factories import UserFactory

    manager = auth_client(member_of(store, "manager"))
    phone_order = CustomerFactory(store=store, email="walk.in@example.com")
    url = f"/api/v1/stores/{store.slug}/customers/{phone_order.pk}/link-account/"

    no_account = manager.post(url)
    assert (no_account.status_code, no_account.json()["code"]) == (409, "no_account")

    account = UserFactory(email="Walk.In@example.com")
    linked = manager.post(url)
    assert linked.status_code == 200
    phone_order.refresh_from_db()
    assert phone_order.user == account
    # The customer now reads their profile through me/.
    me = auth_client(account).get(f"/api/v1/stores/{store.slug}/customers/me/")
    assert me.json()["id"] == str(phone_order.pk)

    again = manager.post(url)
    assert (again.status_code, again.json()["code"]) == (409, "account_already_linked")


def test_staff_members_cannot_link_accounts(auth_client, member_of, store):
    from apps.customers.tests.factories import CustomerFactory
    from apps.users.tests.factories import UserFactory

    customer = CustomerFactory(store=store, email="x@example.com")
    UserFactory(email="x@example.com")
    url = f"/api/v1/stores/{store.slug}/customers/{customer.pk}/link-account/"
    assert auth_client(member_of(store, "staff")).post(url).status_code == 403
    customer.refresh_from_db()
    assert customer.user is None
