"""The verbs of an order: pay, ship, deliver, cancel, expire, refund.

Each one locks the order row, checks the caller's ``If-Match`` against the
order as it stands under the lock (412 ``precondition_failed``), asks the
transition table whether the move is allowed from the current status (409
``invalid_transition`` otherwise), sets the status and its timestamp, gives
stock back through the products ledger when the table says so, and writes one
timeline event with the actor.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.db import transaction
from django.utils import timezone

from apps.core.exceptions import ConflictError, ValidationFailed, field_error
from apps.core.preconditions import IfMatch, if_match_check
from apps.products.models import StockMovement
from apps.products.services import StockLine, stock_release
from apps.users.models import User

from .. import emails
from ..emails import order_email_enqueue
from ..models import Order, OrderEvent, OrderItem
from ..transitions import Restock, Verb, ensure_transition

# The verbs the customer hears about by email.
EMAIL_ON = {Verb.SHIP: emails.SHIPPED, Verb.REFUND: emails.REFUNDED}
RESTOCK_REASONS = {
    Verb.CANCEL: StockMovement.Reason.ORDER_CANCELLED,
    Verb.EXPIRE: StockMovement.Reason.ORDER_EXPIRED,
    Verb.REFUND: StockMovement.Reason.REFUND_RESTOCK,
}


@dataclass(frozen=True)
class RestockLine:
    """Units of one order line that go back on the shelf after a refund."""

    item_id: UUID
    quantity: int


def _move(
    *,
    order: Order,
    verb: Verb,
    actor: User | None,
    data: dict[str, Any] | None = None,
    changes: dict[str, Any] | None = None,
    restock: Sequence[RestockLine] | None = None,
    if_match: IfMatch | None = None,
) -> Order:
    locked = Order.objects.select_for_update().get(pk=order.pk)
    if_match_check(if_match, locked)
    move = ensure_transition(order=locked, verb=verb)
    now = timezone.now()
    if verb is Verb.EXPIRE and (locked.expires_at is None or locked.expires_at > now):
        raise ConflictError(
            f"Order #{locked.number} is not past its payment deadline.",
            code="not_expired",
        )
    items = list(OrderItem.objects.filter(order=locked).order_by("id"))
    if move.restock is Restock.ALL:
        returns = {item.pk: item.quantity for item in items}
    elif move.restock is Restock.CHOSEN:
        returns = _chosen_returns(items=items, restock=restock or [])
    else:
        returns = {}
    locked.status = move.target
    setattr(locked, move.timestamp, now)
    for name, value in (changes or {}).items():
        setattr(locked, name, value)
    locked.save(
        update_fields=["status", move.timestamp, "updated_at", *(changes or {})]
    )
    if returns:
        by_id = {item.pk: item for item in items}
        stock_release(
            store_id=locked.store_id,
            lines=[
                StockLine(product_id=by_id[item_id].product_id, quantity=quantity)
                for item_id, quantity in returns.items()
            ],
            reason=RESTOCK_REASONS[verb],
            order_id=locked.pk,
            actor=actor,
        )
        if move.restock is Restock.CHOSEN:
            for item_id, quantity in returns.items():
                by_id[item_id].restocked_quantity = quantity
            OrderItem.objects.bulk_update(
                [by_id[item_id] for item_id in returns], ["restocked_quantity"]
            )
    event_data = dict(data or {})
    if returns:
        event_data["restocked"] = {str(k): v for k, v in returns.items()}
    OrderEvent.objects.create(
        order=locked, type=move.event, actor=actor, at=now, data=event_data
    )
    if verb in EMAIL_ON:  # recorded with the change, sent after commit
        order_email_enqueue(order=locked, kind=EMAIL_ON[verb])
    return locked


def _chosen_returns(
    *, items: Sequence[OrderItem], restock: Sequence[RestockLine]
) -> dict[UUID, int]:
    """Validate which units staff put back: lines of this order, within quantity."""
    by_id = {item.pk: item for item in items}
    errors = []
    returns: dict[UUID, int] = {}
    for index, line in enumerate(restock):
        item = by_id.get(line.item_id)
        if item is None:
            errors.append(
                field_error(
                    f"restock.{index}.item", "Not a line of this order.", "not_a_line"
                )
            )
        elif line.item_id in returns:
            errors.append(
                field_error(f"restock.{index}.item", "Listed twice.", "duplicate")
            )
        elif not 1 <= line.quantity <= item.quantity:
            errors.append(
                field_error(
                    f"restock.{index}.quantity",
                    f"Between 1 and {item.quantity} for this line.",
                    "out_of_range",
                )
            )
        else:
            returns[line.item_id] = line.quantity
    if errors:
        raise ValidationFailed("Some restock lines are invalid.", errors=errors)
    return returns


@transaction.atomic
def order_pay(
    *,
    order: Order,
    actor: User | None,
    data: dict[str, Any] | None = None,
    if_match: IfMatch | None = None,
) -> Order:
    """Mark a pending order paid (staff, offline; or a verified payment event)."""
    return _move(order=order, verb=Verb.PAY, actor=actor, data=data, if_match=if_match)


@transaction.atomic
def order_ship(
    *,
    order: Order,
    actor: User | None,
    carrier: str = "",
    tracking_number: str = "",
    if_match: IfMatch | None = None,
) -> Order:
    """Ship a paid order, optionally with the carrier and its tracking number."""
    return _move(
        order=order,
        verb=Verb.SHIP,
        actor=actor,
        data={"carrier": carrier, "tracking_number": tracking_number},
        changes={"carrier": carrier, "tracking_number": tracking_number},
        if_match=if_match,
    )


@transaction.atomic
def order_deliver(
    *, order: Order, actor: User | None, if_match: IfMatch | None = None
) -> Order:
    """Mark a shipped order delivered."""
    return _move(order=order, verb=Verb.DELIVER, actor=actor, if_match=if_match)


@transaction.atomic
def order_cancel(
    *,
    order: Order,
    actor: User | None,
    reason: str = "",
    if_match: IfMatch | None = None,
) -> Order:
    """Cancel a pending order; all its units go back to stock."""
    return _move(
        order=order,
        verb=Verb.CANCEL,
        actor=actor,
        data={"reason": reason},
        changes={"cancel_reason": reason},
        if_match=if_match,
    )


@transaction.atomic
def order_expire(*, order: Order) -> Order:
    """Cancel a pending order left unpaid past ``expires_at`` (the system)."""
    return _move(
        order=order,
        verb=Verb.EXPIRE,
        actor=None,
        changes={"cancel_reason": "Not paid in time."},
    )


@transaction.atomic
def order_refund(
    *,
    order: Order,
    actor: User | None,
    restock: Sequence[RestockLine] = (),
    reason: str = "",
    if_match: IfMatch | None = None,
) -> Order:
    """Refund a paid, shipped or delivered order; ``restock`` says what goes back.

    Nothing returns to stock unless staff list the lines (returned goods).
    """
    return _move(
        order=order,
        verb=Verb.REFUND,
        actor=actor,
        data={"reason": reason},
        restock=restock,
        if_match=if_match,
    )
