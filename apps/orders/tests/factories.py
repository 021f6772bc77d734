"""Orders for tests, placed through the service so stock and ledger agree."""

from typing import Any

from apps.customers.models import Customer
from apps.customers.tests.factories import CustomerFactory
from apps.orders.models import Order
from apps.orders.services import OrderLine, order_place
from apps.products.tests.factories import ProductFactory
from apps.stores.models import Store
from apps.stores.selectors import StoreAccess
from apps.stores.tests.factories import MembershipFactory, StoreFactory

ADDRESS = {"line1": "1 Main St", "city": "Lyon", "country": "FR"}


def place_order(
    *,
    store: Store | None = None,
    customer: Customer | None = None,
    products: list[tuple[Any, int]] | None = None,
) -> Order:
    """A pending order placed by a manager of the store for ``customer``."""
    store = store or (customer.store if customer else StoreFactory())
    customer = customer or CustomerFactory(store=store)
    products = products or [(ProductFactory(store=store, stock=10), 1)]
    manager = MembershipFactory(store=store, role="manager").user
    return order_place(
        access=StoreAccess(store=store, role="manager", user=manager),
        lines=[OrderLine(product_id=p.pk, quantity=q) for p, q in products],
        customer_id=customer.pk,
        shipping_address=ADDRESS,
    )
