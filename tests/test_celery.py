"""The request id follows work from the HTTP request into Celery tasks."""

from types import SimpleNamespace

import pytest

from apps.core.logging import get_request_id, set_request_id
from config import celery as celery_config


def test_the_request_id_is_put_in_the_task_message_headers():
    set_request_id("req-42")
    try:
        headers: dict[str, str] = {}
        celery_config._attach_request_id(headers=headers)
    finally:
        set_request_id(None)
    assert headers == {celery_config.REQUEST_ID_HEADER: "req-42"}


def test_a_worker_binds_the_request_id_of_the_message_while_the_task_runs():
    request = SimpleNamespace(
        is_eager=False, **{celery_config.REQUEST_ID_HEADER: "req-7"}
    )
    task = SimpleNamespace(request=request)
    celery_config._restore_request_id(task=task)
    assert get_request_id() == "req-7"
    celery_config._clear_request_id(task=task)
    assert get_request_id() is None


def test_an_eager_task_keeps_the_request_id_of_the_request_it_runs_in():
    set_request_id("outer")
    try:
        task = SimpleNamespace(request=SimpleNamespace(is_eager=True))
        celery_config._restore_request_id(task=task)
        celery_config._clear_request_id(task=task)
        assert get_request_id() == "outer"
    finally:
        set_request_id(None)


@pytest.mark.django_db
def test_a_real_eager_task_keeps_the_request_id():
    from apps.core.tasks import deliver_outbox_message

    set_request_id("outer")
    try:
        deliver_outbox_message.delay(message_id="00000000-0000-7000-8000-000000000000")
        assert get_request_id() == "outer"
    finally:
        set_request_id(None)


def test_every_route_names_a_registered_task_and_mail_goes_to_the_mail_queue():
    from django.conf import settings

    from config.celery import app

    app.loader.import_default_modules()
    for name in settings.CELERY_TASK_ROUTES:
        assert name in app.tasks, f"route for an unknown task: {name}"
    for name in ("core.deliver_outbox_message", "core.relay_outbox"):
        assert app.amqp.router.route({}, name)["queue"].name == "mail"
    assert app.amqp.router.route({}, "celery.backend_cleanup")["queue"].name == (
        "default"
    )


def test_every_periodic_task_names_a_registered_task():
    from django.conf import settings

    from config.celery import app

    app.loader.import_default_modules()
    assert settings.CELERY_BEAT_SCHEDULE
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks, f"beat runs an unknown task: {entry}"


def _project_tasks():
    from config.celery import app

    app.loader.import_default_modules()
    return {name: task for name, task in app.tasks.items() if "." in name}


def test_messages_are_json_only_and_times_utc():
    from config.celery import app

    assert app.conf.task_serializer == "json"
    assert app.conf.accept_content == ["json"]
    assert app.conf.enable_utc is True
    assert app.conf.timezone == "UTC"
    assert app.conf.worker_prefetch_multiplier == 1
    assert app.conf.result_backend is None


def test_every_task_has_time_limits_and_is_acknowledged_after_it_ran():
    tasks = {n: t for n, t in _project_tasks().items() if not n.startswith("celery.")}
    assert len(tasks) >= 7
    for name, task in tasks.items():
        assert 0 < task.soft_time_limit < task.time_limit, name
        assert (task.acks_late, task.reject_on_worker_lost) == (True, True), name
        assert task.ignore_result, name


def test_periodic_tasks_retry_on_transient_errors_only():
    from django.db import IntegrityError, OperationalError

    from apps.core.tasks import TRANSIENT_ERRORS

    periodic = {
        e["task"] for e in _schedule().values() if e["task"] != "core.relay_outbox"
    }
    tasks = _project_tasks()
    for name in periodic:
        task = tasks[name]
        assert tuple(task.autoretry_for) == TRANSIENT_ERRORS, name
        assert (bool(task.retry_backoff), task.retry_jitter) == (True, True), name
        assert task.max_retries == 5, name
    assert OperationalError in TRANSIENT_ERRORS
    assert IntegrityError not in TRANSIENT_ERRORS


def _schedule():
    from django.conf import settings

    return settings.CELERY_BEAT_SCHEDULE


def test_the_schedule_runs_the_jobs_of_the_design_at_their_intervals():
    schedule = _schedule()
    by_task = {entry["task"]: entry for entry in schedule.values()}
    assert by_task["core.relay_outbox"]["schedule"] == 30
    assert by_task["orders.expire_unpaid_orders"]["schedule"] == 60
    for daily in (
        "orders.purge_idempotency_keys",
        "users.flush_expired_tokens",
        "products.reconcile_stock",
        "core.purge_outbox",
        "products.send_low_stock_digests",
    ):
        crontab = by_task[daily]["schedule"]
        assert (len(crontab.hour), len(crontab.minute)) == (1, 1), daily
    for entry in schedule.values():  # a run never piles up behind the next one
        assert entry["options"]["expires"], entry


def test_every_route_goes_to_a_declared_queue_and_heavy_work_to_reports():
    from django.conf import settings

    from config.celery import app

    queues = {queue.name for queue in settings.CELERY_TASK_QUEUES}
    assert queues == {"default", "mail", "reports"}
    for route in settings.CELERY_TASK_ROUTES.values():
        assert route["queue"] in queues
    for name in ("products.reconcile_stock", "products.send_low_stock_digests"):
        assert app.amqp.router.route({}, name)["queue"].name == "reports"
    assert app.amqp.router.route({}, "orders.expire_unpaid_orders")["queue"].name == (
        "default"
    )
