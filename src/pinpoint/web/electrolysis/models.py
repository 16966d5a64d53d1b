"""An electrolysis course plans areas with one modality; its sessions record each area and are signed.

A signed session never changes: ``save()``, ``delete()`` and queryset updates refuse, and database
triggers (migration 0002) refuse any other write. Its area records are bound to it through the
signed content and its SHA-256, and signing seals the session; corrections are addenda, each
sealed when added (ADR 0007, ADR 0011). The forecast is computed from the course's inputs and the
signed counts, never stored.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone

from pinpoint.web.audit.models import Seal, SealedQuerySet, SealedRecordError, SealingBulkCreate
from pinpoint.web.audit.sealed import AppendOnlySealed
from pinpoint.web.base.statuses import SessionStatus

__all__ = ["SIGNED_REFUSAL", "AreaRecord", "Course", "ElectrolysisAddendum", "Session", "SignedRecordError"]

SIGNED_REFUSAL = "this electrolysis session is signed: it cannot change; add an addendum instead"


class SignedRecordError(SealedRecordError):
    """Something tried to change a signed electrolysis session or its records."""


class Course(models.Model):
    """A course of needle electrolysis for one client: areas, modality, start date and starting count."""

    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="electrolysis_courses")
    questionnaire = models.ForeignKey("clients.Questionnaire", on_delete=models.PROTECT, related_name="+")
    areas = models.JSONField()
    modality = models.CharField(max_length=32)
    start_on = models.DateField()
    count_kind = models.CharField(max_length=12, default="default")
    window_cm2 = models.FloatField(null=True, blank=True)
    hairs_seen = models.PositiveIntegerField(null=True, blank=True)
    hairs_estimate = models.PositiveIntegerField(null=True, blank=True)
    uncertainty_percent = models.FloatField(null=True, blank=True)
    screening = models.JSONField(default=list, blank=True)
    evidence_version = models.CharField(max_length=32)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar[list[str]] = ["-start_on", "-pk"]
        indexes: ClassVar[list[Any]] = [
            models.Index(fields=["organization", "client"], name="el_course_client"),
            models.Index(fields=["organization", "start_on"], name="el_course_org_start"),
        ]

    def __str__(self) -> str:
        return f"electrolysis ({self.modality}) from {self.start_on}"

    def get_absolute_url(self) -> str:
        """The course page."""
        return reverse("electrolysis:course", args=[self.pk])


class ElectrolysisSessionQuerySet(SealingBulkCreate["Session"]):  # named apart from treatments' for the type checker
    """Bulk writes refuse to touch signed sessions; ``bulk_create`` seals the signed ones it inserts."""

    def update(self, **kwargs: Any) -> int:
        """Update rows, unless one of them is signed (or would become signed without its seal)."""
        if kwargs.get("status") == SessionStatus.SIGNED or self.filter(status=SessionStatus.SIGNED).exists():
            raise SignedRecordError(SIGNED_REFUSAL)
        return super().update(**kwargs)

    def bulk_update(self, objs: Any, fields: Any, batch_size: int | None = None) -> int:
        """Sessions are signed one by one, through ``save()``, which seals them."""
        raise SignedRecordError(SIGNED_REFUSAL)

    def delete(self) -> tuple[int, dict[str, int]]:
        """Sessions are clinical records: never deleted."""
        msg = "electrolysis sessions are never deleted"
        raise SignedRecordError(msg)


class Session(models.Model):
    """One electrolysis session of a course: in progress while areas are recorded, then signed."""

    Status = SessionStatus

    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="+")
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="sessions")
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="electrolysis_sessions")
    number = models.PositiveSmallIntegerField()
    performed_on = models.DateField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.IN_PROGRESS)
    practitioner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    notes = models.TextField(blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signed_content = models.TextField(blank=True)
    content_hash = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ElectrolysisSessionQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["performed_on", "number"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["organization", "course", "number"], name="el_session_number_unique"),
            models.CheckConstraint(
                condition=~models.Q(status="signed") | (models.Q(signed_at__isnull=False) & ~models.Q(content_hash="")),
                name="el_session_signed_has_hash",
            ),
        ]
        indexes: ClassVar[list[Any]] = [
            models.Index(fields=["organization", "client", "performed_on"], name="el_session_client_date"),
            models.Index(fields=["organization", "performed_on"], name="el_session_org_date"),
        ]

    def __str__(self) -> str:
        return f"electrolysis session {self.number} of course {self.course_id} on {self.performed_on}"

    @property
    def is_signed(self) -> bool:
        """Whether the session is signed (then immutable and sealed)."""
        return self.status == self.Status.SIGNED

    def get_absolute_url(self) -> str:
        """The session's page (the runner until signed, then the record)."""
        return reverse("electrolysis:session", args=[self.pk])

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Refuse to write over a signed session; seal it, in the same transaction, when it is signed."""
        if self.pk is not None and Session.objects.filter(pk=self.pk, status=self.Status.SIGNED).exists():
            raise SignedRecordError(SIGNED_REFUSAL, url=self.get_absolute_url())
        with transaction.atomic(savepoint=False):
            super().save(*args, **kwargs)
            if self.is_signed:
                Seal.objects.append(self, "electrolysis_session")

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        """Never."""
        msg = "electrolysis sessions are never deleted"
        raise SignedRecordError(msg, url=self.get_absolute_url())


class AreaRecordQuerySet(models.QuerySet["AreaRecord"]):
    """Bulk writes refuse records of signed sessions."""

    def _refuse_signed(self) -> None:
        if self.filter(session__status=SessionStatus.SIGNED).exists():
            raise SignedRecordError(SIGNED_REFUSAL)

    def update(self, **kwargs: Any) -> int:
        """Update rows unless one belongs to a signed session."""
        self._refuse_signed()
        return super().update(**kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        """Delete rows unless one belongs to a signed session."""
        self._refuse_signed()
        return super().delete()

    def bulk_update(self, objs: Any, fields: Any, batch_size: int | None = None) -> int:
        """Area records are saved one by one."""
        raise SignedRecordError(SIGNED_REFUSAL)


class AreaRecord(models.Model):
    """What was done on one area in one session (units in the field names)."""

    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="+")
    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="areas")
    area = models.CharField(max_length=64)
    modality = models.CharField(max_length=32)
    probe_type = models.CharField(max_length=32)
    probe_size = models.CharField(max_length=16)
    current_ma = models.FloatField(null=True, blank=True)
    intensity_w = models.FloatField(null=True, blank=True)
    seconds_per_insertion = models.FloatField()
    insertions = models.PositiveIntegerField()
    hairs_removed = models.PositiveIntegerField()
    minutes = models.FloatField()
    reaction = models.CharField(max_length=32)
    aftercare_given = models.BooleanField(default=False)
    window_cm2 = models.FloatField(null=True, blank=True)
    hairs_seen = models.PositiveIntegerField(null=True, blank=True)

    objects = AreaRecordQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["session", "area"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["organization", "session", "area"], name="el_area_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.area} in electrolysis session {self.session_id}"

    def _session_signed(self) -> bool:
        return Session.objects.filter(pk=self.session_id, status=SessionStatus.SIGNED).exists()

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Refuse once the session is signed."""
        if self._session_signed():
            raise SignedRecordError(SIGNED_REFUSAL)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        """Refuse once the session is signed."""
        if self._session_signed():
            raise SignedRecordError(SIGNED_REFUSAL)
        return super().delete(*args, **kwargs)


class ElectrolysisAddendumQuerySet(SealedQuerySet["ElectrolysisAddendum"]):
    """Addenda refuse bulk changes."""

    refusal = "an addendum is never changed or deleted; add another one"


class ElectrolysisAddendum(AppendOnlySealed):
    """A later correction or note on a signed electrolysis session; never changed, sealed when added."""

    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="+")
    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="addenda")
    text = models.TextField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = ElectrolysisAddendumQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["created_at", "pk"]

    seal_kind = "electrolysis_addendum"
    refused = SignedRecordError

    def __str__(self) -> str:
        return f"addendum {self.pk} to electrolysis session {self.session_id}"
