"""Consent templates are versioned (a change is a new version); a signed consent keeps its own copy of the text."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from simple_history.models import HistoricalRecords

from pinpoint.core.vocab import treatment_choices
from pinpoint.web.audit.models import Seal, SealedQuerySet, SealedRecordError

__all__ = ["TREATMENTS", "Consent", "ConsentTemplate", "FrozenRecordError"]

TREATMENTS = list(treatment_choices())


class FrozenRecordError(SealedRecordError):
    """A signed or versioned record was about to be changed."""


class ConsentTemplate(models.Model):
    """One version of the consent text for a treatment, in one organization's settings."""

    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="+")
    treatment = models.CharField(max_length=20, choices=TREATMENTS)
    version = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    body = models.TextField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering: ClassVar[list[str]] = ["treatment", "-version"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(
                fields=["organization", "treatment", "version"], name="consent_template_version_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Insert only: editing a template means adding a version."""
        if self.pk is not None and ConsentTemplate.objects.filter(pk=self.pk).exists():
            msg = "a consent template version is never edited; add a new version"
            raise FrozenRecordError(msg)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        """Never: signed consents point at their template version."""
        msg = "consent template versions are kept"
        raise FrozenRecordError(msg)


_WITHDRAWAL_FIELDS = ("withdrawn_at", "withdrawn_by_id", "withdrawal_reason")


class ConsentQuerySet(SealedQuerySet["Consent"]):
    """Consents refuse bulk changes: a withdrawal is recorded on one consent, through ``save()``."""

    refusal = "a consent is never changed or deleted in bulk; record a withdrawal on the consent"


class Consent(models.Model):
    """A client's signed consent: the template text as shown, the typed name, when, who recorded it.

    Photo use is consented separately (clinical record, and marketing). A withdrawal is recorded
    on the consent; the consent itself is never deleted or changed. The signed consent is sealed
    when signed, and its withdrawal is sealed on its own when recorded (ADR 0007).
    """

    class Signer(models.TextChoices):
        CLIENT = "client", "The client"
        GUARDIAN = "guardian", "A parent or guardian"

    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="consents")
    template = models.ForeignKey(ConsentTemplate, on_delete=models.PROTECT, related_name="consents")
    treatment = models.CharField(max_length=20, choices=TREATMENTS)
    template_version = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    text = models.TextField()
    signed_name = models.CharField(max_length=150)
    signer = models.CharField(max_length=10, choices=Signer.choices, default=Signer.CLIENT)
    signed_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    photo_clinical = models.BooleanField()
    photo_marketing = models.BooleanField()
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    withdrawal_reason = models.TextField(blank=True)

    objects = ConsentQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering: ClassVar[list[str]] = ["-signed_at", "-pk"]
        indexes: ClassVar[list[Any]] = [
            models.Index(fields=["organization", "client", "treatment"], name="consent_client_treatment")
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.template_version} signed by {self.signed_name}"

    def in_force_on(self, on: dt.date) -> bool:
        """Signed on or before ``on`` and not withdrawn by then (dates in the active time zone)."""
        if timezone.localdate(self.signed_at) > on:
            return False
        return self.withdrawn_at is None or timezone.localdate(self.withdrawn_at) > on

    def save(self, *args: Any, **kwargs: Any) -> None:
        """After signing only the withdrawal may be recorded, once; each is sealed in the same transaction."""
        self._check_change()  # before the atomic block: a refusal must not poison the caller's transaction
        with transaction.atomic(savepoint=False):
            adding = self._state.adding
            super().save(*args, **kwargs)
            if adding:
                Seal.objects.append(self, "consent")
            elif self.withdrawn_at is not None:
                Seal.objects.append(self, "consent_withdrawal")

    def _check_change(self) -> None:
        if self.pk is not None:
            old = Consent.objects.filter(pk=self.pk).first()
            if old is not None:
                if old.withdrawn_at is not None:
                    msg = "a withdrawn consent is final"
                    raise FrozenRecordError(msg)
                changed = [
                    f.attname for f in self._meta.concrete_fields if getattr(old, f.attname) != getattr(self, f.attname)
                ]
                if any(name not in _WITHDRAWAL_FIELDS for name in changed):
                    msg = "a signed consent is never changed; only its withdrawal is recorded"
                    raise FrozenRecordError(msg)
                if old.withdrawn_at is None and self.withdrawn_at is None:
                    msg = "a signed consent is never changed; only its withdrawal is recorded"
                    raise FrozenRecordError(msg)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        """Never: a withdrawal is recorded instead."""
        msg = "a consent is never deleted; record its withdrawal"
        raise FrozenRecordError(msg)
