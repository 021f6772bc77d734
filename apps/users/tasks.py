"""Account emails, sent by Celery workers."""

import logging

from celery import shared_task
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

logger = logging.getLogger(__name__)


@shared_task(
    autoretry_for=(OSError,),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=5,
    time_limit=60,
    soft_time_limit=45,
)
def send_password_reset_email(*, user_id: str) -> None:
    """Email a password reset link; the token is made here, never sent to the broker."""
    from .models import User

    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        logger.info(
            "password reset skipped: no active user", extra={"user_id": user_id}
        )
        return
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    link = settings.PASSWORD_RESET_URL.format(uid=uid, token=token)
    send_mail(
        subject="Reset your Orderly password",
        message=(
            "Someone asked to reset the password of your Orderly account.\n\n"
            f"Open this link to choose a new password:\n{link}\n\n"
            f"Or send these values to the API: uid={uid} token={token}\n\n"
            "If it was not you, ignore this email: your password stays as it is."
        ),
        from_email=None,
        recipient_list=[user.email],
    )
    logger.info("password reset email sent", extra={"user_id": user_id})
