"""JWT authentication for the API: on a store's URLs, caller and store in one read."""

from dataclasses import dataclass
from typing import Any

from rest_framework.request import Request

from apps.users import authentication
from apps.users.models import User

from .selectors import SLUG_PATTERN, StoreAccess, caller_in_store


@dataclass(frozen=True)
class StoreRead:
    """The store ``slug`` names, read with the caller (None: no such store)."""

    slug: str
    access: StoreAccess | None


class JWTAuthentication(authentication.JWTAuthentication):
    """The users app's JWT authentication, reading the store with the user.

    A signed-in request to a store-scoped view (``/api/v1/stores/{store_slug}/``)
    reads its user,
    then its store and the caller's role: on those URLs both come from one
    statement (``caller_in_store``), one round trip fewer for every such
    request (docs/performance.md). The checks on the user and their answers
    are the parent's; the store is kept as ``store_read`` and taken by
    ``StoreScopedViewMixin`` only from the authenticator that let the request
    in (``request.successful_authenticator``), for the same slug. Anywhere
    else, and for anonymous callers, nothing changes.

    DRF makes an authenticator per request, so what one keeps is the request's.
    """

    store_read: StoreRead | None = None
    _slug: str | None = None

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        context = request.parser_context or {}
        # Only a store-scoped view (StoreScopedViewMixin) names its slug's kwarg.
        name = getattr(context.get("view"), "store_url_kwarg", None)
        slug = (context.get("kwargs") or {}).get(name) if name else None
        self._slug = slug if isinstance(slug, str) else None
        self.store_read = None
        return super().authenticate(request)

    def read_user(self, user_id: object) -> User | None:
        slug = self._slug
        if slug is None or not SLUG_PATTERN.fullmatch(slug):
            return super().read_user(user_id)
        found = caller_in_store(user_id=user_id, slug=slug)
        self.store_read = StoreRead(slug=slug, access=found.access)
        return found.user
