"""Data migrations of the stores app, run forward on rows written before them."""

import base64

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = ("stores", "0003_webhook_secret_rotation")
AFTER = ("stores", "0004_webhook_secrets_standard_format")


@pytest.fixture
def migrator():
    """A migration executor; every app is migrated back to its latest state after.

    Migrating ``stores`` back unapplies whatever depends on it (the reports table,
    for one); later tests in the same database need the whole schema again.
    """
    yield MigrationExecutor(connection)
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_every_store_gets_a_standard_webhooks_secret(migrator):
    executor = migrator
    executor.migrate([BEFORE])
    Store = executor.loader.project_state([BEFORE]).apps.get_model("stores", "Store")
    legacy = [
        Store.objects.create(
            name=f"Old {n}", slug=f"old-{n}", webhook_secret=f"token-urlsafe-{n}"
        ).pk
        for n in range(3)
    ]
    current = "whsec_" + base64.b64encode(b"k" * 32).decode()
    kept = Store.objects.create(name="New", slug="new", webhook_secret=current).pk

    executor = MigrationExecutor(connection)  # a fresh graph knows 0003 is applied
    executor.migrate([AFTER])

    Store = executor.loader.project_state([AFTER]).apps.get_model("stores", "Store")
    secrets = dict(Store.objects.values_list("pk", "webhook_secret"))
    assert secrets[kept] == current
    replaced = [secrets[pk] for pk in legacy]
    assert len(set(replaced)) == len(replaced)
    for secret in replaced:
        assert secret.startswith("whsec_")
        assert len(base64.b64decode(secret.removeprefix("whsec_"), validate=True)) == 32
