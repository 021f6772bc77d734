"""PostgreSQL migrates through the zero-downtime schema editor (ADR 0055).

Locks held briefly and under a timeout, indexes built concurrently, unsafe
operations refused on a table that has rows, allowed on one that has none.
"""

import pytest
from django.conf import settings
from django.db import connection, models
from django_zero_downtime_migrations.backends.postgres.schema import (
    UnsafeOperationException,
)

from apps.core.db.postgresql.schema import DatabaseSchemaEditor
from apps.orders.models import Order, OrderItem
from apps.stores.models import Store
from apps.stores.tests.factories import StoreFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def _probe_column(*, null=False):
    field: models.PositiveIntegerField[int | None, int | None]
    field = models.PositiveIntegerField(null=null)  # no database default
    field.set_attributes_from_name("zero_downtime_probe")
    return field


def test_postgresql_connections_use_the_zero_downtime_schema_editor():
    assert settings.DATABASES["default"]["ENGINE"] == "apps.core.db.postgresql"
    assert connection.SchemaEditorClass is DatabaseSchemaEditor
    assert settings.ZERO_DOWNTIME_MIGRATIONS_RAISE_FOR_UNSAFE is True
    assert settings.ZERO_DOWNTIME_MIGRATIONS_LOCK_TIMEOUT == "2s"


def test_indexes_on_the_orders_tables_are_built_concurrently():
    index = models.Index(fields=["store", "created_at"], name="orders_probe_idx")
    with connection.schema_editor(collect_sql=True) as editor:
        editor.add_index(Order, index)
        editor.remove_index(Order, index)
    create, drop = (s for s in editor.collected_sql if "INDEX" in s)
    assert create.startswith('CREATE INDEX CONCURRENTLY "orders_probe_idx"')
    assert drop.startswith('DROP INDEX CONCURRENTLY IF EXISTS "orders_probe_idx"')


def test_lock_taking_statements_run_under_the_short_lock_timeout():
    with connection.schema_editor(collect_sql=True) as editor:
        editor.add_field(Order, _probe_column(null=True))
    sql = " ".join(editor.collected_sql)
    assert "SET lock_timeout TO '2s'" in sql
    assert sql.index("SET lock_timeout TO '2s'") < sql.index("ADD COLUMN")


def test_a_not_null_column_without_default_is_refused_on_a_table_with_rows():
    StoreFactory()
    with (
        pytest.raises(UnsafeOperationException),
        connection.schema_editor() as editor,
    ):
        editor.add_field(Store, _probe_column())


def test_a_not_null_column_is_allowed_on_a_table_without_rows():
    # A new install builds its tables this way (the history's own migrations).
    assert not OrderItem.objects.exists()
    with connection.schema_editor() as editor:  # the test's transaction undoes it
        editor.add_field(OrderItem, _probe_column())
        assert not editor.table_has_rows(OrderItem._meta.db_table)
    with connection.cursor() as cursor:
        columns = connection.introspection.get_table_description(
            cursor, OrderItem._meta.db_table
        )
    assert "zero_downtime_probe" in {c.name for c in columns}
