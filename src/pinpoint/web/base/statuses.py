"""Where a treatment session is in its life: booked, in progress, signed or cancelled.

Defined here, below every app, because more than one app reads it: ``treatments`` stores it
(``Session.Status`` is this class) and ``devices`` counts a unit's uses as the signed sessions
that recorded it.
"""

from __future__ import annotations

from django.db import models

__all__ = ["SessionStatus"]


class SessionStatus(models.TextChoices):
    """A session's status; only a signed session counts as a use of the devices it recorded."""

    BOOKED = "booked", "Booked"
    IN_PROGRESS = "in_progress", "In progress"
    SIGNED = "signed", "Signed"
    CANCELLED = "cancelled", "Cancelled"
