"""A course keeps the plan core made; its sessions are booked, started, recorded zone by zone, signed.

A signed session never changes: ``save()``, ``delete()`` and queryset updates refuse, and
database triggers (see the migrations) refuse any other write. Corrections are addenda. Signing
seals the session, and each addendum is sealed when added (:class:`pinpoint.web.audit.models.Seal`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from pinpoint.core.planning import Plan
from pinpoint.web.audit.models import Seal, SealBatch, SealedQuerySet, SealedRecordError, SealingBulkCreate
from pinpoint.web.audit.sealed import AppendOnlySealed
from pinpoint.web.base.statuses import SessionStatus

__all__ = ["SIGNED_REFUSAL", "Addendum", "Course", "Session", "SignedRecordError", "ZoneRecord"]

SIGNED_REFUSAL = "this session is signed: it cannot change; add an addendum instead"


class SignedRecordError(SealedRecordError):
    """Something tried to change a signed session record."""


class Course(models.Model):
    """A course of sessions for one client, with the plan snapshot and the evidence version it came from."""

    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="courses")
    questionnaire = models.ForeignKey("clients.Questionnaire", on_delete=models.PROTECT, related_name="+")
    indication = models.CharField(max_length=64)
    setting = models.CharField(max_length=10)
    device = models.CharField(max_length=64, blank=True)
    zones = models.JSONField()
    start_on = models.DateField()
    skin_type = models.PositiveSmallIntegerField(null=True, blank=True)
    plan = models.JSONField(encoder=DjangoJSONEncoder)
    evidence_version = models.CharField(max_length=32)
    override_reason = models.TextField(blank=True)
    override_physician = models.CharField(max_length=150, blank=True)
    override_approved_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering: ClassVar[list[str]] = ["-start_on", "-pk"]
        indexes: ClassVar[list[Any]] = [models.Index(fields=["organization", "client"], name="course_client")]

    def __str__(self) -> str:
        return f"{self.indication} ({self.setting}) from {self.start_on}"

    def plan_obj(self) -> Plan:
        """The stored plan as core's typed :class:`Plan`, parsed once per instance (again if ``plan`` is replaced)."""
        cached: tuple[Any, Plan] | None = self.__dict__.get("_plan_obj")
        if cached is None or cached[0] is not self.plan:
            cached = (self.plan, Plan.model_validate(self.plan))
            self.__dict__["_plan_obj"] = cached
        return cached[1]


class SessionQuerySet(SealingBulkCreate["Session"]):
    """Bulk writes refuse to touch signed sessions; ``bulk_create`` seals the signed ones it inserts."""

    def update(self, **kwargs: Any) -> int:
        """Update rows, unless one of them is signed (or would become signed without its seal)."""
        if kwargs.get("status") == Session.Status.SIGNED or self.filter(status=Session.Status.SIGNED).exists():
            raise SignedRecordError(SIGNED_REFUSAL)
        return super().update(**kwargs)

    def bulk_update(self, objs: Any, fields: Any, batch_size: int | None = None) -> int:
        """Sessions are signed one by one, through ``save()``, which seals them."""
        msg = "sessions are changed one by one; a signed session is immutable"
        raise SignedRecordError(msg)

    def delete(self) -> tuple[int, dict[str, int]]:
        """Sessions are clinical records: cancelled, never deleted."""
        msg = "sessions are never deleted; cancel a booked session instead"
        raise SignedRecordError(msg)


class Session(models.Model):
    """One session of a course, from booking to signature."""

    Status = SessionStatus

    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="+")
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="sessions")
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="sessions")
    number = models.PositiveSmallIntegerField()
    scheduled_on = models.DateField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.BOOKED)
    performed_on = models.DateField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    override_reason = models.TextField(blank=True)
    override_physician = models.CharField(max_length=150, blank=True)
    override_approved_on = models.DateField(null=True, blank=True)
    override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    checklist = models.JSONField(default=list, blank=True)
    anaesthetic_started_at = models.DateTimeField(null=True, blank=True)
    # Added to a table with triggers: nullable, without a default, so SQLite adds each column in place
    # instead of rebuilding the table (which would drop its triggers).
    anaesthetic_agent = models.CharField(max_length=64, null=True, blank=True)
    anaesthetic_ready_at = models.DateTimeField(null=True, blank=True)
    needled_before_ready = models.BooleanField(null=True, blank=True)
    draft_saved_at = models.DateTimeField(null=True, blank=True)
    notes = models.TextField(blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signed_content = models.TextField(blank=True)
    content_hash = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = SessionQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering: ClassVar[list[str]] = ["scheduled_on", "number"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["organization", "course", "number"], name="session_number_unique"),
            models.CheckConstraint(
                condition=~models.Q(status="signed") | (models.Q(signed_at__isnull=False) & ~models.Q(content_hash="")),
                name="session_signed_has_hash",
            ),
        ]
        indexes: ClassVar[list[Any]] = [
            models.Index(fields=["organization", "scheduled_on"], name="session_org_date"),
            models.Index(fields=["organization", "client", "scheduled_on"], name="session_client_date"),
        ]

    def __str__(self) -> str:
        return f"session {self.number} of course {self.course_id} on {self.scheduled_on}"

    @property
    def is_signed(self) -> bool:
        """Signed: immutable from now on."""
        return self.status == self.Status.SIGNED

    @property
    def date(self) -> dt.date:
        """The day it took place, else the day it is booked for."""
        return self.performed_on or self.scheduled_on

    def get_absolute_url(self) -> str:
        """The session's page."""
        return reverse("treatments:session", args=[self.pk])

    def save(self, *args: Any, locked: bool = False, seals: SealBatch | None = None, **kwargs: Any) -> None:
        """Refuse to write over a signed session; seal it, in the same transaction, when it is signed.

        ``locked``: the caller read this row ``FOR UPDATE`` in the current transaction and saw it
        unsigned, so the database is not asked again. With ``seals``, the session is sealed when
        that batch is flushed.
        """
        signed = Session.objects.filter(pk=self.pk, status=self.Status.SIGNED)
        if not locked and self.pk is not None and signed.exists():
            raise SignedRecordError(SIGNED_REFUSAL, url=self.get_absolute_url())
        with transaction.atomic(savepoint=False):
            super().save(*args, **kwargs)
            if self.is_signed and seals is not None:
                seals.add(self, "session")
            elif self.is_signed:
                Seal.objects.append(self, "session")

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        """Never: a booked session is cancelled, a signed one is kept."""
        msg = "sessions are never deleted; cancel a booked session instead"
        raise SignedRecordError(msg)


class ZoneRecordQuerySet(models.QuerySet["ZoneRecord"]):
    """Bulk writes refuse to touch the zones of a signed session."""

    def update(self, **kwargs: Any) -> int:
        """Update rows, unless one belongs to a signed session."""
        if self.filter(session__status=Session.Status.SIGNED).exists():
            msg = "the zones of a signed session are immutable"
            raise SignedRecordError(msg)
        return super().update(**kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        """Delete rows, unless one belongs to a signed session."""
        if self.filter(session__status=Session.Status.SIGNED).exists():
            msg = "the zones of a signed session are immutable"
            raise SignedRecordError(msg)
        return super().delete()

    def bulk_update(self, objs: Any, fields: Any, batch_size: int | None = None) -> int:
        """Zone records are saved one by one, each checked against its session."""
        msg = "zone records are saved one by one; the zones of a signed session are immutable"
        raise SignedRecordError(msg)


class ZoneRecord(models.Model):
    """What was done on one zone in one session."""

    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="+")
    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="zone_records")
    zone = models.CharField(max_length=64)
    treated = models.BooleanField(default=True)
    device = models.CharField(max_length=64, blank=True)
    device_unit = models.ForeignKey(
        "devices.DeviceUnit", on_delete=models.PROTECT, null=True, blank=True, related_name="zone_records"
    )
    lot_number = models.CharField(max_length=64, blank=True)
    depth_mm = models.DecimalField(max_digits=4, decimal_places=2, null=True, blank=True)
    passes = models.PositiveSmallIntegerField(null=True, blank=True)
    endpoint_reached = models.BooleanField(default=False)
    notes = models.TextField(blank=True)
    warnings = models.JSONField(default=list, blank=True)

    objects = ZoneRecordQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering: ClassVar[list[str]] = ["pk"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["organization", "session", "zone"], name="zone_record_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.zone} in session {self.session_id}"

    def _session_signed(self) -> bool:
        return Session.objects.filter(pk=self.session_id, status=Session.Status.SIGNED).exists()

    def save(self, *args: Any, locked: bool = False, **kwargs: Any) -> None:
        """Refuse once the session is signed (``locked``: the caller holds the session's row lock, seen unsigned)."""
        if not locked and self._session_signed():
            msg = "the zones of a signed session are immutable"
            raise SignedRecordError(msg)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        """Refuse once the session is signed."""
        if self._session_signed():
            msg = "the zones of a signed session are immutable"
            raise SignedRecordError(msg)
        return super().delete(*args, **kwargs)


class AddendumQuerySet(SealedQuerySet["Addendum"]):
    """Addenda refuse bulk changes."""

    refusal = "an addendum is never changed or deleted; add another one"


class Addendum(AppendOnlySealed):
    """A later correction or note on a signed session; itself never changed, sealed when added."""

    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="+")
    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="addenda")
    text = models.TextField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = AddendumQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering: ClassVar[list[str]] = ["created_at", "pk"]

    seal_kind = "addendum"
    refused = SignedRecordError

    def __str__(self) -> str:
        return f"addendum {self.pk} to session {self.session_id}"
