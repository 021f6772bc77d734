"""Who may do what to an order, read by the API and the admin alike.

Members act by role; a shopper (no role) may only cancel their own pending
order. The API hides another customer's order before these rules are read.
"""

from apps.stores.models import Membership

from .transitions import Verb

Role = Membership.Role
SHOPPER = "customer"

VERB_ROLES: dict[Verb, frozenset[str]] = {
    Verb.PAY: frozenset({Role.OWNER, Role.MANAGER}),
    Verb.SHIP: frozenset({Role.OWNER, Role.MANAGER, Role.STAFF}),
    Verb.DELIVER: frozenset({Role.OWNER, Role.MANAGER, Role.STAFF}),
    Verb.CANCEL: frozenset({Role.OWNER, Role.MANAGER, Role.STAFF, SHOPPER}),
    Verb.REFUND: frozenset({Role.OWNER, Role.MANAGER}),
    Verb.EXPIRE: frozenset(),  # the system only
}


def may(*, role: str | None, verb: Verb) -> bool:
    """Whether a caller with this store role (None: a shopper) may use ``verb``."""
    return (role or SHOPPER) in VERB_ROLES[verb]
