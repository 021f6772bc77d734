"""Categories of a store's catalog."""

from typing import TypedDict, Unpack

from django.db import transaction

from apps.core.preconditions import IfMatch, if_match_check
from apps.core.services import model_update, unique_violation_as
from apps.stores.models import Store

from ..cache import catalog_bump
from ..models import Category
from .rules import categories_named, category_taken


class CategoryChanges(TypedDict, total=False):
    name: str
    description: str


@transaction.atomic
def category_create(*, store: Store, name: str, description: str = "") -> Category:
    """Add a category to the store's catalog."""
    if categories_named(store_id=store.pk, name=name).exists():
        raise category_taken(name)
    with unique_violation_as(lambda: category_taken(name)):  # a concurrent create
        category = Category.objects.create(
            store=store, name=name, description=description
        )
    catalog_bump(store_id=store.pk)
    return category


@transaction.atomic
def category_update(
    *,
    category: Category,
    if_match: IfMatch | None = None,
    **changes: Unpack[CategoryChanges],
) -> Category:
    """Rename or describe a category."""
    category = Category.objects.select_for_update().get(pk=category.pk)
    if_match_check(if_match, category)
    name = changes.get("name")
    if (
        name is not None
        and categories_named(store_id=category.store_id, name=name)
        .exclude(pk=category.pk)
        .exists()
    ):
        raise category_taken(name)
    with unique_violation_as(lambda: category_taken(str(name))):  # a concurrent write
        changed = model_update(
            instance=category, fields=CategoryChanges.__annotations__, data=changes
        )
    if changed:
        catalog_bump(store_id=category.store_id)
    return category


@transaction.atomic
def category_delete(*, category: Category, if_match: IfMatch | None = None) -> None:
    """Delete a category; its products stay, without a category."""
    locked = Category.objects.select_for_update().filter(pk=category.pk).first()
    if locked is not None:  # else deleted meanwhile: nothing is left to do
        if_match_check(if_match, locked)
        catalog_bump(store_id=locked.store_id)
        locked.delete()
