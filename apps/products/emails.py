"""Inventory emails to a store's team: what each one says, composed in one place.

``services.alerts`` records them in the outbox, one per store and day (the
deduplication key carries the store and the date). The handlers here read the
inventory as it is at sending time, so a digest never lists a product that was
restocked in between; one with nothing left to say is not sent. Each email
carries a ``Message-ID`` derived from its key, so a receiver can drop a repeat.
"""

import logging

from django.core.mail import EmailMessage
from django.db.models import F
from django.db.models.functions import Coalesce

from apps.core.models import OutboxMessage
from apps.core.outbox import outbox_message_id
from apps.stores.models import Membership, Store
from apps.stores.selectors import member_emails

from .selectors import products_low_on_stock, stock_reconciliation

logger = logging.getLogger(__name__)

# The outbox kinds this app handles (registered in ProductsConfig.ready()).
STOCK_DRIFT = "products.stock_drift"
LOW_STOCK_DIGEST = "products.low_stock_digest"

# Who hears about what: drift is the owners' business (someone must find out
# why the ledger and the shelf disagree); every member restocks.
DRIFT_RECIPIENTS = (Membership.Role.OWNER,)
DIGEST_RECIPIENTS = (
    Membership.Role.OWNER,
    Membership.Role.MANAGER,
    Membership.Role.STAFF,
)


def stock_drift_email(*, store: Store, message_id: str) -> EmailMessage | None:
    """The alert listing the store's products whose ledger drifted, or None."""
    drifted = list(stock_reconciliation(store=store).order_by("sku"))
    recipients = member_emails(store_id=store.pk, roles=DRIFT_RECIPIENTS)
    if not drifted or not recipients:
        return None
    lines = "\n".join(
        f"- {product.sku} ({product.name}): stock {product.stock_quantity}, "
        f"ledger {getattr(product, 'ledger_total')}"  # noqa: B009 - an annotation
        for product in drifted
    )
    return EmailMessage(
        subject=f"Stock check at {store.name}: {len(drifted)} product(s) disagree",
        body=(
            f"The daily stock check of {store.name} found products whose stock "
            "on hand differs from the sum of their stock movements:\n\n"
            f"{lines}\n\n"
            "Nothing was changed. Count the shelf, then record the difference as "
            "a stock adjustment with a note saying what you found."
        ),
        to=recipients,
        headers={"Message-ID": message_id},
    )


def low_stock_digest_email(*, store: Store, message_id: str) -> EmailMessage | None:
    """The digest of the store's active products low on stock, or None."""
    low = list(
        products_low_on_stock(store_id=store.pk)
        .annotate(
            threshold=Coalesce(
                F("low_stock_threshold"), F("store__low_stock_threshold")
            )
        )
        .order_by("stock_quantity", "sku")
        .values_list("sku", "name", "stock_quantity", "threshold")
    )
    recipients = member_emails(store_id=store.pk, roles=DIGEST_RECIPIENTS)
    if not low or not recipients:
        return None
    lines = "\n".join(
        f"- {sku} ({name}): {stock} left, threshold {threshold}"
        for sku, name, stock, threshold in low
    )
    return EmailMessage(
        subject=f"Low stock at {store.name}: {len(low)} product(s)",
        body=(
            f"These products of {store.name} are at or below their low-stock "
            f"threshold:\n\n{lines}\n"
        ),
        to=recipients,
        headers={"Message-ID": message_id},
    )


COMPOSERS = {STOCK_DRIFT: stock_drift_email, LOW_STOCK_DIGEST: low_stock_digest_email}


def inventory_email_deliver(message: OutboxMessage) -> None:
    """Outbox handler of both inventory emails (SMTP errors propagate: retried)."""
    store = Store.objects.filter(pk=message.payload["store_id"]).first()
    email = (
        None
        if store is None
        else COMPOSERS[message.kind](
            store=store, message_id=outbox_message_id(message.dedup_key)
        )
    )
    if email is None:
        logger.info(
            "inventory email skipped: nothing to report or nobody to tell",
            extra={"kind": message.kind, **message.payload},
        )
        return
    email.send()
    logger.info("inventory email sent", extra={"kind": message.kind, **message.payload})
