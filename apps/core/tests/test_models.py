"""Shared model helpers."""

import pytest

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
