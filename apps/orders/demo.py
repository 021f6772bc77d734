"""Demo orders of the demo store, in several states.

Placed and moved through the services (stock taken through the ledger, events
on the timeline), by the demo manager for the demo customers. Idempotent: when
the demo store has orders already, nothing is placed again.
"""

from django.contrib.auth.models import Group, Permission

from apps.customers.models import Customer
from apps.products.models import Product
from apps.stores.demo import ADMIN_GROUP, DEMO_STORE_SLUG
from apps.stores.models import Store
from apps.stores.selectors import StoreAccess
from apps.users.models import User

from . import services
from .models import Order

DEMO_MANAGER_EMAIL = "manager@orderly.test"

# customer email, (product index, quantity) lines, verbs applied after placing
DEMO_ORDERS = [
    ("shopper@orderly.test", [(0, 2), (3, 1)], []),
    ("shopper@orderly.test", [(5, 1)], ["pay", "ship", "deliver"]),
    ("ines.moreau@example.com", [(1, 3)], ["pay"]),
    ("ines.moreau@example.com", [(2, 1), (7, 2)], ["pay", "ship"]),
    ("tom.becker@example.com", [(4, 1)], ["cancel"]),
    ("aiko.sato@example.com", [(6, 2)], ["pay", "ship", "deliver", "refund"]),
    ("lucia.romano@example.com", [(8, 12), (9, 6)], ["pay", "ship", "deliver"]),
]

ADMIN_GROUP_PERMISSIONS = ["view_order", "change_order", "view_paymentevent"]


def _apply(order: Order, verb: str, actor: User) -> Order:
    if verb == "pay":
        return services.order_pay(order=order, actor=actor, data={"method": "offline"})
    if verb == "ship":
        return services.order_ship(
            order=order, actor=actor, carrier="La Poste", tracking_number="6A10001"
        )
    if verb == "deliver":
        return services.order_deliver(order=order, actor=actor)
    if verb == "cancel":
        return services.order_cancel(order=order, actor=actor, reason="Demo")
    return services.order_refund(order=order, actor=actor, reason="Demo")


def seed() -> list[str]:
    """Place the demo orders once; return lines to print."""
    store = Store.objects.get(slug=DEMO_STORE_SLUG)
    group = Group.objects.get(name=ADMIN_GROUP)
    group.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="orders", codename__in=ADMIN_GROUP_PERMISSIONS
        )
    )
    if not Order.objects.filter(store=store).exists():
        manager = User.objects.get(email=DEMO_MANAGER_EMAIL)
        access = StoreAccess(store=store, role="manager", user=manager)
        products = list(
            Product.objects.filter(store=store, deleted_at__isnull=True, is_active=True)
            .filter(stock_quantity__gte=20)
            .order_by("sku")
        )
        for email, lines, verbs in DEMO_ORDERS:
            customer = Customer.objects.get(store=store, email=email)
            address = customer.addresses.order_by("id").first()
            order = services.order_place(
                access=access,
                lines=[
                    services.OrderLine(product_id=products[i].pk, quantity=q)
                    for i, q in lines
                ],
                customer_id=customer.pk,
                shipping_address_id=address.pk if address else None,
            )
            for verb in verbs:
                order = _apply(order, verb, manager)
    count = Order.objects.filter(store=store).count()
    return [f"  orders: {count} in the demo store, in every state", ""]
