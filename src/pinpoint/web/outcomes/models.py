"""Outcome scores of a course, and adverse events after a session with their follow-ups.

An adverse event and each follow-up are sealed when written and never change (ADR 0012): how
an event ended is a new follow-up row, so the first report stays exactly as it was made. The
lots a report names are rows of :class:`AdverseEventLot`, written with it and listed in its
sealed ``lots`` column; a lot's reverse name ``adverse_events`` lets ``devices`` count them.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from simple_history.models import HistoricalRecords

from pinpoint.web.audit.models import SealBatch, SealedQuerySet, SealedRecordError

__all__ = ["AdverseEvent", "AdverseEventLot", "AdverseEventUpdate", "Assessment"]


class Assessment(models.Model):
    """One outcome score of a course: the scale, who rated it, the day, the value (an mMASI with its grades)."""

    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="+")
    course = models.ForeignKey("treatments.Course", on_delete=models.PROTECT, related_name="+")
    scale = models.CharField(max_length=40)
    rater = models.CharField(max_length=20)
    taken_on = models.DateField()
    value = models.DecimalField(max_digits=7, decimal_places=1)
    components = models.JSONField(default=dict, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering: ClassVar[list[str]] = ["taken_on", "pk"]
        indexes: ClassVar[list[Any]] = [
            models.Index(fields=["organization", "course", "taken_on"], name="assessment_course")
        ]

    def __str__(self) -> str:
        return f"{self.scale} {self.value} on {self.taken_on}"


class _InsertOnly(models.Model):
    """Written once, sealed in the same transaction, never changed or deleted."""

    seal_kind: ClassVar[str] = ""

    class Meta:
        abstract = True

    def save(self, *args: Any, seals: SealBatch | None = None, **kwargs: Any) -> None:
        """Insert only; sealed with ``seals`` when that batch is flushed, else at once."""
        if not self._state.adding:
            msg = f"a {self._meta.verbose_name} is never changed; add a follow-up instead"
            raise SealedRecordError(msg)
        with transaction.atomic(savepoint=False):
            super().save(*args, **kwargs)
            batch = seals if seals is not None else SealBatch()
            batch.add(self, self.seal_kind)
            if seals is None:
                batch.flush()

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        """Never."""
        msg = f"a {self._meta.verbose_name} is never deleted"
        raise SealedRecordError(msg)


class AdverseEventQuerySet(SealedQuerySet["AdverseEvent"]):
    """Adverse events refuse bulk changes."""

    refusal = "an adverse event report is never changed or deleted; add a follow-up"


class AdverseEvent(_InsertOnly):
    """What happened after a session: the kind, onset, severity, what was done; its zones and lots."""

    seal_kind = "adverse_event"

    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="+")
    session = models.ForeignKey("treatments.Session", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=40)
    severity = models.CharField(max_length=20)
    onset_on = models.DateField()
    zones = models.JSONField(default=list)
    lots = models.JSONField(default=list)
    action_taken = models.TextField(blank=True)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reported_at = models.DateTimeField(default=timezone.now)

    objects = AdverseEventQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["-onset_on", "-pk"]
        indexes: ClassVar[list[Any]] = [models.Index(fields=["organization", "client"], name="adverse_event_client")]

    def __str__(self) -> str:
        return f"{self.kind} from {self.onset_on} after session {self.session_id}"


class AdverseEventLotQuerySet(models.QuerySet["AdverseEventLot"]):
    """Rows naming a report's lots are inserted with it (in bulk), never changed or deleted."""

    refusal = "the lots of an adverse event report are never changed"

    def update(self, **kwargs: Any) -> int:
        """Refuse."""
        raise SealedRecordError(self.refusal)

    def delete(self) -> tuple[int, dict[str, int]]:
        """Refuse."""
        raise SealedRecordError(self.refusal)

    def bulk_update(self, objs: Any, fields: Any, batch_size: int | None = None) -> int:
        """Refuse."""
        raise SealedRecordError(self.refusal)


class AdverseEventLot(models.Model):
    """A lot named in an adverse event report (also in the report's sealed ``lots``)."""

    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="+")
    event = models.ForeignKey(AdverseEvent, on_delete=models.PROTECT, related_name="lot_rows")
    unit = models.ForeignKey("devices.DeviceUnit", on_delete=models.PROTECT, related_name="adverse_events")

    objects = AdverseEventLotQuerySet.as_manager()

    class Meta:
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["event", "unit"], name="adverse_event_lot_unique"),
        ]

    def __str__(self) -> str:
        return f"lot {self.unit_id} in adverse event {self.event_id}"


class AdverseEventUpdateQuerySet(SealedQuerySet["AdverseEventUpdate"]):
    """Follow-ups refuse bulk changes."""

    refusal = "a follow-up is never changed or deleted; add another one"


class AdverseEventUpdate(_InsertOnly):
    """A follow-up of an adverse event: how it stands, the resolution date when it ended, a note."""

    seal_kind = "adverse_event_update"

    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="+")
    event = models.ForeignKey(AdverseEvent, on_delete=models.PROTECT, related_name="updates")
    outcome = models.CharField(max_length=30)
    resolved_on = models.DateField(null=True, blank=True)
    note = models.TextField(blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    objects = AdverseEventUpdateQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.outcome} for adverse event {self.event_id}"
