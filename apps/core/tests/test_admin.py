"""The outbox admin: superusers only, read-only, "Retry now" through the service."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.urls import reverse

from apps.core.models import OutboxMessage
from apps.core.testing import outbox_handler

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:core_outboxmessage_changelist")
KIND = "tests.admin_note"


def _dead(key, error="OSError: down"):
    return OutboxMessage.objects.create(
        kind=KIND, dedup_key=key, status="dead", attempts=8, last_error=error
    )


def test_the_list_shows_status_attempts_and_the_last_error(admin_client):
    _dead("note:1", error="SMTPRecipientsRefused: no such mailbox\nmore detail")
    page = admin_client.get(CHANGELIST, {"status__exact": "dead", "q": "note:1"})
    assert page.status_code == 200
    content = page.content.decode()
    assert "note:1" in content
    assert "SMTPRecipientsRefused: no such mailbox" in content


def test_retry_now_delivers_the_selected_messages(admin_client):
    calls = []
    first, second = _dead("note:1"), _dead("note:2")
    _dead("note:3")
    with outbox_handler(KIND, lambda message: calls.append(message.dedup_key)):
        response = admin_client.post(
            CHANGELIST,
            {"action": "retry_now", "_selected_action": [first.pk, second.pk]},
            follow=True,
        )
    assert "2 delivered, 0 failed" in response.content.decode()
    assert sorted(calls) == ["note:1", "note:2"]
    statuses = dict(OutboxMessage.objects.values_list("dedup_key", "status"))
    assert statuses == {"note:1": "delivered", "note:2": "delivered", "note:3": "dead"}


def test_retry_now_reports_a_message_that_fails_again(admin_client):
    message = _dead("note:1")

    def failing(message):
        raise OSError("still down")

    with outbox_handler(KIND, failing):
        response = admin_client.post(
            CHANGELIST,
            {"action": "retry_now", "_selected_action": [message.pk]},
            follow=True,
        )
    assert "0 delivered, 0 failed (will be retried), 1 dead" in (
        response.content.decode()
    )
    message.refresh_from_db()
    assert message.last_error == "OSError: still down"


def test_retry_now_refuses_a_selection_too_large_to_deliver_in_a_request(
    admin_client, monkeypatch
):
    from apps.core import admin as outbox_admin

    monkeypatch.setattr(outbox_admin, "RETRY_NOW_LIMIT", 1)
    ids = [_dead("note:1").pk, _dead("note:2").pk]
    response = admin_client.post(
        CHANGELIST, {"action": "retry_now", "_selected_action": ids}, follow=True
    )
    assert "Select at most 1 messages" in response.content.decode()
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"dead"}


def test_rows_cannot_be_added_changed_or_deleted(admin_client):
    message = _dead("note:1")
    change = reverse("admin:core_outboxmessage_change", args=[message.pk])
    assert admin_client.get(reverse("admin:core_outboxmessage_add")).status_code == 403
    assert admin_client.post(change, {"status": "delivered"}).status_code == 403
    delete = reverse("admin:core_outboxmessage_delete", args=[message.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    message.refresh_from_db()
    assert message.status == "dead"


def test_staff_who_are_not_superusers_do_not_see_the_outbox(client):
    staff = get_user_model().objects.create_user(
        email="staff@example.com", password="irrelevant-pass-42", is_staff=True
    )
    staff.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="core")
    )
    client.force_login(staff)
    assert client.get(CHANGELIST).status_code == 403
    assert "Outbox" not in client.get(reverse("admin:index")).content.decode()
