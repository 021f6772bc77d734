"""Routers: path() routes typed by converters; @action arguments take effect."""

from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from apps.core.routers import Router, SingletonRouter


class ThingViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    lookup_url_kwarg = "thing_id"
    lookup_value_converter = "uuid"

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response()

    @action(
        detail=True,
        methods=["post"],
        url_path="turn-over",
        url_name="turn-over",
        parser_classes=[MultiPartParser],
    )
    def turn_over(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response()


class MineViewSet(viewsets.GenericViewSet):
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response()

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response()


def _routes(router: Router) -> dict[str, tuple[str, dict[str, str]]]:
    return {
        pattern.name: (str(pattern.pattern), pattern.callback.actions)
        for pattern in router.urls
    }


def test_routes_are_paths_typed_by_the_lookup_converter():
    router = Router()
    router.register("shelves/<uuid:shelf_id>/things", ThingViewSet, basename="thing")
    assert _routes(router) == {
        "thing-list": ("shelves/<uuid:shelf_id>/things/", {"get": "list"}),
        "thing-detail": (
            "shelves/<uuid:shelf_id>/things/<uuid:thing_id>/",
            {"get": "retrieve"},
        ),
        "thing-turn-over": (
            "shelves/<uuid:shelf_id>/things/<uuid:thing_id>/turn-over/",
            {"post": "turn_over"},
        ),
    }


def test_the_arguments_of_an_action_reach_its_view():
    router = Router()
    router.register("things", ThingViewSet, basename="thing")
    turn_over = next(p for p in router.urls if p.name == "thing-turn-over")
    assert turn_over.callback.initkwargs["parser_classes"] == [MultiPartParser]


def test_a_singleton_is_routed_at_its_prefix_under_its_basename():
    router = SingletonRouter()
    router.register("things/mine", MineViewSet, basename="thing-mine")
    assert _routes(router) == {
        "thing-mine": (
            "things/mine/",
            {"get": "retrieve", "patch": "partial_update"},
        ),
    }


class ListActionViewSet(MineViewSet):
    @action(detail=False, methods=["get"], url_path="recent", url_name="recent")
    def recent(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response()


def test_a_singleton_names_the_list_actions_it_cannot_route():
    router = SingletonRouter()
    router.register("things/mine", ListActionViewSet, basename="thing-mine")
    with pytest.raises(ImproperlyConfigured, match="recent"):
        router.get_urls()
