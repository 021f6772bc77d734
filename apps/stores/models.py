"""The tenant (Store) and who works in it (Membership)."""

import base64
import secrets
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from apps.core.models import BaseModel
from apps.core.money import CURRENCY_CHOICES

# Standard Webhooks secrets are "whsec_" + base64 of 24 to 64 random bytes. 32
# bytes is SHA-256's output length, the HMAC key length RFC 2104 recommends;
# the whole secret is 50 characters.
WEBHOOK_SECRET_PREFIX = "whsec_"  # noqa: S105 - the format's marker, not a secret
WEBHOOK_SECRET_BYTES = 32


def generate_webhook_secret() -> str:
    """A new random payment-webhook secret in the Standard Webhooks format."""
    key = base64.b64encode(secrets.token_bytes(WEBHOOK_SECRET_BYTES)).decode()
    return f"{WEBHOOK_SECRET_PREFIX}{key}"


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            f"{value!r} is not a known IANA time zone.", code="invalid"
        )


class Store(BaseModel):
    name = models.CharField(max_length=120)
    # The public handle in every store-scoped URL; fixed once the store exists.
    slug = models.SlugField(max_length=60, unique=True)
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES, default="EUR")
    timezone = models.CharField(
        max_length=64, default="UTC", validators=[validate_timezone]
    )
    unpaid_order_timeout_minutes = models.PositiveIntegerField(
        default=60,
        validators=[MinValueValidator(5), MaxValueValidator(60 * 24 * 14)],
        help_text="Pending orders not paid within this many minutes expire.",
    )
    low_stock_threshold = models.PositiveIntegerField(
        default=5,
        validators=[MaxValueValidator(1_000_000)],
        help_text="Default threshold under which a product counts as low on stock.",
    )
    # Revealed to owners only; rotated by store_webhook_secret_rotate, after which
    # the previous secret keeps verifying for WEBHOOK_SECRET_GRACE (ADR 0027).
    webhook_secret = models.CharField(
        max_length=64,
        default=generate_webhook_secret,
        help_text="Shared secret that signs payment provider callbacks.",
    )
    previous_webhook_secret = models.CharField(
        max_length=64,
        blank=True,
        default="",
        # The release before this column keeps inserting stores without it.
        db_default="",
        help_text="The secret before the last rotation (empty: never rotated).",
    )
    webhook_secret_rotated_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the webhook secret was last rotated.",
    )
    members = models.ManyToManyField(  # type: ignore[var-annotated]
        settings.AUTH_USER_MODEL, through="Membership", related_name="stores"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(BaseModel):
    class Role(models.TextChoices):
        OWNER = "owner", "Owner"  # everything, including settings and members
        MANAGER = "manager", "Manager"  # catalog, customers, orders, reports
        STAFF = "staff", "Staff"  # reads, order handling (ship, deliver)

    store = models.ForeignKey(
        Store, on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=16, choices=Role.choices)

    class Meta:
        ordering = ["store", "user"]
        constraints = [
            models.UniqueConstraint(
                fields=["store", "user"], name="stores_membership_store_user_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=["owner", "manager", "staff"]),
                name="stores_membership_role_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.role} of {self.store}"
