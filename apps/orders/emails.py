"""Order emails: what each one says, composed in one place.

Services record an email in the outbox in the same transaction as the change
that causes it (``order_email_enqueue``); the outbox delivers it after commit,
or later if the broker was down, once per deduplication key. The handlers here
read the order as it is at sending time and render a text and an HTML part
from ``templates/orders/email/``. Each carries a ``Message-ID`` derived from
its key, so that a receiver can drop a duplicate delivery.
"""

import logging
from typing import Any

from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from apps.core.models import OutboxMessage
from apps.core.money import format_amount
from apps.core.outbox import outbox_enqueue, outbox_message_id

from .models import Order

logger = logging.getLogger(__name__)

# The outbox kinds this app handles (registered in OrdersConfig.ready()):
# kind -> (template name, subject).
CONFIRMATION = "orders.confirmation"
SHIPPED = "orders.shipped"
REFUNDED = "orders.refunded"
EMAILS = {
    CONFIRMATION: ("confirmation", "Your order #{number} at {store}"),
    SHIPPED: ("shipped", "Your order #{number} is on its way"),
    REFUNDED: ("refunded", "Your order #{number} was refunded"),
}


def order_email_enqueue(*, order: Order, kind: str) -> None:
    """Record the email in the outbox, inside the caller's transaction."""
    template, _ = EMAILS[kind]
    outbox_enqueue(
        kind=kind,
        dedup_key=f"order-{template}:{order.pk}",
        payload={"order_id": str(order.pk)},
    )


def _context(order: Order) -> dict[str, Any]:
    items = list(order.items.all())
    return {
        "order": order,
        "store": order.store,
        "customer": order.customer,
        "items": [
            {
                "name": item.name,
                "sku": item.sku,
                "quantity": item.quantity,
                "unit_price": format_amount(item.unit_price, order.currency),
                "line_total": format_amount(item.line_total, order.currency),
            }
            for item in items
        ],
        "subtotal": format_amount(order.subtotal, order.currency),
        "total": format_amount(order.total, order.currency),
        "address": order.shipping_address,
    }


def order_email(*, order: Order, kind: str, message_id: str) -> EmailMultiAlternatives:
    """The email of ``kind`` about ``order``, with its text and HTML parts."""
    template, subject = EMAILS[kind]
    context = _context(order)
    email = EmailMultiAlternatives(
        subject=subject.format(number=order.number, store=order.store.name),
        body=render_to_string(f"orders/email/{template}.txt", context),
        to=[order.customer.email],
        headers={"Message-ID": message_id},
    )
    email.attach_alternative(
        render_to_string(f"orders/email/{template}.html", context), "text/html"
    )
    return email


def order_email_deliver(message: OutboxMessage) -> None:
    """Outbox handler of every order email (SMTP errors propagate: retried)."""
    order = (
        Order.objects.select_related("store", "customer")
        .filter(pk=message.payload["order_id"])
        .first()
    )
    if order is None:  # nothing to say about an order that is gone
        logger.info("order email skipped: no order", extra=dict(message.payload))
        return
    order_email(
        order=order, kind=message.kind, message_id=outbox_message_id(message.dedup_key)
    ).send()
    logger.info(
        "order email sent", extra={"kind": message.kind, "order_id": str(order.pk)}
    )
