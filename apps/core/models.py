"""Abstract base models shared by every domain app."""

from django.db import models

from .ids import uuid7


class UUIDModel(models.Model):
    """A model whose public id is a time-ordered UUID primary key."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)

    class Meta:
        abstract = True


class TimeStampedModel(models.Model):
    """A model that records when it was created and last changed."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class BaseModel(UUIDModel, TimeStampedModel):
    """UUID primary key plus timestamps: the default base of domain models."""

    class Meta:
        abstract = True


__all__ = ["BaseModel", "TimeStampedModel", "UUIDModel"]
