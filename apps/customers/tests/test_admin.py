"""The customers admin: statistics columns, per-store access, bounded queries."""

import pytest
from django.contrib.auth.models import Permission

from apps.core.testing import assert_request_queries, count_queries
from apps.customers.models import Address, Customer
from apps.stores.tests.factories import MembershipFactory, StoreFactory
from apps.users.tests.factories import UserFactory

from .factories import AddressFactory, CustomerFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/customers/customer/"


@pytest.fixture
def superuser_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def staff_user():
    """An admin user with the customer permissions, but no store yet."""
    user = UserFactory(is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="customers",
            codename__in=[
                "view_customer",
                "change_customer",
                "add_customer",
                "view_address",
                "add_address",
                "change_address",
                "delete_address",
            ],
        )
    )
    return user


def _address_formset(prefix="addresses", total=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "20",
    }


def test_the_changelist_shows_statistics_columns(superuser_client):
    CustomerFactory(email="ada@example.com")
    content = superuser_client.get(CHANGELIST).content.decode()
    for column in ("column-order_count", "column-total_spent", "column-tier"):
        assert column in content
    assert "0.00 EUR" in content
    assert "bronze" in content


@pytest.mark.parametrize("column", ["order_count", "total_spent", "tier"])
def test_the_statistics_columns_are_sortable(superuser_client, column):
    CustomerFactory.create_batch(3)
    index = [
        "email",
        "first_name",
        "last_name",
        "store",
        "order_count",
        "total_spent",
        "tier",
        "created_at",
    ].index(column)
    for direction in ("", "-"):
        response = superuser_client.get(f"{CHANGELIST}?o={direction}{index + 1}")
        assert response.status_code == 200
        assert len(response.context["cl"].result_list) == 3
    assert f'class="sortable column-{column}' in response.content.decode()


def test_search_by_email_and_names(superuser_client):
    CustomerFactory(email="ada@example.com", first_name="Ada", last_name="Lovelace")
    CustomerFactory(email="bob@example.com", first_name="Bob", last_name="Marley")
    for term in ("ADA@", "lovelace", "Ada"):
        results = superuser_client.get(f"{CHANGELIST}?q={term}").context["cl"]
        assert [c.email for c in results.result_list] == ["ada@example.com"]


def test_the_changelist_query_count_does_not_grow(superuser_client):
    CustomerFactory()
    first = _count(superuser_client)
    for _ in range(20):
        CustomerFactory()
    assert _count(superuser_client) == first
    assert_request_queries(superuser_client, CHANGELIST, expected=first)


def test_the_changelist_of_a_member_runs_a_fixed_number_of_queries_too(
    client, staff_user
):
    store = MembershipFactory(user=staff_user, role="manager").store
    client.force_login(staff_user)
    CustomerFactory(store=store)
    first = _count(client)
    CustomerFactory.create_batch(20, store=store)
    assert _count(client) == first


def _count(client):
    queries, response = count_queries(lambda: client.get(CHANGELIST))
    assert response.status_code == 200
    return queries


def test_a_member_sees_only_the_customers_of_their_stores(client, staff_user):
    mine = CustomerFactory(
        store=MembershipFactory(user=staff_user, role="staff").store,
        email="mine@example.com",
    )
    theirs = CustomerFactory(
        store=StoreFactory(name="Hidden Store"), email="theirs@example.com"
    )
    client.force_login(staff_user)
    content = client.get(CHANGELIST).content.decode()
    assert "mine@example.com" in content
    assert "theirs@example.com" not in content
    assert "Hidden Store" not in content  # nor in the store filter
    assert client.get(f"{CHANGELIST}{theirs.pk}/change/").status_code == 302
    assert client.get(f"{CHANGELIST}{mine.pk}/change/").status_code == 200


def test_staff_members_read_but_managers_change_customers(client, staff_user):
    read_only = CustomerFactory(
        store=MembershipFactory(user=staff_user, role="staff").store
    )
    writable = CustomerFactory(
        store=MembershipFactory(user=staff_user, role="manager").store
    )
    client.force_login(staff_user)
    staff_page = client.get(f"{CHANGELIST}{read_only.pk}/change/").content.decode()
    manager_page = client.get(f"{CHANGELIST}{writable.pk}/change/").content.decode()
    assert 'name="_save"' not in staff_page
    assert 'name="_save"' in manager_page
    response = client.post(
        f"{CHANGELIST}{read_only.pk}/change/",
        {"email": "taken-over@example.com", **_address_formset()},
    )
    assert response.status_code == 403
    read_only.refresh_from_db()
    assert read_only.email != "taken-over@example.com"


def test_a_member_adds_customers_only_to_stores_they_manage(client, staff_user):
    managed = MembershipFactory(user=staff_user, role="manager").store
    staffed = MembershipFactory(user=staff_user, role="staff").store
    StoreFactory()  # not theirs at all
    client.force_login(staff_user)
    form = client.get(f"{CHANGELIST}add/").context["adminform"].form
    assert list(form.fields["store"].queryset) == [managed]

    response = client.post(
        f"{CHANGELIST}add/",
        {"store": str(staffed.pk), "email": "x@example.com", **_address_formset()},
    )
    assert response.status_code == 200  # shown again: not a valid choice
    assert not Customer.objects.exists()


def test_the_admin_keeps_emails_lower_case_and_unique_per_store(superuser_client):
    store = StoreFactory()
    CustomerFactory(store=store, email="taken@example.com")
    data = {"store": str(store.pk), "email": "TAKEN@example.com", **_address_formset()}
    response = superuser_client.post(f"{CHANGELIST}add/", data)
    assert response.status_code == 200
    assert "already uses this email" in response.content.decode()

    data["email"] = "New.One@Example.com"
    response = superuser_client.post(f"{CHANGELIST}add/", data)
    assert response.status_code == 302
    assert Customer.objects.filter(store=store, email="new.one@example.com").exists()


def test_addresses_are_edited_inline_with_a_list_of_countries(superuser_client):
    customer = CustomerFactory()
    AddressFactory(customer=customer)
    page = superuser_client.get(f"{CHANGELIST}{customer.pk}/change/")
    assert '<option value="NO">Norway</option>' in page.content.decode()
    data = {
        "email": customer.email,
        "first_name": "",
        "last_name": "",
        "phone": "",
        **_address_formset(total=1),
        "addresses-0-kind": "billing",
        "addresses-0-line1": "9 Kongens Gate",
        "addresses-0-city": "Oslo",
        "addresses-0-country": "NO",
    }
    response = superuser_client.post(f"{CHANGELIST}{customer.pk}/change/", data)
    assert response.status_code == 302
    assert list(
        customer.addresses.values_list("country", flat=True).order_by("id")
    ) == [
        "FR",
        "NO",
    ]


@pytest.mark.parametrize("country", ["XX", "no", ""])
def test_the_admin_refuses_a_country_off_the_list(superuser_client, country):
    customer = CustomerFactory()
    data = {
        "email": customer.email,
        **_address_formset(total=1),
        "addresses-0-line1": "9 Kongens Gate",
        "addresses-0-city": "Oslo",
        "addresses-0-kind": "shipping",
        "addresses-0-country": country,
    }
    response = superuser_client.post(f"{CHANGELIST}{customer.pk}/change/", data)
    assert response.status_code == 200
    assert 'class="errorlist' in response.content.decode()
    assert not Address.objects.filter(customer=customer).exists()


def test_only_superusers_delete_customers(client, staff_user):
    customer = CustomerFactory(
        store=MembershipFactory(user=staff_user, role="owner").store
    )
    staff_user.user_permissions.add(Permission.objects.get(codename="delete_customer"))
    client.force_login(staff_user)
    assert client.post(f"{CHANGELIST}{customer.pk}/delete/").status_code == 403
    assert Customer.objects.filter(pk=customer.pk).exists()
