"""Shared model helpers."""

import pytest
from django.core.exceptions import FieldDoesNotExist

from apps.core.models import OutboxMessage, max_length_of, model_from_columns


def test_an_input_reads_its_bound_from_the_model_field():
    assert max_length_of(OutboxMessage, "kind") == 100


def test_a_field_without_a_length_has_no_bound_to_give():
    with pytest.raises(TypeError, match=r"OutboxMessage\.created_at has no max_length"):
        max_length_of(OutboxMessage, "created_at")


@pytest.mark.django_db
def test_a_row_read_as_sql_makes_the_instance_the_orm_makes():
    from django.db import connection, transaction
    from django.utils import timezone

    with transaction.atomic():
        message = OutboxMessage.objects.create(
            kind="core.test",
            dedup_key="row-1",
            payload={"n": 1, "text": "Zoë"},
            status=OutboxMessage.Status.DELIVERED,
            delivered_at=timezone.now(),
        )
    fields = OutboxMessage._meta.concrete_fields
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {columns} FROM {OutboxMessage._meta.db_table} WHERE id = %s",  # noqa: S608
            [OutboxMessage._meta.pk.get_db_prep_value(message.pk, connection)],
        )
        row = cursor.fetchone()

    made = model_from_columns(OutboxMessage, row)

    loaded = OutboxMessage.objects.get(pk=message.pk)
    for field in fields:  # values and their types: a UUID, a dict, an aware datetime
        assert getattr(made, field.attname) == getattr(loaded, field.attname)
        assert type(getattr(made, field.attname)) is type(
            getattr(loaded, field.attname)
        )
    assert not made._state.adding
    with pytest.raises(ValueError, match="columns"):
        model_from_columns(OutboxMessage, row[:-1])


def _messages():
    from django.utils import timezone

    delivered = OutboxMessage.objects.create(
        kind="core.test",
        dedup_key="where-1",
        status=OutboxMessage.Status.DELIVERED,
        delivered_at=timezone.now(),
    )
    pending = [
        OutboxMessage.objects.create(kind="core.test", dedup_key=f"where-{n}")
        for n in (2, 3)
    ]
    other = OutboxMessage.objects.create(kind="core.other", dedup_key="where-4")
    return delivered, pending, other


def _same(made, loaded):
    assert [row.pk for row in made] == [row.pk for row in loaded]
    for one, other in zip(made, loaded, strict=True):
        for field in OutboxMessage._meta.concrete_fields:
            assert getattr(one, field.attname) == getattr(other, field.attname)
            assert type(getattr(one, field.attname)) is type(
                getattr(other, field.attname)
            )
        assert not one._state.adding


@pytest.mark.django_db
def test_rows_where_reads_what_the_orm_filter_reads():
    from apps.core.models import rows_where

    delivered, pending, other = _messages()
    everything = [delivered.pk, *(row.pk for row in pending), other.pk]
    cases = [
        ({"kind": "core.test"}, None),
        ({"kind": "core.test", "delivered_at": None}, None),  # None is IS NULL
        ({"kind": "core.test", "status": "delivered"}, None),
        ({"kind": "core.test"}, [other.pk, pending[1].pk, delivered.pk]),
        ({}, everything[::-1]),
        ({"kind": "core.nothing"}, everything),
    ]
    for equal, pks in cases:
        lookups = {
            (f"{name}__isnull" if value is None else name): (
                True if value is None else value
            )
            for name, value in equal.items()
        }
        if pks is not None:
            lookups["pk__in"] = pks
        orm = OutboxMessage.objects.filter(**lookups).order_by("pk")
        _same(rows_where(OutboxMessage, equal, pks=pks), list(orm))
    assert rows_where(OutboxMessage, {"kind": "core.test"}, pks=[other.pk]) == []


@pytest.mark.django_db
def test_rows_where_with_no_pks_reads_nothing(django_assert_num_queries):
    from apps.core.models import rows_where

    with django_assert_num_queries(0):
        assert rows_where(OutboxMessage, {"kind": "core.test"}, pks=[]) == []
    # Names and values are checked all the same, as the ORM's filter() checks them.
    with pytest.raises(ValueError, match="attempts"):
        rows_where(OutboxMessage, {"attempts": "x"}, pks=[])
    with pytest.raises(FieldDoesNotExist):
        rows_where(OutboxMessage, {"no_such_field": 1}, pks=[])
    with pytest.raises(TypeError, match=r"OutboxMessage\.payload is not a plain"):
        rows_where(OutboxMessage, {"payload": {}}, pks=[])


def test_rows_where_takes_only_columns():
    from django.contrib.auth.models import Group

    from apps.core.models import rows_where

    with pytest.raises(TypeError, match=r"Group\.permissions is not a plain column"):
        rows_where(Group, {"permissions": 1})  # a many-to-many: a table of its own
    with pytest.raises(TypeError, match=r"OutboxMessage\.payload is not a plain"):
        rows_where(OutboxMessage, {"payload": {}})  # JSON equality differs by database


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_rows_where_locks_only_inside_a_transaction():
    from django.db import transaction

    from apps.core.models import rows_where

    with pytest.raises(transaction.TransactionManagementError, match="transaction"):
        rows_where(OutboxMessage, {"kind": "core.test"}, lock=True)
    # No ids: nothing to lock or read, as select_for_update().filter(pk__in=[]).
    assert rows_where(OutboxMessage, {"kind": "core.test"}, pks=[], lock=True) == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_rows_where_with_lock_holds_the_rows_until_the_transaction_ends():
    """Another connection cannot lock a row rows_where(lock=True) read."""
    import threading

    from django.db import OperationalError, connections, transaction

    from apps.core.models import rows_where

    _, pending, _ = _messages()
    locked = threading.Event()
    release = threading.Event()
    seen: list[object] = []

    def holder() -> None:
        try:
            with transaction.atomic():
                seen.extend(
                    rows_where(
                        OutboxMessage,
                        {"kind": "core.test"},
                        pks=[pending[0].pk],
                        lock=True,
                    )
                )
                locked.set()
                release.wait(10)
        finally:
            connections.close_all()

    thread = threading.Thread(target=holder)
    thread.start()
    try:
        assert locked.wait(10)
        with transaction.atomic(), pytest.raises(OperationalError, match="lock"):
            list(
                OutboxMessage.objects.select_for_update(nowait=True).filter(
                    pk=pending[0].pk
                )
            )
        # An unlocked row of the same table is free.
        with transaction.atomic():
            assert list(
                OutboxMessage.objects.select_for_update(nowait=True).filter(
                    pk=pending[1].pk
                )
            )
    finally:
        release.set()
        thread.join()
    assert [row.pk for row in seen] == [pending[0].pk]
