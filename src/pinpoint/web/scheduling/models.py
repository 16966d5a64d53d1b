"""Rooms, appointments (a session's time, practitioner and room) and the grid cells each one holds.

No two appointments of one practitioner, or of one room, overlap: each appointment holds one
:class:`Hold` row per 5-minute grid cell it covers (``core.scheduling.grid_cells``) for its
practitioner and one for its room, and ``(resource, cell)`` is unique. The database refuses the
second of two simultaneous bookings of one slot, on PostgreSQL and SQLite alike.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone

__all__ = ["Appointment", "Hold", "Room"]


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
