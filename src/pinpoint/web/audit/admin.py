"""Admin: the audit trail, read-only."""

from __future__ import annotations

from django.contrib import admin

from pinpoint.web.audit.models import AuditEvent, RecordView
from pinpoint.web.base.admin import ReadOnlyPlainAdmin


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyPlainAdmin):
    """Events."""

    list_display = ("at", "organization", "actor", "action", "target_type", "target_id")


@admin.register(RecordView)
class RecordViewAdmin(ReadOnlyPlainAdmin):
    """Record views."""

    list_display = ("at", "organization", "user", "client", "what")
