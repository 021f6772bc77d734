"""The Celery application.

Configuration comes from Django settings prefixed with ``CELERY_``. The request
id of the HTTP request that enqueued a task travels in the message headers, so
the worker's log lines carry the same id.
"""

import os
from typing import Any

from celery import Celery
from celery.signals import before_task_publish, task_postrun, task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("orderly")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

REQUEST_ID_HEADER = "orderly_request_id"


@before_task_publish.connect
def _attach_request_id(headers: dict[str, Any] | None = None, **_: Any) -> None:
    from apps.core.logging import get_request_id

    request_id = get_request_id()
    if headers is not None and request_id:
        headers[REQUEST_ID_HEADER] = request_id


def _runs_in_a_worker(task: Any) -> bool:
    # Eager tasks run inside the HTTP request, which already has its id.
    return task is not None and not task.request.is_eager


@task_prerun.connect
def _restore_request_id(task: Any = None, **_: Any) -> None:
    from apps.core.logging import set_request_id

    if _runs_in_a_worker(task):
        set_request_id(getattr(task.request, REQUEST_ID_HEADER, None))


@task_postrun.connect
def _clear_request_id(task: Any = None, **_: Any) -> None:
    from apps.core.logging import set_request_id

    if _runs_in_a_worker(task):
        set_request_id(None)
