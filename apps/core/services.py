"""Write helpers every app's services share.

- ``model_update`` applies a change set to a model instance: a key that is not
  an updatable field is a programming error (raised, never silently ignored),
  and only the fields whose value really changed are saved.
- ``unique_violation_as`` turns the database's unique-constraint error into the
  service's own error. Services check uniqueness first (for a clear message in
  the common case) and still need this for the race the check cannot see: two
  requests passing the check at the same moment.
"""

from collections.abc import Callable, Collection, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, TypeVar

from django.db import IntegrityError, models, transaction

from .exceptions import ApplicationError

M = TypeVar("M", bound=models.Model)

# SQLSTATE of a unique violation (PostgreSQL); SQLite says it in the message.
_UNIQUE_VIOLATION = "23505"


def model_update(
    *, instance: M, fields: Collection[str], data: Mapping[str, Any]
) -> list[str]:
    """Set ``data`` on ``instance`` and save what changed; return the changed fields.

    ``fields`` lists what the caller may change. ``updated_at`` is saved along
    with any change when the model has it.
    """
    unknown = sorted(set(data) - set(fields))
    if unknown:
        raise TypeError(
            f"{type(instance).__name__} has no updatable field(s): {', '.join(unknown)}"
        )
    changed = [
        name
        for name, value in data.items()
        if getattr(instance, _attname(instance, name)) != _raw(value)
    ]
    for name in changed:
        setattr(instance, name, data[name])
    if changed:
        update_fields = list(changed)
        if any(f.name == "updated_at" for f in instance._meta.concrete_fields):
            update_fields.append("updated_at")
        instance.save(update_fields=update_fields)
    return changed


def _attname(instance: models.Model, name: str) -> str:
    # A foreign key is compared by id, without loading the related row.
    field = instance._meta.get_field(name)
    return str(getattr(field, "attname", name))


def _raw(value: Any) -> Any:
    return value.pk if isinstance(value, models.Model) else value


def is_unique_violation(exc: IntegrityError) -> bool:
    """Whether the database refused a row for a unique constraint or index."""
    cause = exc.__cause__
    if getattr(cause, "sqlstate", None) == _UNIQUE_VIOLATION:
        return True
    return "UNIQUE constraint failed" in str(exc)


@contextmanager
def unique_violation_as(error: Callable[[], ApplicationError]) -> Iterator[None]:
    """Run the block in a savepoint; a unique violation raises ``error()`` instead.

    Any other integrity error (a check constraint, a foreign key) propagates:
    it is a bug, not a conflict the caller can resolve.
    """
    try:
        with transaction.atomic():
            yield
    except IntegrityError as exc:
        if is_unique_violation(exc):
            raise error() from exc
        raise
