"""Each reminder sent is one row, claimed before the email goes; calendar feeds behind hashed tokens.

A :class:`Sending` is unique per ``(key, due_on)`` (core's reminder key and due date). Whoever
inserts it first sends the email; a second run, even a concurrent one, finds the row taken and
sends nothing. A run that crashes between the claim and the email leaves the row with neither
``sent_at`` nor ``error``: that reminder is not sent again (at most once), and ``pinpoint
reminders`` lists such rows as unfinished.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone

__all__ = ["CalendarFeed", "Sending"]


class Sending(models.Model):
    """One reminder claimed for sending on its due date, and what became of it."""

    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="+")
    key = models.CharField(max_length=80)
    due_on = models.DateField()
    kind = models.CharField(max_length=20)
    recipient = models.EmailField()
    subject = models.CharField(max_length=200)
    claimed_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-claimed_at", "-pk"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["key", "due_on"], name="sending_once_per_due_date"),
        ]

    def __str__(self) -> str:
        return f"{self.key} due {self.due_on} to {self.recipient}"


class CalendarFeed(models.Model):
    """A user's private calendar address; only the token's SHA-256 is stored. Revoked feeds answer 404."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="+")
    token_sha256 = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"calendar feed {self.pk} of {self.user}"
