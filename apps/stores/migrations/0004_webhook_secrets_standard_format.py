"""Give every store a webhook secret in the Standard Webhooks format.

The secrets made before were ``secrets.token_urlsafe(32)``. No API or page ever
revealed them, so no payment provider holds one: replacing them breaks nothing.
A secret already in the ``whsec_`` format is left alone, so the migration can
run again. Reversing it keeps the new secrets, which the older code accepts as
any other string.
"""

import base64
import secrets

from django.db import migrations

PREFIX = "whsec_"
BATCH = 500


def _new_secret() -> str:
    # Written out here rather than imported: a migration keeps doing what it did
    # when it was written, whatever the model module becomes.
    return PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def replace_secrets(apps, schema_editor):
    Store = apps.get_model("stores", "Store")
    stale = Store.objects.exclude(webhook_secret__startswith=PREFIX)
    pks = list(stale.values_list("pk", flat=True))
    for start in range(0, len(pks), BATCH):
        stores = list(Store.objects.filter(pk__in=pks[start : start + BATCH]))
        for store in stores:
            store.webhook_secret = _new_secret()
        Store.objects.bulk_update(stores, ["webhook_secret"])


class Migration(migrations.Migration):
    dependencies = [
        ("stores", "0003_webhook_secret_rotation"),
    ]

    operations = [
        migrations.RunPython(replace_secrets, migrations.RunPython.noop),
    ]
