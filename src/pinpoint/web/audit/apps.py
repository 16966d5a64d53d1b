from __future__ import annotations

from django.apps import AppConfig


class AuditConfig(AppConfig):
    """Action events and record views."""

    name = "pinpoint.web.audit"
    label = "audit"
    verbose_name = "Audit"
