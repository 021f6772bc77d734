import json
import logging

import pytest

from apps.core.problems import PROBLEM_CONTENT_TYPE


def test_request_id_is_generated_and_returned(client):
    response = client.get("/health/live/")
    assert len(response["X-Request-ID"]) == 32


def test_request_id_from_the_caller_is_echoed(client):
    response = client.get("/health/live/", HTTP_X_REQUEST_ID="abc-123")
    assert response["X-Request-ID"] == "abc-123"


def test_unsafe_request_id_is_replaced(client):
    response = client.get("/health/live/", HTTP_X_REQUEST_ID="bad id\nwith newline")
    assert response["X-Request-ID"] != "bad id\nwith newline"
    assert len(response["X-Request-ID"]) == 32


@pytest.mark.django_db
def test_access_log_line_names_request_user_store_and_status(
    auth_client, member_of, store, caplog
):
    owner = member_of(store, "owner")
    client = auth_client(owner)
    with caplog.at_level(logging.INFO, logger="orderly.access"):
        client.get(f"/api/v1/stores/{store.slug}/", HTTP_X_REQUEST_ID="req-1")
    record = next(r for r in caplog.records if r.name == "orderly.access")
    assert record.request_id == "req-1"
    assert record.user_id == str(owner.pk)
    assert record.store == store.slug
    assert record.method == "GET"
    assert record.path == f"/api/v1/stores/{store.slug}/"
    assert record.status == 200
    assert record.duration_ms >= 0


def test_access_log_is_one_json_line(client, capsys):
    from django.conf import settings

    formatter_cfg = settings.LOGGING["formatters"]["json"]
    from pythonjsonlogger.json import JsonFormatter

    formatter = JsonFormatter(
        formatter_cfg["fmt"], rename_fields=formatter_cfg["rename_fields"]
    )
    record = logging.LogRecord(
        "orderly.access", logging.INFO, "", 0, "request", (), None
    )
    record.status = 200
    line = formatter.format(record)
    assert "\n" not in line
    assert json.loads(line)["status"] == 200


def test_body_over_the_limit_is_refused_with_413(client, settings):
    settings.API_MAX_BODY_BYTES = 100
    response = client.post(
        "/api/v1/auth/register/", data="x" * 101, content_type="application/json"
    )
    assert response.status_code == 413
    assert response["Content-Type"] == PROBLEM_CONTENT_TYPE
    assert response.json()["code"] == "payload_too_large"


def test_malformed_content_length_is_a_400(client):
    response = client.generic(
        "POST",
        "/api/v1/auth/register/",
        b"{}",
        CONTENT_LENGTH="abc",
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "bad_request"
