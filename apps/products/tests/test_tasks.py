"""The daily inventory tasks: the stock reconciliation alert and the low-stock
digest, run as beat runs them (eagerly here), with the clock moved by
time-machine. Emails go through the outbox, once per store and day."""

from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from apps.core.models import OutboxMessage
from apps.core.testing import FROZEN_AT
from apps.products.models import Product
from apps.products.tasks import reconcile_stock, send_low_stock_digests
from apps.stores.tests.factories import MembershipFactory, StoreFactory

from .factories import ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Run a task and deliver what it recorded in the outbox, as after a commit."""

    def run_task(task):
        with django_capture_on_commit_callbacks(execute=True):
            task.delay()

    return run_task


def _team(store):
    return {
        role: MembershipFactory(store=store, role=role).user.email
        for role in ("owner", "manager", "staff")
    }


def _drift(product, by):
    # What no service can do: stock changed behind the ledger's back.
    Product.objects.filter(pk=product.pk).update(
        stock_quantity=product.stock_quantity + by
    )


# --- Stock reconciliation -----------------------------------------------------------


def test_a_drifted_ledger_alerts_the_owners_and_changes_no_stock(clock, run):
    store = StoreFactory(name="Corner Shop")
    team = _team(store)
    product = ProductFactory(store=store, sku="MUG-1", stock=10)
    ProductFactory(store=store, sku="CUP-1", stock=4)  # agrees with its ledger
    _drift(product, by=-2)

    run(reconcile_stock)

    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == [team["owner"]]
    assert email.subject == "Stock check at Corner Shop: 1 product(s) disagree"
    assert "MUG-1" in email.body
    assert "stock 8, ledger 10" in email.body
    assert "CUP-1" not in email.body
    product.refresh_from_db()
    assert product.stock_quantity == 8  # reported, never "fixed"


def test_the_drift_alert_goes_out_once_a_day_however_often_the_check_runs(clock, run):
    store = StoreFactory()
    _team(store)
    _drift(ProductFactory(store=store, stock=3), by=1)

    run(reconcile_stock)
    clock.move_to(FROZEN_AT + timedelta(hours=12))
    run(reconcile_stock)
    assert len(mail.outbox) == 1

    clock.move_to(FROZEN_AT + timedelta(days=1))
    run(reconcile_stock)
    assert len(mail.outbox) == 2


def test_a_ledger_that_agrees_sends_nothing(clock, run):
    store = StoreFactory()
    _team(store)
    ProductFactory(store=store, stock=3)

    run(reconcile_stock)

    assert mail.outbox == []
    assert not OutboxMessage.objects.exists()


def test_reconcile_stock_alerts_only_when_asked(
    clock, django_capture_on_commit_callbacks
):
    store = StoreFactory(slug="corner")
    _team(store)
    _drift(ProductFactory(store=store, sku="MUG-1", stock=10), by=5)
    out = StringIO()

    with pytest.raises(CommandError, match="1 product"):
        call_command("reconcile_stock", stdout=out)
    assert "corner MUG-1: stock 15, ledger 10" in out.getvalue()
    assert not OutboxMessage.objects.exists()

    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(CommandError),
    ):
        call_command("reconcile_stock", "--alert", stdout=out)
    assert "Owners of 1 store(s) alerted." in out.getvalue()
    assert len(mail.outbox) == 1


# --- Low-stock digest ---------------------------------------------------------------


def test_the_digest_lists_the_active_products_at_or_below_their_threshold(clock, run):
    store = StoreFactory(name="Corner Shop", low_stock_threshold=5)
    team = _team(store)
    ProductFactory(store=store, sku="AT-THRESHOLD", stock=5)
    ProductFactory(store=store, sku="OWN-THRESHOLD", stock=8, low_stock_threshold=10)
    ProductFactory(store=store, sku="PLENTY", stock=6)
    ProductFactory(store=store, sku="RETIRED", stock=1, is_active=False)

    run(send_low_stock_digests)

    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert sorted(email.to) == sorted(team.values())
    assert email.subject == "Low stock at Corner Shop: 2 product(s)"
    assert "AT-THRESHOLD (Product" in email.body
    assert "5 left, threshold 5" in email.body
    assert "8 left, threshold 10" in email.body
    assert "PLENTY" not in email.body
    assert "RETIRED" not in email.body


def test_each_store_gets_its_own_digest_and_a_store_with_none_low_gets_none(clock, run):
    stores = [StoreFactory(), StoreFactory(), StoreFactory()]
    for store in stores:
        _team(store)
    ProductFactory(store=stores[0], stock=1)
    ProductFactory(store=stores[1], stock=0)
    ProductFactory(store=stores[2], stock=50)

    run(send_low_stock_digests)

    assert sorted(m.subject for m in mail.outbox) == sorted(
        f"Low stock at {s.name}: 1 product(s)" for s in stores[:2]
    )


def test_the_digest_goes_out_once_per_day_of_the_store_calendar(clock, run):
    tokyo = StoreFactory(timezone="Asia/Tokyo")
    _team(tokyo)
    ProductFactory(store=tokyo, stock=1)

    clock.move_to(datetime(2026, 3, 1, 23, 30, tzinfo=UTC))  # 2 March, 08:30 there
    run(send_low_stock_digests)
    clock.move_to(datetime(2026, 3, 2, 6, 0, tzinfo=UTC))  # 2 March, 15:00 there
    run(send_low_stock_digests)
    assert len(mail.outbox) == 1

    clock.move_to(datetime(2026, 3, 2, 15, 30, tzinfo=UTC))  # 3 March there
    run(send_low_stock_digests)
    assert len(mail.outbox) == 2


def test_a_product_restocked_before_the_digest_is_sent_is_not_listed(
    clock, django_capture_on_commit_callbacks
):
    from apps.core.outbox import outbox_relay
    from apps.products.services import low_stock_digests_send, product_stock_adjust

    store = StoreFactory()
    _team(store)
    product = ProductFactory(store=store, stock=1)
    low_stock_digests_send()  # recorded; the broker delivers it later
    product_stock_adjust(product=product, actor=None, delta=20, reason="restock")

    outbox_relay()

    assert mail.outbox == []  # nothing left to say
    assert OutboxMessage.objects.get().status == OutboxMessage.Status.DELIVERED


def test_the_low_stock_digest_command(clock, django_capture_on_commit_callbacks):
    store = StoreFactory()
    _team(store)
    ProductFactory(store=store, stock=1)
    out = StringIO()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("low_stock_digest", stdout=out)

    assert out.getvalue().strip() == "Low-stock digest recorded for 1 store(s)."
    assert len(mail.outbox) == 1
