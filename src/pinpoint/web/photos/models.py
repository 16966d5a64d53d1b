"""A photo: one standard view of one zone of a client, on a date, in a session or a diary, under a consent.

The image itself lives in the photo storage under ``key`` (unguessable), with a small re-encoded
copy for lists (the thumbnail); the row keeps what the image shows and the SHA-256 of both files.
The row is sealed when written (``Seal.objects.append``, kind ``photo``, ADR 0007), so the seal
covers the files' digests too: ``pinpoint verify`` reads each stored file back and reports one that
was swapped or lost. A photo is never edited: a retake is a new photo, and the newest photo of a
view on a date is the one compared. Database triggers refuse UPDATE and DELETE (and TRUNCATE on
PostgreSQL) of the table.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar, cast

from django.conf import settings
from django.db import models, transaction
from django.db.models import QuerySet
from django.utils import timezone

from pinpoint.web.audit.models import Seal, SealedQuerySet, SealedRecordError
from pinpoint.web.consents.models import Consent

__all__ = ["Photo", "PhotoRecordError", "later_marketing_refusals"]


class PhotoRecordError(SealedRecordError):
    """Something tried to change or delete a photo record (pages answer 409)."""


class PhotoQuerySet(SealedQuerySet["Photo"]):
    """Photos refuse bulk changes (the record of what was photographed is kept as taken); ``bulk_create`` seals."""

    refusal = "a photo record is never changed or deleted; take a new photo"

    def update(self, **kwargs: Any) -> int:
        """Never."""
        raise PhotoRecordError(self.refusal)

    def delete(self) -> tuple[int, dict[str, int]]:
        """Never."""
        raise PhotoRecordError(self.refusal)

    def bulk_update(self, objs: Any, fields: Any, batch_size: int | None = None) -> int:
        """Never."""
        raise PhotoRecordError(self.refusal)


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
    thumb_name = models.CharField(max_length=200, blank=True)
    thumb_sha256 = models.CharField(max_length=64, blank=True)
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
        """Insert only, sealed in the same transaction."""
        if not self._state.adding or (self.pk is not None and Photo.objects.filter(pk=self.pk).exists()):
            msg = "a photo record is never changed; take a new photo"
            raise PhotoRecordError(msg)
        with transaction.atomic(savepoint=False):
            super().save(*args, **kwargs)
            Seal.objects.append(self, "photo")

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        """Never."""
        msg = "a photo record is never deleted"
        raise PhotoRecordError(msg)

    def _later_refusal(self) -> dt.datetime | None:
        """When the client first signed, after the photo's consent, a consent refusing marketing photos.

        Read from the ``later_marketing_refusal`` annotation of the photos selectors when present.
        """
        if hasattr(self, "later_marketing_refusal"):
            return cast("dt.datetime | None", self.later_marketing_refusal)
        c = self.consent
        if c is None:
            return None
        later = later_marketing_refusals(self.organization_id, self.client_id, c.signed_at)
        return later.values_list("signed_at", flat=True).first()

    @property
    def marketing_allowed(self) -> bool:
        """The consent allows marketing use, is not withdrawn, and no later consent of the client refuses it
        (read at once, every time)."""
        c = self.consent
        return c is not None and c.photo_marketing and c.withdrawn_at is None and self._later_refusal() is None

    @property
    def marketing_ended_at(self) -> dt.datetime | None:
        """When marketing use ended: the withdrawal of a consent that had allowed it, or a later consent refusing it."""
        c = self.consent
        if c is None or not c.photo_marketing:
            return None
        ends = [t for t in (c.withdrawn_at, self._later_refusal()) if t is not None]
        return min(ends) if ends else None

    @property
    def marketing_ended_by(self) -> str:
        """What ended marketing use, in words ("" while it is allowed or was never allowed)."""
        ended = self.marketing_ended_at
        if ended is None:
            return ""
        c = self.consent
        return "consent withdrawn" if c is not None and c.withdrawn_at == ended else "a later consent refuses it"


def later_marketing_refusals(organization_id: Any, client_id: Any, after: Any) -> QuerySet[Consent]:
    """Consents of the client signed after ``after`` that refuse marketing photos, earliest first.

    The arguments may be values or ``OuterRef`` expressions (for an annotation).
    """
    return Consent.objects.filter(
        organization_id=organization_id, client_id=client_id, photo_marketing=False, signed_at__gt=after
    ).order_by("signed_at")
