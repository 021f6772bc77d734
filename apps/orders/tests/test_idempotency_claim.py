"""An Idempotency-Key's claim: one statement on its own outside a transaction.

Requests run outside any transaction (``ATOMIC_REQUESTS`` is off), where the
claim's INSERT commits by itself; inside a caller's transaction it keeps a
savepoint. These tests run as requests do (``transaction=True``), on SQLite
and on PostgreSQL.
"""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from apps.orders.models import IdempotencyKey
from apps.orders.services import Outcome, idempotent
from apps.orders.services import idempotency as module
from apps.orders.services.idempotency import IdempotencyKeyInProgress
from apps.stores.tests.factories import StoreFactory
from apps.users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def atomic_blocks(monkeypatch):
    """Every transaction.atomic() the idempotency module opens."""
    opened = []
    real_atomic = transaction.atomic

    def counting_atomic(*args, **kwargs):
        opened.append(connection.in_atomic_block)
        return real_atomic(*args, **kwargs)

    monkeypatch.setattr(module.transaction, "atomic", counting_atomic)
    return opened


def _claim(store, user, key="key-1"):
    return module._begin(store=store, user=user, key=key, fingerprint="f" * 64)


def test_outside_a_transaction_the_claim_is_one_committed_insert(atomic_blocks):
    store, user = StoreFactory(), UserFactory()
    with CaptureQueriesContext(connection) as context:
        claimed = _claim(store, user)
    assert isinstance(claimed, IdempotencyKey)
    assert atomic_blocks == []  # no BEGIN ... COMMIT around it
    statements = [query["sql"] for query in context.captured_queries]
    assert len(statements) == 1
    assert statements[0].startswith('INSERT INTO "orders_idempotencykey"')
    assert connection.get_autocommit()  # committed: nothing left open
    assert IdempotencyKey.objects.filter(pk=claimed.pk, state="in_progress").exists()


def test_a_key_claimed_twice_is_in_progress_and_the_connection_still_works(
    atomic_blocks,
):
    store, user = StoreFactory(), UserFactory()
    _claim(store, user)
    with pytest.raises(IdempotencyKeyInProgress):
        _claim(store, user)  # the duplicate INSERT fails on its own
    assert atomic_blocks == []
    assert IdempotencyKey.objects.count() == 1  # the connection is usable


def test_inside_a_callers_transaction_a_duplicate_does_not_break_it(atomic_blocks):
    store, user = StoreFactory(), UserFactory()
    _claim(store, user)
    # The caller's block, opened without the counted transaction.atomic().
    with transaction.Atomic(using=None, savepoint=True, durable=False):
        with pytest.raises(IdempotencyKeyInProgress):
            _claim(store, user)
        assert atomic_blocks == [True]  # the claim took a savepoint
        assert IdempotencyKey.objects.count() == 1  # the transaction goes on


def test_a_request_with_a_key_runs_in_two_transactions(atomic_blocks):
    store, user = StoreFactory(), UserFactory()
    outcome = idempotent(
        store=store,
        user=user,
        key="key-2",
        fingerprint="f" * 64,
        run=lambda: Outcome(status=201, body={"ok": True}),
    )
    assert outcome.body == {"ok": True}
    assert atomic_blocks == [False]  # the work's; the claim committed on its own
    record = IdempotencyKey.objects.get(key="key-2")
    assert (record.state, record.response_status) == ("completed", 201)
