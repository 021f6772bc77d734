"""Store and membership endpoints (thin: validate, call a service, render)."""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from apps.core.serializers import ProblemSerializer
from apps.users.selectors import user_from_request

from . import services
from .models import Membership, Store
from .scoping import IsStoreMember, IsStoreOwner, StoreScopedViewMixin
from .selectors import membership_get, membership_list, store_list_for_user
from .serializers import (
    MembershipCreateInputSerializer,
    MembershipOutputSerializer,
    MembershipUpdateInputSerializer,
    StoreCreateInputSerializer,
    StoreOutputSerializer,
    StoreUpdateInputSerializer,
)

CONFLICT = OpenApiResponse(
    ProblemSerializer, description="`last_owner`, `already_member`"
)


@extend_schema_view(list=extend_schema(summary="List the stores the caller belongs to"))
@extend_schema(tags=["stores"])
class StoreViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    permission_classes = (IsAuthenticated,)
    serializer_class = StoreOutputSerializer

    def get_queryset(self) -> QuerySet[Store]:
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return Store.objects.none()
        return store_list_for_user(user=user_from_request(self.request))

    @extend_schema(
        request=StoreCreateInputSerializer,
        responses={201: StoreOutputSerializer},
        summary="Create a store; the caller becomes its owner",
    )
    def create(self, request: Request) -> Response:
        serializer = StoreCreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        store = services.store_create(
            actor=user_from_request(request), **serializer.validated_data
        )
        output = StoreOutputSerializer(store, context={"role": Membership.Role.OWNER})
        return Response(output.data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["stores"])
class StoreDetailViewSet(StoreScopedViewMixin, viewsets.GenericViewSet):
    serializer_class = StoreOutputSerializer

    def get_permissions(self) -> list[BasePermission]:
        if self.action == "partial_update":
            return [IsStoreOwner()]
        return [IsStoreMember()]

    def _render(self, store: Store) -> Response:
        return Response(
            StoreOutputSerializer(store, context={"role": self.store_role}).data
        )

    @extend_schema(summary="Read a store (members)")
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._render(self.store)

    @extend_schema(
        request=StoreUpdateInputSerializer,
        responses={200: StoreOutputSerializer},
        summary="Change a store's settings (owner)",
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = StoreUpdateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        store = services.store_update(
            store=self.store,
            actor=user_from_request(request),
            **serializer.validated_data,
        )
        return self._render(store)


@extend_schema(tags=["members"])
class MembershipViewSet(
    StoreScopedViewMixin, mixins.ListModelMixin, viewsets.GenericViewSet
):
    permission_classes = (IsStoreOwner,)
    serializer_class = MembershipOutputSerializer
    lookup_url_kwarg = "membership_id"

    def get_queryset(self) -> QuerySet[Membership]:
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return Membership.objects.none()
        return membership_list(store=self.store)

    def get_object(self) -> Membership:
        return membership_get(
            store=self.store, membership_id=self.kwargs["membership_id"]
        )

    @extend_schema(
        request=MembershipCreateInputSerializer,
        responses={201: MembershipOutputSerializer, 409: CONFLICT},
        summary="Add a registered user to the store",
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = MembershipCreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        membership = services.membership_add(
            store=self.store,
            actor=user_from_request(request),
            **serializer.validated_data,
        )
        return Response(
            MembershipOutputSerializer(membership).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        request=MembershipUpdateInputSerializer,
        responses={200: MembershipOutputSerializer, 409: CONFLICT},
        summary="Change a member's role",
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = MembershipUpdateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        membership = services.membership_change_role(
            membership=self.get_object(),
            actor=user_from_request(request),
            **serializer.validated_data,
        )
        return Response(MembershipOutputSerializer(membership).data)

    @extend_schema(responses={204: None, 409: CONFLICT}, summary="Remove a member")
    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        services.membership_remove(
            membership=self.get_object(), actor=user_from_request(request)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)
