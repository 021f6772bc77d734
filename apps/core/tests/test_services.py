"""The shared write helpers: model_update and unique_violation_as."""

import pytest
from django.contrib.auth.models import Group
from django.db import IntegrityError, connection

from apps.core.exceptions import ConflictError
from apps.core.services import model_update, unique_violation_as
from apps.core.testing import count_queries

pytestmark = pytest.mark.django_db


def test_model_update_saves_only_what_changed():
    group = Group.objects.create(name="before")
    queries, changed = count_queries(
        lambda: model_update(instance=group, fields=("name",), data={"name": "after"})
    )
    assert (queries, changed) == (1, ["name"])
    group.refresh_from_db()
    assert group.name == "after"


def test_model_update_with_nothing_new_runs_no_query():
    group = Group.objects.create(name="same")
    queries, changed = count_queries(
        lambda: model_update(instance=group, fields=("name",), data={"name": "same"})
    )
    assert (queries, changed) == (0, [])


def test_model_update_refuses_a_field_it_was_not_allowed_to_change():
    group = Group.objects.create(name="kept")
    with pytest.raises(TypeError, match="nmae"):
        model_update(instance=group, fields=("name",), data={"nmae": "typo"})
    group.refresh_from_db()
    assert group.name == "kept"


def test_unique_violation_as_raises_the_services_error():
    Group.objects.create(name="taken")
    with (
        pytest.raises(ConflictError, match="taken") as excinfo,
        unique_violation_as(lambda: ConflictError("taken", code="name_taken")),
    ):
        Group.objects.create(name="taken")
    assert isinstance(excinfo.value.__cause__, IntegrityError)
    # The savepoint rolled back only the failed insert: the connection works.
    assert Group.objects.filter(name="taken").count() == 1


def test_unique_violation_as_lets_other_integrity_errors_through():
    with (
        pytest.raises(IntegrityError),
        unique_violation_as(lambda: ConflictError("never", code="never")),
        connection.cursor() as cursor,
    ):
        cursor.execute("INSERT INTO auth_group (name) VALUES (NULL)")
