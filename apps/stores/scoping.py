"""Store resolution and role permissions for every store-scoped view.

A view under ``/api/v1/stores/{store_slug}/`` mixes in ``StoreScopedViewMixin``
and declares one of the permission classes below. The store and the caller's
role are resolved once per request, in one query (for a signed-in caller, the
one that reads the user: ``apps.stores.authentication``). Callers who are not
members get 404 -- the same answer as for a store that does not exist -- while
members whose role is too low get 403.
"""

from typing import Any

from django.http import Http404
from rest_framework.exceptions import NotFound
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from .authentication import StoreRead
from .models import Membership, Store
from .selectors import (
    StoreAccess,
    member_has_role,
    store_ids_of_member,
    store_resolve,
)

Role = Membership.Role


class StoreScopedViewMixin(GenericAPIView):
    """Resolve ``store_slug`` from the URL into the store and the caller's role."""

    # A viewset declares its model as an empty ``queryset`` for the OpenAPI
    # generator (``queryset = Product.objects.none()``); requests read rows only
    # through ``get_queryset()``, which returns a selector's result.

    store_url_kwarg = "store_slug"
    # The ids in store-scoped URLs are UUIDs; the routers type them with this.
    lookup_value_converter = "uuid"

    @property
    def store_access(self) -> StoreAccess:
        access: StoreAccess | None = getattr(self, "_store_access", None)
        if access is None:
            access = self._store_access = self._resolve_store()
        return access

    def _resolve_store(self) -> StoreAccess:
        if getattr(self, "swagger_fake_view", False):
            # The OpenAPI generator builds views without a request's URL or
            # caller; it documents what the store's owner sees, the widest answer
            # (the rows are never read: it finds the model in ``queryset``).
            return StoreAccess(store=Store(), role=Role.OWNER)
        slug = self.kwargs[self.store_url_kwarg]
        # Read with the caller by the authenticator that let the request in?
        read = getattr(self.request.successful_authenticator, "store_read", None)
        if isinstance(read, StoreRead) and read.slug == slug:
            if read.access is None:
                raise Http404
            return read.access
        return store_resolve(slug=slug, user=self.request.user)

    @property
    def store(self) -> Store:
        return self.store_access.store

    @property
    def store_role(self) -> str | None:
        return self.store_access.role

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        self.store_access  # noqa: B018 - resolve (or 404) even when no permission did


class StoreRolePermission(BasePermission):
    """Allow members whose role is in ``allowed_roles``; hide the store from others."""

    allowed_roles: frozenset[str] = frozenset()

    def has_permission(self, request: Request, view: Any) -> bool:
        access: StoreAccess = view.store_access
        if access.role is None:
            if not request.user or not request.user.is_authenticated:
                return False  # 401: authenticate first
            raise NotFound()
        return access.role in self.allowed_roles


class IsStoreMember(StoreRolePermission):
    allowed_roles = frozenset({Role.OWNER, Role.MANAGER, Role.STAFF})


class IsStoreManager(StoreRolePermission):
    allowed_roles = frozenset({Role.OWNER, Role.MANAGER})


class IsStoreOwner(StoreRolePermission):
    allowed_roles = frozenset({Role.OWNER})


class StoreScopedAdminMixin:
    """Admin rows of a store-owned model, limited to the stores of the user.

    Superusers see everything. Other staff users see the rows of the stores they
    are members of; they may change them (and add new ones) only where their
    role is in ``change_roles``. Foreign-key choices are limited the same way.
    """

    store_path = "store"
    change_roles: frozenset[str] = frozenset({Role.OWNER, Role.MANAGER})

    def _store_ids(self, request: Any, roles: frozenset[str] | None = None) -> Any:
        return store_ids_of_member(user=request.user, roles=roles)

    def get_queryset(self, request: Any) -> Any:
        queryset = super().get_queryset(request)  # type: ignore[misc]
        user = request.user
        if not user.is_authenticated:
            return queryset.none()
        if user.is_superuser:
            return queryset
        return queryset.filter(**{f"{self.store_path}__in": self._store_ids(request)})

    def _store_of(self, obj: Any) -> Any:
        for part in self.store_path.split("__"):
            obj = getattr(obj, part)
        return obj

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        allowed: bool = super().has_change_permission(request, obj)  # type: ignore[misc]
        if not allowed or obj is None or request.user.is_superuser:
            return allowed
        return member_has_role(
            user=request.user, roles=self.change_roles, store=self._store_of(obj)
        )

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        allowed: bool = super().has_delete_permission(request, obj)  # type: ignore[misc]
        if not allowed or request.user.is_superuser:
            return allowed
        # On the list page (no obj): may delete in at least one store.
        store = None if obj is None else self._store_of(obj)
        return member_has_role(user=request.user, roles=self.change_roles, store=store)

    def has_add_permission(self, request: Any, *args: Any) -> bool:
        allowed: bool = super().has_add_permission(request, *args)  # type: ignore[misc]
        if not allowed or request.user.is_superuser:
            return allowed
        return member_has_role(user=request.user, roles=self.change_roles)

    def formfield_for_foreignkey(
        self, db_field: Any, request: Any, **kwargs: Any
    ) -> Any:
        if request.user.is_authenticated and not request.user.is_superuser:
            writable = self._store_ids(request, self.change_roles)
            model = db_field.related_model
            if model is Store:
                kwargs["queryset"] = Store.objects.filter(pk__in=writable)
            elif any(f.name == "store" for f in model._meta.get_fields()):
                kwargs["queryset"] = model._default_manager.filter(store__in=writable)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]
