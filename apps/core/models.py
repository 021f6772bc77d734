"""Base models shared by every domain app, and the outbox table.

The abstract models give every table its UUIDv7 primary key and timestamps.
``OutboxMessage`` is core's one concrete model: a side effect recorded in the
same transaction as the change that causes it (see ``apps.core.outbox``).
A column's bounds are declared once, on its model field: inputs read them with
``max_length_of``.
"""

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TypeVar

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.utils import timezone

from .ids import uuid7


def attach_prefetched(
    instance: models.Model, relation: str, rows: Iterable[Any]
) -> None:
    """Make ``instance.<relation>.all()`` answer ``rows``, as prefetch_related would.

    For rows a service has just written and still holds: the related manager's
    queryset is marked evaluated with them, which is what Django's prefetching
    stores, with the same caveat: the rows are a snapshot (``count()`` counts
    them too); ``refresh_from_db()`` or a new read sees later changes.
    """
    manager = getattr(instance, relation)
    queryset = manager.get_queryset()
    queryset._result_cache = list(rows)
    queryset._prefetch_done = True
    cache = instance.__dict__.setdefault("_prefetched_objects_cache", {})
    cache[relation] = queryset


M = TypeVar("M", bound=models.Model)


def model_from_columns(model: type[M], values: Sequence[Any]) -> M:
    """An instance of ``model`` from a row of its concrete fields' columns.

    For a statement written as SQL that reads more than one model's row at once
    (``raw()`` builds one model's): each value goes through the converters the
    ORM applies when it reads the column (on SQLite a UUID arrives as text and a
    datetime as a string), and the instance is made as the ORM makes it
    (``from_db``: loaded, not adding).
    """
    names, conversions = _column_plan(model)
    if len(values) != len(names):
        raise ValueError(
            f"{model.__name__} has {len(names)} columns, not {len(values)}."
        )
    if conversions:
        values = list(values)
        for index, column, converters in conversions:
            value = values[index]
            for convert in converters:
                value = convert(value, column, connection)
            values[index] = value
    return model.from_db(connection.alias, names, values)


# What model_from_columns does per model and database: the attribute names and,
# for the columns that have any, their converters. Working it out took about
# 60 µs per call for a user and a store; it depends on nothing else.
_column_plans: dict[tuple[type[models.Model], str], Any] = {}


def _column_plan(model: type[models.Model]) -> Any:
    key = (model, connection.vendor)
    plan = _column_plans.get(key)
    if plan is None:
        fields = model._meta.concrete_fields
        conversions = []
        for index, field in enumerate(fields):
            column = field.get_col(model._meta.db_table)
            converters = [
                *connection.ops.get_db_converters(column),
                *column.get_db_converters(connection),
            ]
            if converters:
                conversions.append((index, column, converters))
        plan = _column_plans[key] = ([field.attname for field in fields], conversions)
    return plan


def rows_where(
    model: type[M],
    equal: Mapping[str, Any],
    *,
    pks: Sequence[Any] | None = None,
    lock: bool = False,
) -> list[M]:
    """``model``'s rows whose fields equal ``equal`` (and whose pk is among ``pks``).

    What ``model.objects.filter(**equal, pk__in=pks)`` returns, ordered by
    primary key, ``lock`` adding ``FOR UPDATE`` (where the database has it;
    inside a transaction, as ``select_for_update`` requires), from a statement
    written once per shape: on the paths that run on every order (the
    products of an order, locked or not, and its customer), the ORM's building
    of such a query took 0.33-0.42 ms of CPU against about 0.05-0.1 ms
    written out (ADR 0074). ``equal`` maps field names (or attnames such as
    ``store_id``) to column values, not model instances, each prepared by its
    field as the ORM prepares it; ``None`` means ``IS NULL``. Anything more
    than equality on a model's own plain columns belongs in the ORM.
    """
    # With an empty ``pks`` no row can match and nothing is read, as the ORM
    # reads nothing for an empty ``pk__in`` (outside a transaction too); the
    # names and values are checked all the same, as its filter() checks them.
    no_ids = pks is not None and not pks
    lock = lock and not no_ids and connection.features.has_select_for_update
    if lock and connection.get_autocommit():
        raise transaction.TransactionManagementError(
            "rows_where(lock=True) runs inside a transaction, as "
            "select_for_update does."
        )
    sql, fields = _statement(
        model, equal, pk_count=None if pks is None or no_ids else len(pks), lock=lock
    )
    params = [
        field.get_db_prep_value(equal[name], connection) for name, field in fields
    ]
    if no_ids:
        return []
    if pks is not None:
        pk = model._meta.pk
        params += [pk.get_db_prep_value(value, connection) for value in pks]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return [model_from_columns(model, row) for row in rows]


# rows_where's statements and the fields of their parameters, by shape: one
# per caller and number of ids, or none (ORDER_MAX_LINES bounds an order's).
_statements: dict[tuple[Any, ...], tuple[str, list[tuple[str, Any]]]] = {}


def _statement(
    model: type[models.Model],
    equal: Mapping[str, Any],
    *,
    pk_count: int | None,
    lock: bool,
) -> tuple[str, list[tuple[str, Any]]]:
    """rows_where's statement for this shape, and its parameters' fields."""
    shape = (
        model,
        connection.vendor,
        tuple(name for name in equal if equal[name] is None),
        tuple(name for name in equal if equal[name] is not None),
        pk_count,
        lock,
    )
    found = _statements.get(shape)
    if found is None:
        found = _statements[shape] = _rows_where_statement(*shape)
    return found


def _rows_where_statement(
    model: type[models.Model],
    vendor: str,
    null: tuple[str, ...],
    equal: tuple[str, ...],
    pks: int | None,
    lock: bool,
) -> tuple[str, list[tuple[str, Any]]]:
    meta = model._meta
    quote = connection.ops.quote_name
    fields = [(name, _column_field(model, name)) for name in equal]
    where = [f"{quote(_column_field(model, name).column)} IS NULL" for name in null]
    where += [f"{quote(field.column)} = %s" for _, field in fields]
    if pks is not None:
        where.append(f"{quote(meta.pk.column)} IN ({', '.join(['%s'] * pks)})")
    sql = (
        f"SELECT {', '.join(quote(field.column) for field in meta.concrete_fields)}"  # noqa: S608 -- names from the model
        f" FROM {quote(meta.db_table)}"
        f" WHERE {' AND '.join(where) or '1 = 1'}"
        f" ORDER BY {quote(meta.pk.column)}" + (" FOR UPDATE" if lock else "")
    )
    return sql, fields


def _column_field(model: type[models.Model], name: str) -> Any:
    """``model``'s field named ``name`` (or its attname), if a plain column."""
    field = model._meta.get_field(name)
    if field not in model._meta.concrete_fields or isinstance(field, models.JSONField):
        raise TypeError(f"{model.__name__}.{name} is not a plain column.")
    return field


def max_length_of(model: type[models.Model], field_name: str) -> int:
    """The ``max_length`` of a model's field, for the inputs that fill it."""
    field = model._meta.get_field(field_name)
    max_length = getattr(field, "max_length", None)
    if not isinstance(max_length, int):
        raise TypeError(f"{model.__name__}.{field_name} has no max_length.")
    return max_length


class UUIDModel(models.Model):
    """A model whose public id is a time-ordered UUID primary key."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)

    class Meta:
        abstract = True


class TimeStampedModel(models.Model):
    """A model that records when it was created and last changed."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class BaseModel(UUIDModel, TimeStampedModel):
    """UUID primary key plus timestamps: the default base of domain models."""

    class Meta:
        abstract = True


class OutboxMessage(BaseModel):
    """A side effect to deliver after the transaction that recorded it commits."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"  # waiting for its first or next attempt
        DELIVERED = "delivered", "Delivered"  # its handler completed once
        DEAD = "dead", "Dead"  # out of attempts (or no handler): an operator decides

    # A kind registered by the app that handles it, e.g. "users.password_reset".
    kind = models.CharField(max_length=100)
    # One row per key for as long as the row is kept (a delivered one for
    # OUTBOX_RETENTION_DAYS): recording the same key again meanwhile adds nothing.
    dedup_key = models.CharField(max_length=255)
    # Ids only: the handler reads current data (and makes any secret) when it runs.
    payload = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    # When the next attempt is due; pushed back after each failure.
    available_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = "outbox message"
        constraints = [
            models.UniqueConstraint(
                fields=["dedup_key"], name="core_outboxmessage_dedup_key_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["pending", "delivered", "dead"]),
                name="core_outboxmessage_status_valid",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(status="delivered", delivered_at__isnull=False)
                    | (
                        ~models.Q(status="delivered")
                        & models.Q(delivered_at__isnull=True)
                    )
                ),
                name="core_outboxmessage_delivered_at_iff_delivered",
            ),
        ]
        indexes = [
            # The relay's query: pending rows by due time. Delivered and dead
            # rows, the bulk of the table, stay out of the index.
            models.Index(
                fields=["available_at"],
                condition=models.Q(status="pending"),
                name="core_outbox_pending_due_idx",
            ),
            # The purge's query: delivered rows, the oldest deliveries first. It
            # reads the rows it deletes and nothing else, however large the table.
            models.Index(
                fields=["delivered_at"],
                condition=models.Q(status="delivered"),
                name="core_outbox_delivered_at_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.dedup_key} ({self.status})"


__all__ = ["BaseModel", "OutboxMessage", "TimeStampedModel", "UUIDModel"]
