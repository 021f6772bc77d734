"""Country codes of addresses: ISO 3166-1 alpha-2, upper case (ADR 0030).

The list is django-countries': the model field (``Address.country``) takes its
choices from it, and the API publishes the same codes as an enum. This module
names them for the serializers and keeps the validator that migration 0001
refers to importable.
"""

from django.core.exceptions import ValidationError
from django_countries import countries

# In code order, as the schema lists them (the admin lists countries by name).
COUNTRY_CODES: tuple[str, ...] = tuple(sorted(countries.countries))


def validate_country_code(value: str) -> None:
    """Accept an upper-case ISO 3166-1 alpha-2 code (``FR``, ``JP``).

    The model field checks its choices itself now; migration 0001 still names
    this validator, so it stays.
    """
    if value not in COUNTRY_CODES:
        raise ValidationError(
            f"{value!r} is not an ISO 3166-1 alpha-2 country code (e.g. FR, US).",
            code="invalid_country",
        )
