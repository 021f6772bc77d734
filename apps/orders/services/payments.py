"""Payment events from a provider, after their signature has been verified.

Each provider event id is processed once per store (a unique constraint, so a
redelivered or replayed event changes nothing). A ``payment.succeeded`` event
pays its order only when the order is this store's, pending, and the amount and
currency equal the order's total exactly; anything else is recorded with the
reason, on the order's timeline when the order is known, and the order stays
as it was. The amount is read in the grammar of every amount the API takes
(``apps.core.money.parse_amount``): ``"12.5"`` pays an order of 12.50, while
``"1.25e1"`` or ``" 12.50"`` is an ``amount_mismatch``.
"""

from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction

from apps.core.exceptions import ApplicationError
from apps.core.money import parse_amount
from apps.stores.models import Store

from ..models import Order, OrderEvent, PaymentEvent
from .lifecycle import order_pay

SUCCEEDED = "payment.succeeded"


@dataclass(frozen=True)
class PaymentResult:
    outcome: str  # applied, rejected, duplicate
    reason: str = ""
    order: Order | None = None


def _reason(*, order: Order | None, event_type: Any, data: dict[str, Any]) -> str:
    """Why the event cannot pay its order, or "" when it can."""
    if event_type != SUCCEEDED:
        return "unsupported_type"
    if order is None:
        return "unknown_order"
    if data.get("currency") != order.currency:
        return "currency_mismatch"
    if parse_amount(data.get("amount")) != order.total:
        return "amount_mismatch"
    if order.status != Order.Status.PENDING:
        return "order_not_pending"
    return ""


def _order_of(*, store: Store, data: dict[str, Any]) -> Order | None:
    number = data.get("order_number")
    if isinstance(number, str) and number.isdigit() and len(number) <= 18:
        number = int(number)
    if not isinstance(number, int) or isinstance(number, bool) or number < 1:
        return None
    return Order.objects.select_for_update().filter(store=store, number=number).first()


@transaction.atomic
def payment_event_process(
    *, store: Store, event_id: str, payload: dict[str, Any]
) -> PaymentResult:
    """Record a verified event once and pay its order if it matches exactly."""
    if PaymentEvent.objects.filter(store=store, event_id=event_id).exists():
        return PaymentResult(outcome="duplicate")
    data = payload.get("data")
    data = data if isinstance(data, dict) else {}
    order = _order_of(store=store, data=data)
    reason = _reason(order=order, event_type=payload.get("type"), data=data)
    if not reason and order is not None:
        try:
            order = order_pay(
                order=order, actor=None, data={"payment_event_id": event_id}
            )
        except ApplicationError as exc:  # moved on since it was read
            reason = exc.code
    outcome = PaymentEvent.Outcome.REJECTED if reason else PaymentEvent.Outcome.APPLIED
    try:
        with transaction.atomic():
            PaymentEvent.objects.create(
                store=store,
                event_id=event_id,
                type=str(payload.get("type", ""))[:64],
                order=order,
                amount=str(data.get("amount", ""))[:40],
                currency=str(data.get("currency", ""))[:8],
                outcome=outcome,
                reason=reason,
                payload=payload,
            )
    except IntegrityError:  # the same event, delivered twice at once
        transaction.set_rollback(True)
        return PaymentResult(outcome="duplicate")
    if reason and order is not None:
        OrderEvent.objects.create(
            order=order,
            type=OrderEvent.Type.PAYMENT_REJECTED,
            data={"payment_event_id": event_id, "reason": reason},
        )
    return PaymentResult(outcome=outcome, reason=reason, order=order)
