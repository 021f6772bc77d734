"""Make ``Order.item_count`` NOT NULL: the contract step (docs/migrations.md).

It ships one release after 0003: by then every running process writes the
column on each new order, and 0004 has filled the older ones, so no row is
empty and no insert leaves it empty.

On PostgreSQL the zero-downtime backend does not run a bare ``SET NOT NULL``,
which scans the whole table under an ACCESS EXCLUSIVE lock. It adds
``CHECK (item_count IS NOT NULL) NOT VALID`` (a catalog change), validates it
under a SHARE UPDATE EXCLUSIVE lock that lets reads and writes go on, then sets
NOT NULL, which trusts the valid check instead of scanning, and drops the check.

django-migration-linter reports NOT NULL columns as backward incompatible,
since the previous release may not write them; this one does, so the migration
is in MIGRATION_LINTER_OPTIONS["ignore_name"] (config/settings/local.py).
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("orders", "0004_backfill_order_item_count")]

    operations = [
        migrations.AlterField(
            model_name="order",
            name="item_count",
            field=models.PositiveIntegerField(
                help_text="Units on the order: its lines' quantities added up."
            ),
        ),
    ]
