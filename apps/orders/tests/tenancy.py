"""Store-scoped endpoints of the orders app, for the tenancy matrix (tests/).

The target is a pending order of the shopper (a customer of store A). Members
read every order; the shopper reads and cancels their own; other verbs follow
the role table of ``apps.orders.rules`` (the pending order makes ship, deliver
and refund a 409 for the roles allowed to try). The outsider (owner of store B)
is not a customer of A: A's orders do not exist for them, and their list of
A's orders is empty.
"""

from apps.core.testing import expect, members_only
from apps.customers.models import Customer
from apps.customers.tests.factories import CustomerFactory
from apps.products.tests.factories import ProductFactory

from .factories import ADDRESS, place_order

PREFIX = "api/v1/stores/<str:store_slug>/orders/"
ORDERS = PREFIX
ORDER = PREFIX + "<uuid:order_id>/"
SUMMARY = PREFIX + "summary/"


def _verb(route: str) -> str:
    return ORDER + route + "/"


def on_own_order(*, owner: int, manager: int, staff: int, shopper: int) -> dict:
    return expect(
        owner=owner,
        manager=manager,
        staff=staff,
        shopper=shopper,
        outsider=404,
        anonymous=401,
    )


def _place(world):
    return {
        "lines": [{"product": str(world.params["product_id"]), "quantity": 1}],
        "customer": str(world.params["customer_of_a"]),
        "shipping_address": ADDRESS,
    }


WEBHOOK = "api/v1/stores/<str:store_slug>/payments/webhook/"

ENDPOINTS = [
    # Signed by the payment provider, whoever calls: unsigned is 400 for all.
    (
        "POST",
        WEBHOOK,
        lambda world: {"type": "payment.succeeded", "data": {}},
        expect(
            owner=400, manager=400, staff=400, shopper=400, outsider=400, anonymous=400
        ),
    ),
    (
        "GET",
        ORDERS,
        None,
        expect(
            owner=200, manager=200, staff=200, shopper=200, outsider=200, anonymous=401
        ),
    ),
    # Members order for a customer; shoppers may not name one (400).
    (
        "POST",
        ORDERS,
        _place,
        expect(
            owner=201, manager=201, staff=201, shopper=400, outsider=400, anonymous=401
        ),
    ),
    ("GET", ORDER, None, on_own_order(owner=200, manager=200, staff=200, shopper=200)),
    ("GET", SUMMARY, None, members_only(200, 200, 403)),
    (
        "POST",
        _verb("cancel"),
        None,
        on_own_order(owner=200, manager=200, staff=200, shopper=200),
    ),
    (
        "POST",
        _verb("pay"),
        None,
        on_own_order(owner=200, manager=200, staff=403, shopper=403),
    ),
    (
        "POST",
        _verb("ship"),
        None,
        on_own_order(owner=409, manager=409, staff=409, shopper=403),
    ),
    (
        "POST",
        _verb("deliver"),
        None,
        on_own_order(owner=409, manager=409, staff=409, shopper=403),
    ),
    (
        "POST",
        _verb("refund"),
        None,
        on_own_order(owner=409, manager=409, staff=403, shopper=403),
    ),
]


def build(world):
    shopper = Customer.objects.get(store=world.store_a, user=world.users["shopper"])
    product = ProductFactory(store=world.store_a, stock=50)
    world.params["product_id"] = product.pk
    world.params["customer_of_a"] = shopper.pk
    world.params["order_id"] = place_order(customer=shopper, products=[(product, 2)]).pk
    foreign = CustomerFactory(store=world.store_b)
    world.foreign["order_id"] = place_order(customer=foreign).pk
