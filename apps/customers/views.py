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
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from apps.core.exceptions import PROBLEM_CONTENT_TYPE
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
class CustomerViewSet(
    StoreScopedViewMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = CustomerOutputSerializer
    filterset_class = CustomerFilter
    lookup_url_kwarg = "customer_id"

    def get_permissions(self) -> list[BasePermission]:
        return _members_read_managers_write(self.action)

    def get_queryset(self) -> QuerySet[Customer]:
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return Customer.objects.none()
        return customer_list(store=self.store, actor=user_from_request(self.request))

    def get_object(self) -> Customer:
        return self._get(self.kwargs["customer_id"])

    def _get(self, customer_id: Any) -> Customer:
        return customer_get(
            store=self.store,
            actor=user_from_request(self.request),
            customer_id=customer_id,
        )

    @extend_schema(summary="List the store's customers with their statistics")
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(summary="Read a customer with their statistics")
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(
        request=CustomerCreateInputSerializer,
        responses={201: CustomerOutputSerializer},
        summary="Create a customer without an account (owner, manager)",
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = CustomerCreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        customer = services.customer_create(
            store=self.store,
            actor=user_from_request(request),
            **serializer.validated_data,
        )
        output = CustomerOutputSerializer(self._get(customer.pk))
        return Response(output.data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=CustomerUpdateInputSerializer,
        responses={200: CustomerOutputSerializer},
        summary="Change a customer's contact details (owner, manager)",
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = CustomerUpdateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        customer = services.customer_update(
            customer=self.get_object(),
            actor=user_from_request(request),
            **serializer.validated_data,
        )
        return Response(CustomerOutputSerializer(self._get(customer.pk)).data)

    @extend_schema(
        request=None,
        responses={200: CustomerOutputSerializer, CONFLICT: LINK_CONFLICT},
        summary="Link the customer to the account with the same email (owner, manager)",
    )
    def link_account(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        EmptyInputSerializer(data=request.data).is_valid(raise_exception=True)
        customer = services.customer_link_account(
            customer=self.get_object(), actor=user_from_request(request)
        )
        return Response(CustomerOutputSerializer(self._get(customer.pk)).data)


# --- The caller's own customer profile --------------------------------------------


@extend_schema(tags=["customers"])
class MyCustomerViewSet(StoreScopedViewMixin, viewsets.GenericViewSet):
    permission_classes = (IsAuthenticated,)
    serializer_class = CustomerOutputSerializer

    def _own(self) -> Customer:
        return customer_get_own(store=self.store, user=user_from_request(self.request))

    @extend_schema(summary="Read my customer profile in this store (404: not yet)")
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(CustomerOutputSerializer(self._own()).data)

    @extend_schema(
        request=EmptyInputSerializer,
        responses={201: CustomerOutputSerializer, CONFLICT: REGISTER_CONFLICT},
        summary="Become a customer of this store",
        description=(
            "Makes the caller a customer of the store from their account's email "
            "and names. A customer the store created with the same email and no "
            "account (a phone order) is linked to the caller instead."
        ),
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        EmptyInputSerializer(data=request.data).is_valid(raise_exception=True)
        services.customer_register(store=self.store, user=user_from_request(request))
        output = CustomerOutputSerializer(self._own())
        return Response(output.data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=CustomerMeUpdateInputSerializer,
        responses={200: CustomerOutputSerializer},
        summary="Change my names or phone in this store",
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = CustomerMeUpdateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.customer_update(
            customer=self._own(),
            actor=user_from_request(request),
            **serializer.validated_data,
        )
        return Response(CustomerOutputSerializer(self._own()).data)


# --- Addresses ---------------------------------------------------------------------


class _AddressViewSet(
    StoreScopedViewMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """The addresses of one customer; subclasses say which customer."""

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
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return Address.objects.none()
        return address_list(customer=self.customer)

    def get_object(self) -> Address:
        return address_get(customer=self.customer, address_id=self.kwargs["address_id"])

    @extend_schema(summary="List the customer's addresses (at most 20, no pages)")
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(summary="Read an address")
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(
        request=AddressCreateInputSerializer,
        responses={201: AddressOutputSerializer, CONFLICT: ADDRESS_CONFLICT},
        summary="Add an address",
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = AddressCreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        address = services.address_create(
            customer=self.customer,
            actor=user_from_request(request),
            **serializer.validated_data,
        )
        return Response(
            AddressOutputSerializer(address).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        request=AddressUpdateInputSerializer,
        responses={200: AddressOutputSerializer},
        summary="Change an address",
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = AddressUpdateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        address = services.address_update(
            address=self.get_object(),
            actor=user_from_request(request),
            **serializer.validated_data,
        )
        return Response(AddressOutputSerializer(address).data)

    @extend_schema(responses={204: None}, summary="Remove an address")
    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        services.address_delete(
            address=self.get_object(), actor=user_from_request(request)
        )
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
