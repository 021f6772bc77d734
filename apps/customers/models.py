"""A store's customers and their addresses.

A customer belongs to one store; the same person buying from two stores is two
customers. Emails are unique per store in any casing (stored lower case), and
a user account is linked to at most one customer per store.
"""

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django_countries.fields import CountryField

from apps.core.models import BaseModel
from apps.stores.models import Store


class Tier(models.TextChoices):
    """Loyalty tiers by total spent; computed by the selectors, never stored."""

    BRONZE = "bronze", "Bronze"  # below the silver threshold, new customers too
    SILVER = "silver", "Silver"  # CUSTOMER_TIER_THRESHOLDS["silver"] or more
    GOLD = "gold", "Gold"  # CUSTOMER_TIER_THRESHOLDS["gold"] or more
    PLATINUM = "platinum", "Platinum"  # CUSTOMER_TIER_THRESHOLDS["platinum"] or more


class Customer(BaseModel):
    """Someone who buys from a store, with or without a user account."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="customers")
    # Null for customers created by staff without an account (phone orders).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="customer_profiles",
    )
    email = models.EmailField(max_length=254)
    first_name = models.CharField(max_length=150, blank=True)
    last_name = models.CharField(max_length=150, blank=True)
    phone = models.CharField(max_length=32, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                "store",
                Lower("email"),
                name="customers_customer_store_email_ci_unique",
                violation_error_message="A customer of this store already uses "
                "this email.",
            ),
            models.UniqueConstraint(
                fields=["store", "user"],
                condition=models.Q(user__isnull=False),
                name="customers_customer_store_user_unique",
                violation_error_message="This account is already linked to a "
                "customer of this store.",
            ),
        ]
        indexes = [
            # The cursor-paginated staff list: one store, newest first.
            models.Index(fields=["store", "id"], name="customers_customer_store_id"),
        ]

    def __str__(self) -> str:
        return self.email


class Address(BaseModel):
    class Kind(models.TextChoices):
        SHIPPING = "shipping", "Shipping"  # where orders are delivered
        BILLING = "billing", "Billing"  # what invoices show

    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="addresses"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.SHIPPING)
    line1 = models.CharField(max_length=200)
    line2 = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=120)
    postal_code = models.CharField(max_length=20, blank=True)
    # ISO 3166-1 alpha-2, upper case; the choices are django-countries' list.
    # Reading it gives a django_countries Country, whose str() is the code.
    country = CountryField()

    class Meta:
        ordering = ["-id"]
        verbose_name_plural = "addresses"

    def __str__(self) -> str:
        return f"{self.line1}, {self.city} ({self.country})"
