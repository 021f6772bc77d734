"""The password reset email as the outbox delivers it."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from apps.core.models import OutboxMessage
from apps.core.outbox import outbox_message_id
from apps.users.emails import PASSWORD_RESET_EMAIL, password_reset_email_deliver

from .factories import UserFactory

pytestmark = pytest.mark.django_db


def _message(user, **fields):
    return OutboxMessage.objects.create(
        kind=PASSWORD_RESET_EMAIL,
        dedup_key=f"password-reset:{user.pk}:1",
        payload={"user_id": str(user.pk)},
        **fields,
    )


def test_every_attempt_sends_the_same_message_id():
    user = UserFactory()
    message = _message(user)
    password_reset_email_deliver(message)
    password_reset_email_deliver(message)  # a repeat, as at-least-once allows
    first, second = mail.outbox
    expected = outbox_message_id(message.dedup_key)
    assert first.message()["Message-ID"] == expected
    assert second.message()["Message-ID"] == expected
    assert first.to == [user.email]


def test_nothing_is_sent_to_a_user_deactivated_since_the_request():
    message = _message(UserFactory(is_active=False))
    password_reset_email_deliver(message)
    assert mail.outbox == []


def test_nothing_is_sent_for_a_request_older_than_a_reset_link_lives(settings):
    settings.PASSWORD_RESET_TIMEOUT = 3600
    message = _message(UserFactory())
    OutboxMessage.objects.filter(pk=message.pk).update(
        created_at=timezone.now() - timedelta(seconds=3601)
    )
    message.refresh_from_db()
    password_reset_email_deliver(message)
    assert mail.outbox == []
