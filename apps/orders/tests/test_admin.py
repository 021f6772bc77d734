"""The orders admin: scoped lists and actions with the API's rules."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from apps.orders.models import Order
from apps.products.tests.factories import ProductFactory
from apps.stores.tests.factories import MembershipFactory, StoreFactory

from .factories import place_order

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:orders_order_changelist")


def _staff_client(client, store, role):
    user = MembershipFactory(store=store, role=role).user
    user.is_staff = True
    user.save()
    from django.contrib.auth.models import Permission

    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="orders")
    )
    client.force_login(user)
    return client


def _act(client, action, orders):
    response = client.post(
        CHANGELIST,
        {"action": action, "_selected_action": [str(o.pk) for o in orders]},
        follow=True,
    )
    assert response.status_code == 200
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_actions_follow_the_state_machine_and_say_which_order_was_refused(client):
    store = StoreFactory()
    product = ProductFactory(store=store, stock=10)
    pending = place_order(store=store, products=[(product, 1)])
    shipped = place_order(store=store, products=[(product, 1)])
    admin_client = _staff_client(client, store, "manager")
    _act(admin_client, "mark_paid", [shipped])
    _act(admin_client, "ship", [shipped])

    notes = _act(admin_client, "ship", [pending, shipped])

    assert any(
        f"#{pending.number}: Cannot ship an order that is pending" in n for n in notes
    )
    assert any(
        f"#{shipped.number}: Cannot ship an order that is shipped" in n for n in notes
    )
    pending.refresh_from_db()
    assert pending.status == Order.Status.PENDING
    assert shipped.events.filter(type="shipped").count() == 1


def test_staff_members_cannot_refund_from_the_admin_either(client):
    store = StoreFactory()
    order = place_order(store=store)
    _act(_staff_client(client, store, "manager"), "mark_paid", [order])
    client.logout()
    notes = _act(_staff_client(client, store, "staff"), "refund", [order])
    assert any("cannot refund" in n for n in notes)
    order.refresh_from_db()
    assert order.status == Order.Status.PAID


def test_the_list_shows_only_the_orders_of_the_users_stores(client):
    mine, theirs = StoreFactory(), StoreFactory()
    own = place_order(store=mine)
    place_order(store=theirs)
    response = _staff_client(client, mine, "staff").get(CHANGELIST)
    assert list(response.context["cl"].result_list) == [own]
    detail = client.get(reverse("admin:orders_order_change", args=[own.pk]))
    assert detail.status_code == 200
    assert own.items.get().sku in detail.content.decode()
