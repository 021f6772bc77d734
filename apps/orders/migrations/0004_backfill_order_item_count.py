"""Backfill ``Order.item_count`` for the orders placed before it existed.

The backfill step of expand -> backfill -> contract (docs/migrations.md). The
release that added the column (0003) writes it on every new order, so only
older orders are empty. They are filled in batches of ``BATCH_SIZE``, each in
a transaction of its own: a batch locks its rows for milliseconds, while one
UPDATE over the whole table would hold every row lock until the end and
block the payments and shipments of those orders meanwhile.

The migration is not atomic (``atomic = False``) so that each batch commits; if
it stops halfway, running it again finishes the rows still empty.

Going back is a no-op: the counts written are true, and 0003's reverse drops
the column anyway.
"""

from django.db import migrations, transaction
from django.db.models import OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce

BATCH_SIZE = 1000


def backfill_item_count(apps, schema_editor):
    Order = apps.get_model("orders", "Order")
    OrderItem = apps.get_model("orders", "OrderItem")
    units = (
        OrderItem.objects.filter(order=OuterRef("pk"))
        .values("order")
        .annotate(units=Sum("quantity"))
        .values("units")
    )
    while True:
        with transaction.atomic(using=schema_editor.connection.alias):
            # The primary key walks the empty rows in order; an order with no
            # line (none is placed that way) counts 0 rather than staying empty.
            batch = list(
                Order.objects.filter(item_count__isnull=True)
                .order_by("pk")
                .values_list("pk", flat=True)[:BATCH_SIZE]
            )
            if not batch:
                return
            Order.objects.filter(pk__in=batch, item_count__isnull=True).update(
                item_count=Coalesce(Subquery(units), 0)
            )


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("orders", "0003_order_item_count")]

    operations = [
        migrations.RunPython(
            backfill_item_count, migrations.RunPython.noop, elidable=False
        )
    ]
