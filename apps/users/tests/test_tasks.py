"""The daily flush of expired refresh token records (simplejwt's
``flushexpiredtokens``), with the clock moved by time-machine."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from rest_framework_simplejwt.token_blacklist.models import (
    BlacklistedToken,
    OutstandingToken,
)

from apps.users.services import user_logout, user_tokens_issue
from apps.users.tasks import flush_expired_tokens

from .factories import UserFactory

pytestmark = pytest.mark.django_db

ISSUED_AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_expired_token_records_go_and_live_ones_stay():
    user = UserFactory()
    with time_machine.travel(ISSUED_AT, tick=False) as clock:
        old = user_tokens_issue(user=user)
        user_logout(refresh=old["refresh"])  # outstanding and blacklisted
        clock.move_to(ISSUED_AT + timedelta(days=6))
        user_tokens_issue(user=user)

        clock.move_to(ISSUED_AT + timedelta(days=7, seconds=1))
        flush_expired_tokens.delay()

        assert OutstandingToken.objects.count() == 1
        assert not BlacklistedToken.objects.exists()
        flush_expired_tokens.delay()  # nothing more to do
        assert OutstandingToken.objects.count() == 1


def test_a_token_not_yet_expired_is_kept():
    with time_machine.travel(ISSUED_AT, tick=False) as clock:
        user_tokens_issue(user=UserFactory())
        clock.move_to(ISSUED_AT + timedelta(days=6, hours=23))
        flush_expired_tokens.delay()
    assert OutstandingToken.objects.count() == 1
