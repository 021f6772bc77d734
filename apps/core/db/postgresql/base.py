"""PostgreSQL through django-pg-zero-downtime-migrations (ADR 0055).

Django's PostgreSQL backend in every way but its schema editor: see
``schema.DatabaseSchemaEditor``.
"""

from django_zero_downtime_migrations.backends.postgres.base import (
    DatabaseWrapper as ZeroDowntimeDatabaseWrapper,
)

from .schema import DatabaseSchemaEditor


class DatabaseWrapper(ZeroDowntimeDatabaseWrapper):
    SchemaEditorClass = DatabaseSchemaEditor
