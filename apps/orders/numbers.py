"""Order numbers: unique within a store, readable, taken without a store lock.

On PostgreSQL a number comes from one sequence shared by every store
(``nextval`` is not rolled back and holds no lock until commit), so numbers
increase and a store's numbers have gaps. On SQLite, which writes one
transaction at a time, the next number is read from the table: the placement
has already written its stock movements, so it holds SQLite's write lock.
"""

from django.db import connection
from django.db.models import Max

from .models import Order

SEQUENCE = "orders_order_number_seq"
FIRST_NUMBER = 1001


def order_number_next() -> int:
    """A number no order has, to be used inside the placing transaction."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT nextval(%s)", [SEQUENCE])
            return int(cursor.fetchone()[0])
    highest = Order.objects.aggregate(highest=Max("number"))["highest"]
    return max(int(highest or 0) + 1, FIRST_NUMBER)
