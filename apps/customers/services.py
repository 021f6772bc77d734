"""Writes on customers and their addresses.

Invariants:
- A customer's email is unique within its store in any casing; it is stored
  lower case. A user account is linked to at most one customer per store.
- Staff create customers without accounts (phone orders). Registering oneself
  (``customer_register``) never takes over an existing customer with the same
  email: sign-up does not verify emails, so that would let anyone claim someone
  else's profile and addresses. It answers 409 ``customer_email_taken`` instead
  (ADR 0012).
- A customer has at most ``ADDRESS_LIMIT`` addresses. Adding one locks the
  customer's row, so concurrent requests cannot go past the limit.
- Countries are ISO 3166-1 alpha-2 codes, stored upper case.
- Customers are never deleted through the API: orders will point at them.
- Updates, deletes and the account link take the caller's ``If-Match`` and
  compare it under the row lock they take, before changing anything
  (``apps.core.preconditions``).
"""

from typing import TypedDict, Unpack

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.db.models.functions import Lower

from apps.core.exceptions import ConflictError, ValidationFailed
from apps.core.preconditions import IfMatch, if_match_check
from apps.core.services import model_update, unique_violation_as
from apps.stores.models import Store
from apps.users.models import User
from apps.users.selectors import user_get_by_email

from .models import Address, Customer

ADDRESS_LIMIT = 20


class CustomerChanges(TypedDict, total=False):
    """A customer's contact details (the account link changes only by linking)."""

    email: str
    first_name: str
    last_name: str
    phone: str


class AddressChanges(TypedDict, total=False):
    kind: str
    line1: str
    line2: str
    city: str
    postal_code: str
    country: str


def _normalize_email(email: str) -> str:
    return email.strip().lower()


def _email_taken(email: str) -> ValidationFailed:
    return ValidationFailed.on_field(
        "email", f"Another customer of this store already uses {email}.", "unique"
    )


def _with_email(*, store: Store, email: str) -> QuerySet[Customer]:
    # Lower(email), as in the unique index, so that the index answers.
    return Customer.objects.alias(email_lower=Lower("email")).filter(
        store=store, email_lower=_normalize_email(email)
    )


def _email_in_use(*, store: Store, email: str, exclude: Customer | None = None) -> bool:
    queryset = _with_email(store=store, email=email)
    if exclude is not None:
        queryset = queryset.exclude(pk=exclude.pk)
    return queryset.exists()


@transaction.atomic
def customer_create(
    *,
    store: Store,
    email: str,
    first_name: str = "",
    last_name: str = "",
    phone: str = "",
) -> Customer:
    """Create a customer without an account (staff, e.g. for a phone order)."""
    email = _normalize_email(email)
    if _email_in_use(store=store, email=email):
        raise _email_taken(email)
    customer = Customer(
        store=store,
        email=email,
        first_name=first_name,
        last_name=last_name,
        phone=phone,
    )
    with unique_violation_as(lambda: _email_taken(email)):  # a concurrent request
        customer.save()
    return customer


@transaction.atomic
def customer_update(
    *,
    customer: Customer,
    if_match: IfMatch | None = None,
    **changes: Unpack[CustomerChanges],
) -> Customer:
    """Change a customer's contact details."""
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    if_match_check(if_match, customer)
    email = changes.get("email")
    if email is not None:
        email = changes["email"] = _normalize_email(email)
        if _email_in_use(store=customer.store, email=email, exclude=customer):
            raise _email_taken(email)
    with unique_violation_as(lambda: _email_taken(str(email))):
        model_update(
            instance=customer, fields=CustomerChanges.__annotations__, data=changes
        )
    return customer


def _already_customer() -> ConflictError:
    return ConflictError(
        "You are already a customer of this store; read or change your profile "
        "with GET or PATCH on customers/me/.",
        code="already_customer",
    )


def _email_claimed() -> ConflictError:
    return ConflictError(
        "This store already has a customer with your email address; ask the store "
        "to link it to your account.",
        code="customer_email_taken",
    )


@transaction.atomic
def customer_register(*, store: Store, user: User) -> Customer:
    """Make the user a customer of the store, from their account's details."""
    if Customer.objects.filter(store=store, user=user).exists():
        raise _already_customer()
    email = _normalize_email(user.email)
    existing = _with_email(store=store, email=email).first()
    if existing is not None:
        # A concurrent request of the same user may have just created it.
        raise _already_customer() if existing.user_id == user.pk else _email_claimed()
    customer = Customer(
        store=store,
        user=user,
        email=email,
        first_name=user.first_name,
        last_name=user.last_name,
    )
    try:
        with transaction.atomic():
            customer.save()
    except IntegrityError as exc:  # a concurrent request won the race
        if Customer.objects.filter(store=store, user=user).exists():
            raise _already_customer() from exc
        raise _email_claimed() from exc
    return customer


@transaction.atomic
def customer_link_account(
    *, customer: Customer, if_match: IfMatch | None = None
) -> Customer:
    """Link a customer to the registered account with the same email (staff only).

    Staff who know the customer (a phone order, a shop visit) vouch for the
    account; self-registration never links (ADR 0012).
    """
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    if_match_check(if_match, customer)
    if customer.user_id is not None:
        raise ConflictError(
            "This customer is already linked to an account.",
            code="account_already_linked",
        )
    user = user_get_by_email(email=customer.email)
    if user is None or not user.is_active:
        raise ConflictError(
            f"No active account uses {customer.email}; they must sign up first.",
            code="no_account",
        )
    if Customer.objects.filter(store_id=customer.store_id, user=user).exists():
        raise ConflictError(
            "That account already has another customer profile in this store.",
            code="already_customer",
        )
    customer.user = user
    customer.save(update_fields=["user", "updated_at"])
    return customer


@transaction.atomic
def address_create(
    *,
    customer: Customer,
    line1: str,
    city: str,
    country: str,
    kind: str = Address.Kind.SHIPPING,
    line2: str = "",
    postal_code: str = "",
) -> Address:
    """Add an address to a customer, within the per-customer limit."""
    # The lock makes "count, then insert" atomic per customer.
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    if Address.objects.filter(customer=customer).count() >= ADDRESS_LIMIT:
        raise ConflictError(
            f"A customer can have at most {ADDRESS_LIMIT} addresses; "
            "remove or change one instead.",
            code="address_limit_reached",
        )
    return Address.objects.create(
        customer=customer,
        kind=kind,
        line1=line1,
        line2=line2,
        city=city,
        postal_code=postal_code,
        country=country.upper(),
    )


@transaction.atomic
def address_update(
    *,
    address: Address,
    if_match: IfMatch | None = None,
    **changes: Unpack[AddressChanges],
) -> Address:
    """Change an address."""
    address = Address.objects.select_for_update().get(pk=address.pk)
    if_match_check(if_match, address)
    if "country" in changes:
        changes["country"] = changes["country"].upper()
    model_update(instance=address, fields=AddressChanges.__annotations__, data=changes)
    return address


@transaction.atomic
def address_delete(*, address: Address, if_match: IfMatch | None = None) -> None:
    """Remove an address (orders keep their own snapshot of it)."""
    locked = Address.objects.select_for_update().filter(pk=address.pk).first()
    if locked is not None:  # else removed meanwhile: nothing is left to do
        if_match_check(if_match, locked)
        locked.delete()
