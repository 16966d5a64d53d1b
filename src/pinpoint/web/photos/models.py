"""A photo: one standard view of one zone of a client, on a date, in a session or a diary, under a consent.

The image itself lives in the photo storage under ``key`` (unguessable); the row keeps what the
image shows and its SHA-256, so a changed file is detectable. A photo is never edited: a retake
is a new photo, and the newest photo of a view on a date is the one compared.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone

__all__ = ["Photo", "PhotoRecordError"]


class PhotoRecordError(ValueError):
    """Something tried to change or delete a photo record."""


class PhotoQuerySet(models.QuerySet["Photo"]):
    """Photos refuse bulk changes: the record of what was photographed is kept as taken."""

    def update(self, **kwargs: Any) -> int:
        """Never."""
        msg = "a photo record is never changed; take a new photo"
        raise PhotoRecordError(msg)

    def delete(self) -> tuple[int, dict[str, int]]:
        """Never."""
        msg = "a photo record is never deleted"
        raise PhotoRecordError(msg)


class Photo(models.Model):
    """One standard view, stored re-encoded without metadata under an unguessable key."""

    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="+")
    course = models.ForeignKey("treatments.Course", on_delete=models.PROTECT, related_name="+")
    session = models.ForeignKey("treatments.Session", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    consent = models.ForeignKey("consents.Consent", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    zone = models.CharField(max_length=64)
    series = models.CharField(max_length=64)
    view = models.CharField(max_length=64)
    protocol = models.CharField(max_length=64)
    taken_on = models.DateField()
    key = models.CharField(max_length=64, unique=True)
    stored_name = models.CharField(max_length=200)
    sha256 = models.CharField(max_length=64)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    size_bytes = models.PositiveIntegerField()
    taken_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = PhotoQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["taken_on", "created_at", "pk"]
        indexes: ClassVar[list[Any]] = [
            models.Index(fields=["organization", "client", "series", "view", "taken_on"], name="photo_client_view"),
            models.Index(fields=["organization", "session"], name="photo_session"),
        ]

    def __str__(self) -> str:
        return f"{self.view} of {self.zone} on {self.taken_on}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Insert only."""
        if not self._state.adding:
            msg = "a photo record is never changed; take a new photo"
            raise PhotoRecordError(msg)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        """Never."""
        msg = "a photo record is never deleted"
        raise PhotoRecordError(msg)

    @property
    def marketing_allowed(self) -> bool:
        """The consent allows marketing use and has not been withdrawn (read at once, every time)."""
        c = self.consent
        return c is not None and c.photo_marketing and c.withdrawn_at is None

    @property
    def marketing_ended_at(self) -> dt.datetime | None:
        """When marketing use ended: the withdrawal of a consent that had allowed it."""
        c = self.consent
        return c.withdrawn_at if c is not None and c.photo_marketing else None
