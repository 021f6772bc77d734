"""Account emails: what each one says, composed in one place.

The outbox decides *when* an email goes out; this module decides *what* it
says and sends it. The password reset token is made here, at sending time, so
it is never stored in the outbox row nor sent through the broker.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMessage
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from apps.core.models import OutboxMessage
from apps.core.outbox import outbox_message_id

from .models import User
from .selectors import user_get_active

logger = logging.getLogger(__name__)

# The outbox kinds this app handles (registered in UsersConfig.ready()).
PASSWORD_RESET_EMAIL = "users.password_reset"  # noqa: S105 - a kind, not a secret


def password_reset_email(*, user: User, message_id: str) -> EmailMessage:
    """The email that carries a fresh password reset link for ``user``."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    link = settings.PASSWORD_RESET_URL.format(uid=uid, token=token)
    return EmailMessage(
        subject="Reset your Orderly password",
        body=(
            "Someone asked to reset the password of your Orderly account.\n\n"
            f"Open this link to choose a new password:\n{link}\n\n"
            f"Or send these values to the API: uid={uid} token={token}\n\n"
            "If it was not you, ignore this email: your password stays as it is."
        ),
        to=[user.email],
        headers={"Message-ID": message_id},
    )


def password_reset_email_deliver(message: OutboxMessage) -> None:
    """Outbox handler: send the reset email, unless it is no longer wanted.

    Nothing is sent to a user who has been deactivated since the request, nor
    for a request older than a reset link's lifetime: a link nobody has waited
    for in that long would only surprise its reader. SMTP errors propagate, so
    the outbox tries again later.
    """
    user_id = message.payload["user_id"]
    user = user_get_active(user_id=user_id)
    if user is None:
        logger.info(
            "password reset skipped: no active user", extra={"user_id": user_id}
        )
        return
    expired = timezone.now() - timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT)
    if message.created_at < expired:
        logger.info(
            "password reset skipped: requested too long ago", extra={"user_id": user_id}
        )
        return
    password_reset_email(
        user=user, message_id=outbox_message_id(message.dedup_key)
    ).send()
    logger.info("password reset email sent", extra={"user_id": user_id})
