"""The order status machine, in one table.

::

    pending ──pay──▶ paid ──ship──▶ shipped ──deliver──▶ delivered
       │               │               │                    │
       └─cancel/expire─▶ cancelled     └──────refund────────┴──▶ refunded
                       paid ──refund──▶ refunded

Each verb names the states it leaves from, the state it reaches, the event it
writes, the timestamp it sets and what happens to the reserved stock. Services
call ``ensure_transition`` under the order's row lock; nothing else changes
``Order.status``.
"""

from dataclasses import dataclass
from enum import StrEnum

from apps.core.exceptions import ConflictError

from .models import Order, OrderEvent

Status = Order.Status


class Verb(StrEnum):
    PAY = "pay"
    SHIP = "ship"
    DELIVER = "deliver"
    CANCEL = "cancel"
    EXPIRE = "expire"
    REFUND = "refund"


class Restock(StrEnum):
    NONE = "none"  # the stock stays sold
    ALL = "all"  # every unit goes back (the reservation is released)
    CHOSEN = "chosen"  # the units staff choose go back (returned goods)


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    target: str
    event: str
    timestamp: str
    restock: Restock


TRANSITIONS: dict[Verb, Transition] = {
    Verb.PAY: Transition(
        frozenset({Status.PENDING}),
        Status.PAID,
        OrderEvent.Type.PAID,
        "paid_at",
        Restock.NONE,
    ),
    Verb.SHIP: Transition(
        frozenset({Status.PAID}),
        Status.SHIPPED,
        OrderEvent.Type.SHIPPED,
        "shipped_at",
        Restock.NONE,
    ),
    Verb.DELIVER: Transition(
        frozenset({Status.SHIPPED}),
        Status.DELIVERED,
        OrderEvent.Type.DELIVERED,
        "delivered_at",
        Restock.NONE,
    ),
    Verb.CANCEL: Transition(
        frozenset({Status.PENDING}),
        Status.CANCELLED,
        OrderEvent.Type.CANCELLED,
        "cancelled_at",
        Restock.ALL,
    ),
    Verb.EXPIRE: Transition(
        frozenset({Status.PENDING}),
        Status.CANCELLED,
        OrderEvent.Type.EXPIRED,
        "cancelled_at",
        Restock.ALL,
    ),
    Verb.REFUND: Transition(
        frozenset({Status.PAID, Status.SHIPPED, Status.DELIVERED}),
        Status.REFUNDED,
        OrderEvent.Type.REFUNDED,
        "refunded_at",
        Restock.CHOSEN,
    ),
}


def allowed_verbs(status: str) -> list[Verb]:
    """The verbs an order in ``status`` accepts, in table order."""
    return [verb for verb, move in TRANSITIONS.items() if status in move.sources]


def ensure_transition(*, order: Order, verb: Verb) -> Transition:
    """The move ``verb`` makes from here, or 409 ``invalid_transition``."""
    move = TRANSITIONS[verb]
    if order.status not in move.sources:
        raise ConflictError(
            f"Cannot {verb} an order that is {order.status}; "
            f"{verb} moves an order from {_or(move.sources)} to {move.target}.",
            code="invalid_transition",
            extra={
                "order_status": order.status,
                "allowed": allowed_verbs(order.status),
            },
        )
    return move


def _or(states: frozenset[str]) -> str:
    ordered = [state for state in Status.values if state in states]
    return " or ".join(ordered)
