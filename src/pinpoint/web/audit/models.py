"""Audit rows are written once and never changed."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone

__all__ = ["AuditEvent", "RecordView"]


class AppendOnly(models.Model):
    """A row that may be inserted, never updated or deleted through the ORM."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Insert only."""
        if self.pk is not None and type(self).objects.filter(pk=self.pk).exists():  # type: ignore[attr-defined]
            msg = f"{type(self).__name__} rows are append-only"
            raise ValueError(msg)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        """Never."""
        msg = f"{type(self).__name__} rows are append-only"
        raise ValueError(msg)


class AuditEvent(AppendOnly):
    """One action: who did what to which record, with the details that matter (e.g. an override reason)."""

    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    action = models.CharField(max_length=64)
    target_type = models.CharField(max_length=64)
    target_id = models.BigIntegerField(null=True)
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, null=True, related_name="+")
    detail = models.JSONField(default=dict, encoder=DjangoJSONEncoder)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes: ClassVar[list[Any]] = [
            models.Index(fields=["organization", "-at"], name="audit_event_org_at"),
            models.Index(fields=["organization", "client", "-at"], name="audit_event_client_at"),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.target_type}#{self.target_id}"


class RecordView(AppendOnly):
    """Someone opened a page showing a client's record."""

    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="+")
    what = models.CharField(max_length=64)
    object_id = models.BigIntegerField(null=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes: ClassVar[list[Any]] = [
            models.Index(fields=["organization", "-at"], name="audit_view_org_at"),
            models.Index(fields=["organization", "client", "-at"], name="audit_view_client_at"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} viewed {self.what} of client {self.client_id}"
