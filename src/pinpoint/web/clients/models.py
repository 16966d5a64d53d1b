"""A client of an organization, and the dated snapshots of their medical-history answers."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone
from simple_history.models import HistoricalRecords

from pinpoint.web.audit.models import Seal, SealedQuerySet, SealedRecordError

__all__ = ["Client", "Questionnaire"]


class Client(models.Model):
    """A person treated by the organization (in a personal space: the user themself)."""

    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="clients")
    full_name = models.CharField(max_length=150)
    birth_date = models.DateField(null=True, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    notes = models.TextField(blank=True)
    is_self = models.BooleanField(default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering: ClassVar[list[str]] = ["full_name", "pk"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(
                fields=["organization", "email"], condition=~models.Q(email=""), name="client_email_unique_in_org"
            ),
            models.UniqueConstraint(
                fields=["organization"], condition=models.Q(is_self=True), name="client_one_self_per_org"
            ),
        ]
        indexes: ClassVar[list[Any]] = [models.Index(fields=["organization", "full_name"], name="client_org_name")]

    def __str__(self) -> str:
        return self.full_name


class QuestionnaireQuerySet(SealedQuerySet["Questionnaire"]):
    """Questionnaire snapshots refuse bulk changes."""

    refusal = "a questionnaire snapshot is never changed or deleted; take a new one"


class Questionnaire(models.Model):
    """The answers of one medical-history questionnaire, as the answers contract of core, on a date.

    A snapshot is never edited: new answers are a new snapshot, so an old screening can always be
    re-read exactly as it was answered. It is sealed when taken.
    """

    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="questionnaires")
    taken_on = models.DateField()
    answers = models.JSONField(encoder=DjangoJSONEncoder)
    evidence_version = models.CharField(max_length=32)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = QuestionnaireQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering: ClassVar[list[str]] = ["-taken_on", "-pk"]
        indexes: ClassVar[list[Any]] = [
            models.Index(fields=["organization", "client", "-taken_on"], name="questionnaire_client_date")
        ]

    def __str__(self) -> str:
        return f"questionnaire of {self.client_id} on {self.taken_on}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Insert only (answers are corrected by taking a new questionnaire), sealed in the same transaction."""
        if not self._state.adding or (self.pk is not None and Questionnaire.objects.filter(pk=self.pk).exists()):
            msg = "a questionnaire snapshot is never edited; take a new one"
            raise SealedRecordError(msg)
        with transaction.atomic(savepoint=False):
            super().save(*args, **kwargs)
            Seal.objects.append(self, "questionnaire")

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        """Never: a snapshot is part of the record."""
        msg = "a questionnaire snapshot is never deleted"
        raise SealedRecordError(msg)
