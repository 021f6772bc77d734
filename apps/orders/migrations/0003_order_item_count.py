"""Add ``Order.item_count``, empty: the expand step (docs/migrations.md).

A nullable column with no default is a change of the catalog only: PostgreSQL
takes its ACCESS EXCLUSIVE lock for milliseconds and rewrites nothing. The
release still serving does not know the column and inserts orders without it,
which a nullable column accepts. The release shipped with this migration
writes it on every new order; 0004 fills the older ones.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0002_order_number_sequence"),
    ]

    operations = [
        migrations.AddField(
            model_name="order",
            name="item_count",
            field=models.PositiveIntegerField(
                help_text="Units on the order: its lines' quantities added up.",
                null=True,
            ),
        ),
    ]
