"""The sequence that numbers orders on PostgreSQL (ADR 0028).

``nextval`` takes no lock that lasts until commit, so concurrent placements of
one store never wait for each other to get a number. SQLite has no sequences:
there the number is read from the table while the write lock that SQLite holds
for the whole transaction is taken (see ``apps.orders.numbers``).
"""

from django.db import migrations

SEQUENCE = "orders_order_number_seq"


def create_sequence(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"CREATE SEQUENCE IF NOT EXISTS {SEQUENCE} START 1001")


def drop_sequence(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP SEQUENCE IF EXISTS {SEQUENCE}")


class Migration(migrations.Migration):
    dependencies = [("orders", "0001_initial")]

    operations = [migrations.RunPython(create_sequence, drop_sequence)]
