"""Store and membership endpoints (thin: validate, call a service, render)."""

from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils.cache import patch_cache_control
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from apps.core.caching import (
    ConditionalWriteMixin,
    conditional_write,
    tagged_read,
)
from apps.core.serializers import EmptyInputSerializer, ProblemSerializer
from apps.users.selectors import user_from_request

from . import services
from .models import Membership, Store
from .scoping import IsStoreMember, IsStoreOwner, StoreScopedViewMixin
from .selectors import (
    WebhookSecrets,
    membership_get,
    membership_list,
    store_list_for_user,
    store_webhook_secrets,
)
from .serializers import (
    MembershipCreateInputSerializer,
    MembershipOutputSerializer,
    MembershipUpdateInputSerializer,
    StoreCreateInputSerializer,
    StoreOutputSerializer,
    StoreUpdateInputSerializer,
    WebhookSecretOutputSerializer,
)

CONFLICT = OpenApiResponse(
    ProblemSerializer, description="`last_owner`, `already_member`"
)


@extend_schema_view(list=extend_schema(summary="List the stores the caller belongs to"))
@extend_schema(tags=["stores"])
class StoreViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = Store.objects.none()  # the model, for the OpenAPI generator
    permission_classes = (IsAuthenticated,)
    serializer_class = StoreOutputSerializer

    def get_queryset(self) -> QuerySet[Store]:
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
@extend_schema_view(
    retrieve=tagged_read("Read a store (members)", StoreOutputSerializer)
)
class StoreDetailViewSet(
    StoreScopedViewMixin, ConditionalWriteMixin, viewsets.GenericViewSet
):
    serializer_class = StoreOutputSerializer

    def get_permissions(self) -> list[BasePermission]:
        if self.action == "partial_update":
            return [IsStoreOwner()]
        return [IsStoreMember()]

    def get_object(self) -> Store:
        return self.store

    def representation(self, instance: Store) -> Any:
        return StoreOutputSerializer(instance, context={"role": self.store_role}).data

    @conditional_write(
        request=StoreUpdateInputSerializer,
        responses={200: StoreOutputSerializer},
        summary="Change a store's settings (owner)",
    )
    def partial_update(
        self, request: Request, *args: Any, **kwargs: Any
    ) -> HttpResponse:
        serializer = StoreUpdateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        store = services.store_update(
            store=self.store, if_match=self.if_match(), **serializer.validated_data
        )
        return self.tagged(store)


@extend_schema(tags=["members"])
@extend_schema_view(list=extend_schema(summary="List the store's members (owner)"))
class MembershipViewSet(
    StoreScopedViewMixin, mixins.ListModelMixin, viewsets.GenericViewSet
):
    permission_classes = (IsStoreOwner,)
    queryset = Membership.objects.none()
    serializer_class = MembershipOutputSerializer
    lookup_url_kwarg = "membership_id"

    def get_queryset(self) -> QuerySet[Membership]:
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
            store=self.store, **serializer.validated_data
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
            membership=self.get_object(), **serializer.validated_data
        )
        return Response(MembershipOutputSerializer(membership).data)

    @extend_schema(responses={204: None, 409: CONFLICT}, summary="Remove a member")
    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        services.membership_remove(membership=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["stores"])
class WebhookSecretViewSet(StoreScopedViewMixin, viewsets.GenericViewSet):
    """The payment-webhook secret: owners reveal it to set up a provider (ADR 0027)."""

    permission_classes = (IsStoreOwner,)
    serializer_class = WebhookSecretOutputSerializer

    def finalize_response(
        self, request: Request, response: Response, *args: Any, **kwargs: Any
    ) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)
        patch_cache_control(response, no_store=True)  # a secret: no copy anywhere
        return response

    def _render(self, secrets: WebhookSecrets) -> Response:
        return Response(
            WebhookSecretOutputSerializer(
                {
                    "secret": secrets.current,
                    "previous_secret_valid_until": secrets.previous_valid_until,
                }
            ).data
        )

    @extend_schema(summary="Reveal the payment-webhook secret (owner)")
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._render(store_webhook_secrets(store=self.store))

    @extend_schema(
        request=EmptyInputSerializer,
        responses={200: WebhookSecretOutputSerializer},
        summary="Rotate the payment-webhook secret (owner)",
        description=(
            "Replaces the secret and returns the new one. The replaced secret "
            "still verifies until `previous_secret_valid_until`, so that events "
            "keep arriving while the provider is updated. Only that one previous "
            "secret is kept: rotating again within the grace period ends the one "
            "before at once."
        ),
    )
    @action(detail=True, methods=["post"], url_path="rotate", url_name="rotate")
    def rotate(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        EmptyInputSerializer(data=request.data).is_valid(raise_exception=True)
        store = services.store_webhook_secret_rotate(
            store=self.store, actor=user_from_request(request)
        )
        return self._render(store_webhook_secrets(store=store))
