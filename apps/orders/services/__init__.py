"""Writes on orders.

Invariants:
- Placing an order is one transaction: the product rows are locked in primary
  key order, stock is checked and taken under the locks with one ledger
  movement per line, then the order, its lines and its ``placed`` event are
  written. Stock never goes below zero; concurrent buyers never deadlock.
- Prices, totals, status, store and customer are never taken from input:
  prices come from the locked product rows, the store from the URL, the
  customer from the caller (shoppers) or from a customer of this store (staff).
- Status changes only through ``lifecycle`` under the order's row lock, as the
  table in ``apps.orders.transitions`` allows; every change writes an event with
  its actor, and stock goes back only through the products ledger. A verb given
  the caller's ``If-Match`` compares it under that lock, before anything else.
- A payment event is processed once per provider event id; one that does not
  match its order exactly is recorded and changes nothing.

- Unpaid orders past ``expires_at`` are expired one per transaction, each
  claimed with ``SKIP LOCKED``, so overlapping runs never expire one twice.

Modules, by sub-domain: ``placement``, ``lifecycle`` (the verbs), ``expiry``
(the periodic expiry of unpaid orders), ``idempotency`` (the
``Idempotency-Key`` records) and ``payments`` (webhook events).
"""

from .expiry import ExpiryReport, orders_expire_due
from .idempotency import (
    IdempotencyKeyInProgress,
    IdempotencyKeyReused,
    Outcome,
    idempotency_fingerprint,
    idempotency_keys_purge,
    idempotent,
)
from .lifecycle import (
    RestockLine,
    order_cancel,
    order_deliver,
    order_expire,
    order_pay,
    order_refund,
    order_ship,
)
from .payments import PaymentResult, payment_event_process
from .placement import NewCustomer, OrderLine, order_place

__all__ = [
    "ExpiryReport",
    "IdempotencyKeyInProgress",
    "IdempotencyKeyReused",
    "NewCustomer",
    "OrderLine",
    "Outcome",
    "PaymentResult",
    "RestockLine",
    "idempotency_fingerprint",
    "idempotency_keys_purge",
    "idempotent",
    "order_cancel",
    "order_deliver",
    "order_expire",
    "order_pay",
    "order_place",
    "order_refund",
    "order_ship",
    "orders_expire_due",
    "payment_event_process",
]
