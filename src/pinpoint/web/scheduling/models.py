"""Rooms, appointments (a session's time, practitioner and room) and the grid cells each one holds.

No two appointments of one practitioner, or of one room, overlap: each appointment holds one
:class:`Hold` row per 5-minute grid cell it covers (``core.scheduling.grid_cells``) for its
practitioner and one for its room, and ``(resource, cell)`` is unique. The database refuses the
second of two simultaneous bookings of one slot, on PostgreSQL and SQLite alike.

:class:`OpeningHours` are a clinic's own bookable hours, one row per weekday (no times: closed
that day); a clinic without rows keeps the default day (``selectors.DEFAULT_OPENS`` to
``selectors.DEFAULT_CLOSES``, every day).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone

__all__ = ["Appointment", "Hold", "OpeningHours", "Room"]


class Room(models.Model):
    """A treatment room of a clinic."""

    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=80)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar[list[str]] = ["name", "pk"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["organization", "name"], name="room_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class Appointment(models.Model):
    """When a session takes place, who treats and where."""

    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="+")
    session = models.OneToOneField("treatments.Session", on_delete=models.PROTECT, related_name="appointment")
    practitioner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    room = models.ForeignKey(Room, on_delete=models.PROTECT, null=True, blank=True, related_name="appointments")
    starts_at = models.DateTimeField()
    minutes = models.PositiveSmallIntegerField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar[list[str]] = ["starts_at", "pk"]
        indexes: ClassVar[list[Any]] = [
            models.Index(fields=["organization", "practitioner", "starts_at"], name="appointment_day"),
        ]
        constraints: ClassVar[list[Any]] = [
            models.CheckConstraint(condition=models.Q(minutes__gte=5, minutes__lte=480), name="appointment_minutes"),
        ]

    def __str__(self) -> str:
        return f"{self.session} at {self.starts_at:%H:%M}"

    @property
    def ends_at(self) -> dt.datetime:
        """When it ends."""
        return self.starts_at + dt.timedelta(minutes=self.minutes)


class Hold(models.Model):
    """One 5-minute grid cell held by an appointment for a practitioner (``user:ID``) or a room (``room:ID``)."""

    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="holds")
    resource = models.CharField(max_length=32)
    cell = models.BigIntegerField()

    class Meta:
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["resource", "cell"], name="hold_one_per_cell"),
        ]

    def __str__(self) -> str:
        return f"{self.resource} cell {self.cell}"


class OpeningHours(models.Model):
    """When a clinic takes appointments on one weekday (0 Monday to 6 Sunday); no times: closed that day."""

    organization = models.ForeignKey("accounts.Organization", on_delete=models.CASCADE, related_name="+")
    weekday = models.PositiveSmallIntegerField()
    opens = models.TimeField(null=True, blank=True)
    closes = models.TimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["weekday"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["organization", "weekday"], name="opening_hours_one_per_weekday"),
            models.CheckConstraint(condition=models.Q(weekday__lte=6), name="opening_hours_weekday"),
            models.CheckConstraint(
                condition=models.Q(opens__isnull=True, closes__isnull=True)
                | models.Q(opens__isnull=False, closes__isnull=False, closes__gt=models.F("opens")),
                name="opening_hours_closes_after_opens",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"weekday {self.weekday}: {self.opens}-{self.closes}" if self.opens else f"weekday {self.weekday}: closed"
        )

    @property
    def is_closed(self) -> bool:
        """True when the clinic takes no appointment that weekday."""
        return self.opens is None
