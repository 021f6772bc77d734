"""Customer selectors: visibility, and statistics annotated in one query."""

from decimal import Decimal

import pytest
from django.db.models import DecimalField, Value
from django.test import override_settings

from apps.core.testing import count_queries
from apps.customers import selectors
from apps.customers.models import Customer
from apps.stores.tests.factories import MembershipFactory
from apps.users.tests.factories import UserFactory

from .factories import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("with_orders_app", [True, False])
def test_a_customer_without_orders_has_zero_statistics(
    store, monkeypatch, with_orders_app
):
    if not with_orders_app:  # customers works without the app that adds orders
        monkeypatch.setattr(selectors, "_orders_relation", lambda: None)
    CustomerFactory(store=store)
    member = MembershipFactory(store=store).user
    customer = selectors.customer_list(store=store, actor=member).get()
    assert customer.order_count == 0
    assert customer.total_spent == Decimal("0")
    assert isinstance(customer.total_spent, Decimal)
    assert customer.last_order_at is None
    assert customer.tier == "bronze"


def test_the_list_and_its_statistics_are_one_query(store):
    member = MembershipFactory(store=store).user
    CustomerFactory.create_batch(10, store=store)
    queries, customers = count_queries(
        lambda: [
            (c.store.currency, c.order_count, c.total_spent, c.tier)
            for c in selectors.customer_list(store=store, actor=member)
        ]
    )
    assert (queries, len(customers)) == (1, 10)


def test_the_annotations_can_be_filtered_and_sorted_on(store):
    member = MembershipFactory(store=store).user
    customers = CustomerFactory.create_batch(3, store=store)
    queryset = selectors.customer_list(store=store, actor=member)
    by_spending = queryset.order_by("-total_spent", "-order_count", "tier", "-id")
    assert list(by_spending) == list(reversed(customers))
    assert queryset.filter(tier="bronze", order_count=0).count() == 3
    assert not queryset.filter(tier="gold").exists()


def _tier_of(amount):
    money: DecimalField = DecimalField(max_digits=14, decimal_places=3)
    expression = selectors.tier_expression(Value(Decimal(amount), output_field=money))
    return Customer.objects.annotate(t=expression).values_list("t", flat=True).get()


@pytest.mark.parametrize(
    ("amount", "tier"),
    [
        ("0", "bronze"),
        ("99.999", "bronze"),
        ("100", "silver"),
        ("100.000", "silver"),
        ("499.99", "silver"),
        ("500", "gold"),
        ("1999.999", "gold"),
        ("2000", "platinum"),
        ("9999999", "platinum"),
    ],
)
def test_the_tier_is_decided_by_the_default_thresholds(amount, tier):
    CustomerFactory()
    assert _tier_of(amount) == tier


@override_settings(
    CUSTOMER_TIER_THRESHOLDS={"silver": "10", "gold": 20, "platinum": Decimal("30")}
)
@pytest.mark.parametrize(
    ("amount", "tier"),
    [("9.99", "bronze"), ("10", "silver"), ("25", "gold"), ("30", "platinum")],
)
def test_the_tier_thresholds_come_from_the_settings(amount, tier):
    CustomerFactory()
    assert _tier_of(amount) == tier


@override_settings(CUSTOMER_TIER_THRESHOLDS={"diamond": 1})
def test_an_unknown_tier_in_the_settings_is_refused():
    with pytest.raises(ValueError, match="diamond"):
        selectors.tier_thresholds()


def test_members_see_every_customer_of_their_store_only(store):
    member = MembershipFactory(store=store, role="staff").user
    mine = CustomerFactory.create_batch(2, store=store)
    CustomerFactory()  # another store's
    assert set(selectors.customer_list(store=store, actor=member)) == set(mine)


def test_a_non_member_sees_only_their_own_customer(store):
    user = UserFactory()
    own = CustomerFactory(store=store, user=user)
    CustomerFactory(store=store)
    assert list(selectors.customer_list(store=store, actor=user)) == [own]


def test_anonymous_callers_see_no_customer(store):
    from django.contrib.auth.models import AnonymousUser

    CustomerFactory(store=store)
    assert not selectors.customer_list(store=store, actor=AnonymousUser()).exists()


def test_customer_get_own_is_404_for_a_user_who_is_not_a_customer(store):
    from django.http import Http404

    with pytest.raises(Http404):
        selectors.customer_get_own(store=store, user=UserFactory())
