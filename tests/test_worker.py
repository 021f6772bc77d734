"""Real workers on the Redis broker: `celery worker` processes started here, on
the test database, doing what production's do.

An order placed through the API gets its confirmation email from a worker, with
the request's id in the worker's log; expiry on a worker gives stock back; and a
worker killed in the middle of a task loses nothing and repeats nothing: the
message was acknowledged late, so it comes back, and the task is idempotent.

They need a broker and PostgreSQL (a worker cannot see SQLite's in-memory test
database): skipped on the embedded default, and failed, not skipped, when
``ORDERLY_REQUIRE_WORKER=1`` (CI).
"""

import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from apps.core.models import OutboxMessage
from apps.orders.models import Order, OrderEvent
from apps.orders.services import order_pay
from apps.orders.tasks import expire_unpaid_orders
from apps.orders.tests.factories import ADDRESS, place_order
from apps.products.models import Product
from apps.products.selectors import stock_reconciliation
from apps.products.tests.factories import ProductFactory
from apps.reports.days import day_window, last_ended_day
from apps.reports.emails import DAILY_SUMMARY
from apps.reports.models import DailySalesReport
from apps.reports.tasks import build_daily_reports
from apps.stores.models import Store
from apps.stores.tests.factories import StoreFactory
from apps.users.tests.factories import UserFactory
from config.celery import app

ROOT = Path(__file__).resolve().parent.parent
WAIT = 60  # seconds: a worker starts in a few; CI machines are slow


def wait_for(condition: Callable[[], Any], what: str, timeout: float = WAIT) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.1)
    pytest.fail(f"gave up after {timeout} s waiting for {what}")


def _database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return (
        f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )


class Workers:
    """Start `celery worker` processes on the test database; stop them all after."""

    def __init__(self, mail_dir: Path, log_dir: Path) -> None:
        self.mail_dir = mail_dir
        self.log_dir = log_dir
        self.processes: list[subprocess.Popen[bytes]] = []

    def start(self, *, pool: str = "solo", **env: str) -> subprocess.Popen[bytes]:
        name = f"test-{len(self.processes)}-{uuid.uuid4().hex[:6]}"
        log = (self.log_dir / f"{name}.log").open("wb")
        process = subprocess.Popen(  # noqa: S603 - this interpreter, fixed arguments
            [
                *(sys.executable, "-m", "celery", "-A", "config", "--quiet"),
                *("worker", "-n", f"{name}@%h", "-P", pool, "-c", "1", "-l", "info"),
                *("-Q", ",".join(q.name for q in settings.CELERY_TASK_QUEUES)),
                *("--without-gossip", "--without-mingle", "--without-heartbeat"),
            ],
            cwd=ROOT,
            env={
                **os.environ,
                "DJANGO_SETTINGS_MODULE": "config.settings.test",
                "DATABASE_URL": _database_url(),
                "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
                "TEST_EMAIL_BACKEND": "apps.core.testing.GatedFileEmailBackend",
                "TEST_EMAIL_FILE_PATH": str(self.mail_dir),
                "TEST_LOG_LEVEL": "INFO",
                **env,
            },
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, pool children included
        )
        self.processes.append(process)
        return process

    def kill(self, process: subprocess.Popen[bytes]) -> None:
        """SIGKILL the worker and its pool: no warm shutdown, no goodbye."""
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=WAIT)

    def log_records(self) -> list[dict[str, Any]]:
        return [
            json.loads(line)
            for path in self.log_dir.glob("*.log")
            for line in path.read_text().splitlines()
            if line.startswith("{")
        ]

    def emails(self) -> list[str]:
        return [p.read_text() for p in sorted(self.mail_dir.glob("*.log"))]

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def _purge_queues() -> None:
    with app.connection_for_write() as conn:
        channel = conn.default_channel
        for queue in settings.CELERY_TASK_QUEUES:
            channel.queue_purge(queue.name)


@pytest.fixture
def workers(transactional_db, tmp_path) -> Iterator[Workers]:
    """Tasks go through the broker (not eagerly) to workers that the test starts."""
    reason = None
    if settings.CELERY_BROKER_URL.startswith("memory://"):
        reason = "needs a broker (set CELERY_BROKER_URL=redis://...)"
    elif connection.vendor != "postgresql":
        reason = "needs PostgreSQL (set DATABASE_URL): a worker cannot see SQLite's"
    if reason:
        if os.environ.get("ORDERLY_REQUIRE_WORKER") == "1":
            pytest.fail(f"real-worker test cannot run: {reason}")
        pytest.skip(reason)

    from conftest import _fresh_celery_pools

    saved = app.conf.task_always_eager
    app.conf.task_always_eager = False
    _fresh_celery_pools(app)
    _purge_queues()
    (tmp_path / "mail").mkdir()
    (tmp_path / "logs").mkdir()
    running = Workers(tmp_path / "mail", tmp_path / "logs")
    try:
        yield running
    finally:
        running.stop_all()
        _purge_queues()
        app.conf.task_always_eager = saved
        _fresh_celery_pools(app)


def _order_past_its_deadline(quantity=3):
    store = StoreFactory()
    product = ProductFactory(store=store, stock=10)
    order = place_order(store=store, products=[(product, quantity)])
    Order.objects.filter(pk=order.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    return order, product


def _stock(product: Product) -> int:
    product.refresh_from_db()
    return product.stock_quantity


def _status(order: Order) -> str:
    order.refresh_from_db()
    return order.status


# --- The work gets done -----------------------------------------------------------


def test_an_order_placed_through_the_api_is_confirmed_by_email_from_a_worker(
    workers, auth_client
):
    store = StoreFactory(slug="worker-shop")
    product = ProductFactory(store=store, stock=5)
    shopper = UserFactory(email="buyer@example.com")
    workers.start()

    response = auth_client(shopper).post(
        "/api/v1/stores/worker-shop/orders/",
        {"lines": [{"product": str(product.pk), "quantity": 1}]}
        | {"shipping_address": ADDRESS},
        format="json",
        HTTP_X_REQUEST_ID="req-worker-1",
    )

    assert response.status_code == 201, response.content
    number = response.json()["number"]
    # The email is written just before the delivery commits: wait for the commit.
    wait_for(
        lambda: OutboxMessage.objects.filter(status="delivered").exists(),
        "the confirmation to be delivered",
    )
    emails = workers.emails()
    assert len(emails) == 1
    assert "To: buyer@example.com" in emails[0]
    assert f"Subject: Your order #{number} at {store.name}" in emails[0]
    message = OutboxMessage.objects.get(kind="orders.confirmation")
    assert (message.status, message.attempts) == ("delivered", 1)
    # The worker's log lines carry the id of the request that enqueued the task.
    handled = wait_for(
        lambda: [
            r
            for r in workers.log_records()
            if r.get("message") == "outbox message handled"
        ],
        "the worker's log line",
    )
    assert handled[0]["request_id"] == "req-worker-1"
    assert handled[0]["outcome"] == "delivered"


def test_expiry_on_a_worker_gives_the_stock_back(workers):
    order, product = _order_past_its_deadline(quantity=3)
    assert _stock(product) == 7
    workers.start()

    expire_unpaid_orders.delay()

    wait_for(lambda: _status(order) == "cancelled", "the order to expire")
    assert _stock(product) == 10
    assert order.events.filter(type=OrderEvent.Type.EXPIRED).count() == 1
    assert not stock_reconciliation().exists()


def test_yesterdays_report_appears_for_each_store_from_a_worker(workers):
    """Two stores, two time zones: each gets its own last ended day, and one email."""
    stores = [
        StoreFactory(timezone="Pacific/Auckland", currency="NZD"),
        StoreFactory(timezone="America/Los_Angeles", currency="USD"),
    ]
    Store.objects.update(created_at=timezone.now() - timedelta(days=5))
    expected = {}
    for store in stores:
        product = ProductFactory(store=store, stock=10, price="12.50")
        order = order_pay(
            order=place_order(store=store, products=[(product, 2)]), actor=None
        )
        day = last_ended_day(
            now=timezone.now() - timedelta(minutes=10), timezone=store.timezone
        )
        # Placed and paid in the middle of that local day.
        window = day_window(day=day, timezone=store.timezone)
        noon = window.start + (window.end - window.start) / 2
        Order.objects.filter(pk=order.pk).update(created_at=noon, paid_at=noon)
        OrderEvent.objects.filter(order=order).update(at=noon)
        expected[store.pk] = (day, order.total)
    workers.start()

    build_daily_reports.delay()

    reports = wait_for(
        lambda: (
            DailySalesReport.objects.count() == 2
            and list(DailySalesReport.objects.all())
        ),
        "a report for each store",
    )
    for report in reports:
        day, total = expected[report.store_id]
        assert (report.date, report.orders_paid, report.gross_sales) == (day, 1, total)
    summaries = OutboxMessage.objects.filter(kind=DAILY_SUMMARY)
    wait_for(
        lambda: summaries.filter(status=OutboxMessage.Status.DELIVERED).count() == 2,
        "one delivered summary per store",
    )
    assert summaries.count() == 2


# --- A worker dies mid-task ---------------------------------------------------------


def test_a_pool_process_killed_mid_email_neither_loses_nor_repeats_it(workers):
    gate = workers.mail_dir / "gate"
    gate.touch()
    worker = workers.start(pool="prefork")
    place_order()  # its confirmation is enqueued after the commit

    first = wait_for(
        lambda: list(workers.mail_dir.glob("waiting-*")), "the email to be sending"
    )[0]
    pid = int(first.name.removeprefix("waiting-"))
    os.kill(pid, signal.SIGKILL)  # the pool process, in the middle of the send
    # The worker sees its pool process lost: acks_late + reject_on_worker_lost
    # put the message back, and a fresh pool process takes it up.
    wait_for(
        lambda: [p for p in workers.mail_dir.glob("waiting-*") if p != first],
        "the message to come back",
    )
    gate.unlink()

    wait_for(
        lambda: OutboxMessage.objects.filter(status="delivered").exists(),
        "the delivery",
    )
    assert worker.poll() is None  # the worker itself lived on
    assert len(workers.emails()) == 1
    message = OutboxMessage.objects.get()
    assert message.attempts == 1  # the killed attempt was rolled back with it


class _RowLock:
    """Hold a product row lock from another connection until released."""

    def __init__(self, product: Product) -> None:
        self.held = threading.Event()
        self.release = threading.Event()
        self.thread = threading.Thread(target=self._hold, args=(product.pk,))

    def _hold(self, product_id: Any) -> None:
        try:
            with transaction.atomic():
                Product.objects.select_for_update().get(pk=product_id)
                self.held.set()
                self.release.wait(timeout=WAIT)
        finally:
            connection.close()

    def __enter__(self) -> "_RowLock":
        self.thread.start()
        assert self.held.wait(timeout=WAIT)
        return self

    def __exit__(self, *exc: object) -> None:
        self.release.set()
        self.thread.join(timeout=WAIT)


def _backends_waiting_on_a_lock() -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
        )
        return [row[0] for row in cursor.fetchall()]


def _backend_alive(pid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid])
        return cursor.fetchone() is not None


def test_a_worker_killed_mid_expiry_leaves_it_to_a_second_worker(workers):
    order, product = _order_past_its_deadline(quantity=3)
    OutboxMessage.objects.all().delete()  # only the expiry goes to the broker
    first = workers.start()

    with _RowLock(product):
        expire_unpaid_orders.delay()
        # The worker has claimed the order and waits for the product row.
        (backend,) = wait_for(_backends_waiting_on_a_lock, "expiry to block")
        workers.kill(first)
    # The killed worker's transaction is rolled back by PostgreSQL: nothing of
    # the expiry is left, and the order is free to be claimed again.
    wait_for(lambda: not _backend_alive(backend), "the dead worker's session to end")
    assert _status(order) == "pending"
    assert _stock(product) == 7

    # Not acknowledged, the message goes to the next worker once the broker's
    # visibility timeout has passed (an hour in production; one second here).
    time.sleep(1.5)
    workers.start(CELERY_BROKER_VISIBILITY_TIMEOUT="1")

    wait_for(lambda: _status(order) == "cancelled", "the second worker's expiry")
    assert _stock(product) == 10
    assert order.events.filter(type=OrderEvent.Type.EXPIRED).count() == 1
    assert not stock_reconciliation().exists()
