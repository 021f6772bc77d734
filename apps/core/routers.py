"""URL routers for viewsets: every route, and every ``@action`` argument, in one place.

A viewset's routes come from a router, never from a hand-written
``as_view({...})`` map, so that what ``@action`` declares (``url_path``,
``url_name``, ``parser_classes``, ``permission_classes``...) is what serves
the request. Every extra action follows one convention::

    @action(detail=True, methods=["post"], url_path="stock-adjustments",
            url_name="stock-adjustments")

Routes are Django ``path()`` patterns, so a viewset types its lookup with a
path converter (``lookup_value_converter = "uuid"``) and a prefix may hold
one too: ``customers/<uuid:customer_id>/addresses``.
"""

from typing import Any

from django.core.exceptions import ImproperlyConfigured
from rest_framework.routers import DynamicRoute, Route, SimpleRouter


class Router(SimpleRouter):
    """DRF's ``SimpleRouter`` building ``path()`` routes that end with a slash.

    URL names are ``<basename>-list``, ``<basename>-detail`` and
    ``<basename>-<url_name>`` for each action.
    """

    def __init__(self) -> None:
        super().__init__(trailing_slash=True, use_regex_path=False)


class SingletonRouter(Router):
    """Routes for a resource that is one object at its prefix, with no id in the URL.

    The caller's own customer profile (``customers/me/``) and a store (at its
    slug) are such resources: GET reads it, POST creates it, PATCH changes it,
    DELETE removes it -- whichever of ``retrieve``, ``create``,
    ``partial_update`` and ``destroy`` the viewset has. The URL name is the
    basename itself; detail actions are ``<basename>-<url_name>``.
    """

    routes = [
        Route(
            url=r"^{prefix}{trailing_slash}$",
            mapping={
                "get": "retrieve",
                "post": "create",
                "patch": "partial_update",
                "delete": "destroy",
            },
            name="{basename}",
            detail=True,
            initkwargs={"suffix": "Instance"},
        ),
        DynamicRoute(
            url=r"^{prefix}/{url_path}{trailing_slash}$",
            name="{basename}-{url_name}",
            detail=True,
            initkwargs={},
        ),
    ]

    def get_routes(self, viewset: Any) -> list[Route]:
        list_actions = [a.__name__ for a in viewset.get_extra_actions() if not a.detail]
        if list_actions:  # a singleton has no list: such an action would never route
            raise ImproperlyConfigured(
                f"{viewset.__name__} is routed as a single object; make these "
                f"actions detail=True: {', '.join(list_actions)}."
            )
        routes: list[Route] = super().get_routes(viewset)
        return routes
