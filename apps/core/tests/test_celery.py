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
    from apps.users.tasks import send_password_reset_email

    set_request_id("outer")
    try:
        send_password_reset_email.delay(user_id="00000000-0000-7000-8000-000000000000")
        assert get_request_id() == "outer"
    finally:
        set_request_id(None)
