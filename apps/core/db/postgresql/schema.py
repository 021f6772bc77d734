"""The zero-downtime schema editor, which lets an unsafe change touch a table
without rows.

django-pg-zero-downtime-migrations refuses an operation that would hold an
ACCESS EXCLUSIVE lock through a scan or a rewrite of a table's rows, or that
the release still serving could not follow (ADD COLUMN NOT NULL without a
database default, a column type change, a renamed column or table). A table
that has no rows (or does not exist yet) costs nothing to scan or rewrite,
and no release has written to it: this is the case of every migration of a new
install, where the history (ours and the third-party apps') builds its tables
one step at a time, as of a newly created table. There the operation runs;
anywhere else it is refused as before.
"""

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django_zero_downtime_migrations.backends.postgres.schema import (
    DatabaseSchemaEditor as ZeroDowntimeSchemaEditor,
)
from django_zero_downtime_migrations.backends.postgres.schema import (
    UnsafeOperationWarning,
)


class DatabaseSchemaEditor(ZeroDowntimeSchemaEditor):
    RAISE_FOR_UNSAFE: bool  # set from settings by the parent's __init__

    def table_has_rows(self, table: str) -> bool:
        """Say whether ``table`` exists and holds at least one row."""
        with self.connection.cursor() as cursor:
            cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [table])
            if not cursor.fetchone()[0]:
                return False
            cursor.execute(
                f"SELECT EXISTS (SELECT 1 FROM {self.quote_name(table)})"  # noqa: S608
            )
            return bool(cursor.fetchone()[0])

    @contextmanager
    def _unsafe_allowed_without_rows(self, table: str) -> Iterator[None]:
        refuse = self.RAISE_FOR_UNSAFE
        if refuse and not self.table_has_rows(table):
            self.RAISE_FOR_UNSAFE = False
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", UnsafeOperationWarning)
                    yield
            finally:
                self.RAISE_FOR_UNSAFE = refuse
        else:
            yield

    def _add_column_not_null(self, model: Any, field: Any) -> Any:
        with self._unsafe_allowed_without_rows(model._meta.db_table):
            return super()._add_column_not_null(model, field)

    def _alter_column_type_sql(self, model: Any, *args: Any) -> Any:
        with self._unsafe_allowed_without_rows(model._meta.db_table):
            return super()._alter_column_type_sql(model, *args)

    def _rename_field_sql(self, table: str, *args: Any) -> Any:
        with self._unsafe_allowed_without_rows(table):
            return super()._rename_field_sql(table, *args)

    def alter_db_table(self, model: Any, old_db_table: str, new_db_table: str) -> None:
        with self._unsafe_allowed_without_rows(old_db_table):
            super().alter_db_table(model, old_db_table, new_db_table)
