"""Index the delivered outbox rows by delivery time, for the purge (ADR 0071).

A partial index: pending and dead rows stay out of it. On PostgreSQL the
zero-downtime backend builds it with ``CREATE INDEX CONCURRENTLY``, so the
outbox keeps taking inserts and deliveries while it is built
(docs/migrations.md, "Add an index").
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_outbox_message"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="outboxmessage",
            index=models.Index(
                condition=models.Q(("status", "delivered")),
                fields=["delivered_at"],
                name="core_outbox_delivered_at_idx",
            ),
        ),
    ]
