"""Store resolution and role permissions for every store-scoped view.

A view under ``/api/v1/stores/{store_slug}/`` mixes in ``StoreScopedViewMixin``
and declares one of the permission classes below. The store and the caller's
role are resolved once per request (one query). Callers who are not members
get 404 -- the same answer as for a store that does not exist -- while members
whose role is too low get 403.
"""

from typing import Any

from rest_framework.exceptions import NotFound
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from .models import Membership, Store
from .selectors import StoreAccess, store_resolve

Role = Membership.Role


class StoreScopedViewMixin(GenericAPIView):
    """Resolve ``store_slug`` from the URL into the store and the caller's role."""

    store_url_kwarg = "store_slug"

    @property
    def store_access(self) -> StoreAccess:
        access: StoreAccess | None = getattr(self, "_store_access", None)
        if access is None:
            access = store_resolve(
                slug=self.kwargs[self.store_url_kwarg], user=self.request.user
            )
            self._store_access = access
        return access

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
