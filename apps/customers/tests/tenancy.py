"""Store-scoped endpoints of the customers app, for the tenancy matrix (tests/).

Back-office routes (``customers/...``) are for members: owner and manager read
and write, staff read only (403 on writes), anybody else is told the store
does not exist (404), anonymous callers must authenticate (401).

``customers/me/...`` routes answer by customer profile, not by role:

- the shopper (a customer of store A) reads and writes their own profile and
  addresses; POST me/ again is 409 ``already_customer``;
- members of A and the outsider (owner of store B) are not customers of A:
  GET/PATCH me/ and every me/addresses route answer 404, exactly as for a store
  that does not exist -- and POST me/ makes them customers of A (201), because
  a user may be a customer of any number of stores.

One ``address_id`` serves both kinds of route: in store A the target customer
is the shopper's own profile, so ``customers/<customer_id>/addresses/
<address_id>/`` (a member reaching the shopper's address) and
``customers/me/addresses/<address_id>/`` (the shopper reaching it) name the
same row. Store B gets a customer with an address of its own.
"""

from apps.core.testing import expect, members_only
from apps.customers.models import Customer

from .factories import AddressFactory, CustomerFactory

PREFIX = "api/v1/stores/<str:store_slug>/customers/"
CUSTOMERS = PREFIX
CUSTOMER = PREFIX + "<uuid:customer_id>/"
LINK = PREFIX + "<uuid:customer_id>/link-account/"
ADDRESSES = PREFIX + "<uuid:customer_id>/addresses/"
ADDRESS = PREFIX + "<uuid:customer_id>/addresses/<uuid:address_id>/"
ME = PREFIX + "me/"
MY_ADDRESSES = PREFIX + "me/addresses/"
MY_ADDRESS = PREFIX + "me/addresses/<uuid:address_id>/"


def own_profile(ok: int) -> dict[str, int]:
    """Only a customer of the store reaches their own profile; for others it is 404."""
    return expect(
        owner=404, manager=404, staff=404, shopper=ok, outsider=404, anonymous=401
    )


def _new_customer(world):
    return {"email": world.make_user().email, "first_name": "Pat"}


def _address(world):
    return {"line1": "1 Main St", "city": "Lyon", "country": "FR"}


ENDPOINTS = [
    ("GET", CUSTOMERS, None, members_only(200, 200, 200)),
    ("POST", CUSTOMERS, _new_customer, members_only(201, 201, 403)),
    ("GET", CUSTOMER, None, members_only(200, 200, 200)),
    ("PATCH", CUSTOMER, lambda world: {"phone": "+33 1 23"}, members_only(200, 200)),
    # The target (the shopper's profile) is linked already: managers get 409.
    ("POST", LINK, None, members_only(409, 409)),
    ("GET", ADDRESSES, None, members_only(200, 200, 200)),
    ("POST", ADDRESSES, _address, members_only(201, 201)),
    ("GET", ADDRESS, None, members_only(200, 200, 200)),
    ("PATCH", ADDRESS, lambda world: {"city": "Nice"}, members_only(200, 200)),
    ("DELETE", ADDRESS, None, members_only(204, 204)),
    ("GET", ME, None, own_profile(200)),
    ("PATCH", ME, lambda world: {"first_name": "Sky"}, own_profile(200)),
    (
        "POST",
        ME,
        None,
        expect(
            owner=201, manager=201, staff=201, shopper=409, outsider=201, anonymous=401
        ),
    ),
    ("GET", MY_ADDRESSES, None, own_profile(200)),
    ("POST", MY_ADDRESSES, _address, own_profile(201)),
    ("GET", MY_ADDRESS, None, own_profile(200)),
    ("PATCH", MY_ADDRESS, lambda world: {"line2": "Flat 2"}, own_profile(200)),
    ("DELETE", MY_ADDRESS, None, own_profile(204)),
]


def build(world):
    """Target the shopper's own profile in store A; a customer of B as foreign."""
    shopper = Customer.objects.get(store=world.store_a, user=world.users["shopper"])
    world.params["customer_id"] = shopper.pk
    world.params["address_id"] = AddressFactory(customer=shopper).pk
    foreign = CustomerFactory(store=world.store_b)
    world.foreign["customer_id"] = foreign.pk
    world.foreign["address_id"] = AddressFactory(customer=foreign).pk
