"""The client portal's records: sign-in links (hash only, single-use, short-lived), what a client
filled in before the visit (reviewed by the practitioner at check-in) and problems they report."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone

__all__ = ["ProblemReport", "SignInLink", "Submission"]


class SignInLink(models.Model):
    """A passwordless sign-in link for one client; only the token's SHA-256 is stored."""

    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="+")
    token_sha256 = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"sign-in link {self.pk} for client {self.client_id}"


class Submission(models.Model):
    """A questionnaire or consent the client filled in the portal, until the practitioner accepts it."""

    class Kind(models.TextChoices):
        QUESTIONNAIRE = "questionnaire", "Medical questionnaire"
        CONSENT = "consent", "Consent"

    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    data = models.JSONField()
    submitted_at = models.DateTimeField(default=timezone.now)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    record_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-submitted_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.kind} from client {self.client_id}"


class ProblemReport(models.Model):
    """A problem a client reports after a session, for the clinic to review."""

    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="+")
    session = models.ForeignKey("treatments.Session", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    text = models.TextField()
    reported_at = models.DateTimeField(default=timezone.now)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering: ClassVar[list[str]] = ["-reported_at", "-pk"]
        indexes: ClassVar[list[Any]] = [models.Index(fields=["organization", "reviewed_at"], name="problem_open")]

    def __str__(self) -> str:
        return f"problem reported by client {self.client_id}"
