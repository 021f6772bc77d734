"""Customer and address endpoints (thin: validate, call a service, render).

Two doors lead to the same rows:

- ``customers/...`` is the back office: store members read (owner, manager,
  staff) and owners and managers write. Anybody else is told the store does
  not exist (404), as everywhere under a store.
- ``customers/me/...`` is the caller's own customer profile in this store,
  whatever their role: a customer of several stores has one profile in each.
  Until ``POST customers/me/`` made them a customer, there is nothing to read.
"""

from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from apps.core.caching import (
    ETAG_HEADER,
    ConditionalWriteMixin,
    conditional_write,
    tagged_read,
)
from apps.core.problems import PROBLEM_CONTENT_TYPE
from apps.core.serializers import EmptyInputSerializer, ProblemSerializer
from apps.stores.scoping import IsStoreManager, IsStoreMember, StoreScopedViewMixin
from apps.users.selectors import user_from_request

from . import services
from .filters import CustomerFilter
from .models import Address, Customer
from .selectors import (
    address_get,
    address_list,
    customer_get,
    customer_get_own,
    customer_list,
)
from .serializers import (
    AddressCreateInputSerializer,
    AddressOutputSerializer,
    AddressUpdateInputSerializer,
    CustomerCreateInputSerializer,
    CustomerMeUpdateInputSerializer,
    CustomerOutputSerializer,
    CustomerUpdateInputSerializer,
)

# Documented with the content type they are served with (problem+json).
CONFLICT = (409, PROBLEM_CONTENT_TYPE)
REGISTER_CONFLICT = OpenApiResponse(
    ProblemSerializer, description="`already_customer`, `customer_email_taken`"
)
LINK_CONFLICT = OpenApiResponse(
    ProblemSerializer,
    description="`account_already_linked`, `no_account`, `already_customer`",
)
ADDRESS_CONFLICT = OpenApiResponse(
    ProblemSerializer, description="`address_limit_reached`"
)

READ_ACTIONS = frozenset({"list", "retrieve"})


def _members_read_managers_write(action: str | None) -> list[BasePermission]:
    return [IsStoreMember()] if action in READ_ACTIONS else [IsStoreManager()]


# --- Back office: the store's customers -------------------------------------------


@extend_schema(tags=["customers"])
@extend_schema_view(
    list=extend_schema(summary="List the store's customers with their statistics"),
    retrieve=tagged_read(
        "Read a customer with their statistics", CustomerOutputSerializer
    ),
)
class CustomerViewSet(
    StoreScopedViewMixin,
    mixins.ListModelMixin,
    ConditionalWriteMixin,
    viewsets.GenericViewSet,
):
    queryset = Customer.objects.none()
    serializer_class = CustomerOutputSerializer
    filterset_class = CustomerFilter
    lookup_url_kwarg = "customer_id"

    def get_permissions(self) -> list[BasePermission]:
        return _members_read_managers_write(self.action)

    def get_queryset(self) -> QuerySet[Customer]:
        return customer_list(store=self.store, actor=user_from_request(self.request))

    def get_object(self) -> Customer:
        return self._get(self.kwargs["customer_id"])

    def reload(self, instance: Customer) -> Customer:
        return self._get(instance.pk)  # with its statistics

    def _get(self, customer_id: Any) -> Customer:
        return customer_get(
            store=self.store,
            actor=user_from_request(self.request),
            customer_id=customer_id,
        )

    @extend_schema(
        request=CustomerCreateInputSerializer,
        parameters=[ETAG_HEADER],
        responses={201: CustomerOutputSerializer},
        summary="Create a customer without an account (owner, manager)",
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponse:
        serializer = CustomerCreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        customer = services.customer_create(
            store=self.store, **serializer.validated_data
        )
        return self.tagged(customer, status.HTTP_201_CREATED)

    @conditional_write(
        request=CustomerUpdateInputSerializer,
        responses={200: CustomerOutputSerializer},
        summary="Change a customer's contact details (owner, manager)",
    )
    def partial_update(
        self, request: Request, *args: Any, **kwargs: Any
    ) -> HttpResponse:
        serializer = CustomerUpdateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        customer = services.customer_update(
            customer=self.get_object(),
            if_match=self.if_match(),
            **serializer.validated_data,
        )
        return self.tagged(customer)

    @conditional_write(
        request=EmptyInputSerializer,
        responses={
            200: CustomerOutputSerializer,
            CONFLICT: LINK_CONFLICT,
        },
        summary="Link the customer to the account with the same email (owner, manager)",
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="link-account",
        url_name="link-account",
    )
    def link_account(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponse:
        EmptyInputSerializer(data=request.data).is_valid(raise_exception=True)
        customer = services.customer_link_account(
            customer=self.get_object(), if_match=self.if_match()
        )
        return self.tagged(customer)


# --- The caller's own customer profile --------------------------------------------


@extend_schema(tags=["customers"])
@extend_schema_view(
    retrieve=tagged_read(
        "Read my customer profile in this store (404: not yet)",
        CustomerOutputSerializer,
    )
)
class MyCustomerViewSet(
    StoreScopedViewMixin, ConditionalWriteMixin, viewsets.GenericViewSet
):
    permission_classes = (IsAuthenticated,)
    serializer_class = CustomerOutputSerializer

    def get_object(self) -> Customer:
        return customer_get_own(store=self.store, user=user_from_request(self.request))

    def reload(self, instance: Customer) -> Customer:
        return self.get_object()  # with its statistics

    @extend_schema(
        request=EmptyInputSerializer,
        parameters=[ETAG_HEADER],
        responses={201: CustomerOutputSerializer, CONFLICT: REGISTER_CONFLICT},
        summary="Become a customer of this store",
        description=(
            "Makes the caller a customer of the store from their account's email "
            "and names. It never takes over a customer the store already has with "
            "that email (409 `customer_email_taken`): sign-up does not prove the "
            "email, so only the store's staff may link that customer to the "
            "account (`POST customers/{id}/link-account/`)."
        ),
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponse:
        EmptyInputSerializer(data=request.data).is_valid(raise_exception=True)
        customer = services.customer_register(
            store=self.store, user=user_from_request(request)
        )
        return self.tagged(customer, status.HTTP_201_CREATED)

    @conditional_write(
        request=CustomerMeUpdateInputSerializer,
        responses={200: CustomerOutputSerializer},
        summary="Change my names or phone in this store",
    )
    def partial_update(
        self, request: Request, *args: Any, **kwargs: Any
    ) -> HttpResponse:
        serializer = CustomerMeUpdateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        customer = services.customer_update(
            customer=self.get_object(),
            if_match=self.if_match(),
            **serializer.validated_data,
        )
        return self.tagged(customer)


# --- Addresses ---------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="List the customer's addresses (at most 20, no pages)"),
    retrieve=tagged_read("Read an address", AddressOutputSerializer),
)
class _AddressViewSet(
    StoreScopedViewMixin,
    mixins.ListModelMixin,
    ConditionalWriteMixin,
    viewsets.GenericViewSet,
):
    """The addresses of one customer; subclasses say which customer."""

    queryset = Address.objects.none()
    serializer_class = AddressOutputSerializer
    pagination_class = None  # at most services.ADDRESS_LIMIT addresses
    lookup_url_kwarg = "address_id"

    def get_customer(self) -> Customer:
        raise NotImplementedError

    @property
    def customer(self) -> Customer:
        customer: Customer | None = getattr(self, "_customer", None)
        if customer is None:
            customer = self._customer = self.get_customer()
        return customer

    def get_queryset(self) -> QuerySet[Address]:
        return address_list(customer=self.customer)

    def get_object(self) -> Address:
        return address_get(customer=self.customer, address_id=self.kwargs["address_id"])

    @extend_schema(
        request=AddressCreateInputSerializer,
        parameters=[ETAG_HEADER],
        responses={201: AddressOutputSerializer, CONFLICT: ADDRESS_CONFLICT},
        summary="Add an address",
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponse:
        serializer = AddressCreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        address = services.address_create(
            customer=self.customer, **serializer.validated_data
        )
        return self.tagged(address, status.HTTP_201_CREATED)

    @conditional_write(
        request=AddressUpdateInputSerializer,
        responses={200: AddressOutputSerializer},
        summary="Change an address",
    )
    def partial_update(
        self, request: Request, *args: Any, **kwargs: Any
    ) -> HttpResponse:
        serializer = AddressUpdateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        address = services.address_update(
            address=self.get_object(),
            if_match=self.if_match(),
            **serializer.validated_data,
        )
        return self.tagged(address)

    @conditional_write(
        responses={204: None},
        summary="Remove an address",
    )
    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        services.address_delete(address=self.get_object(), if_match=self.if_match())
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["customers"])
class CustomerAddressViewSet(_AddressViewSet):
    """A customer's addresses, for the back office."""

    def get_permissions(self) -> list[BasePermission]:
        return _members_read_managers_write(self.action)

    def get_customer(self) -> Customer:
        return customer_get(
            store=self.store,
            actor=user_from_request(self.request),
            customer_id=self.kwargs["customer_id"],
        )


@extend_schema(tags=["customers"])
class MyAddressViewSet(_AddressViewSet):
    """The caller's own addresses in this store."""

    permission_classes = (IsAuthenticated,)

    def get_customer(self) -> Customer:
        return customer_get_own(store=self.store, user=user_from_request(self.request))
