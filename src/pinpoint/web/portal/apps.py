from __future__ import annotations

from django.apps import AppConfig


class PortalConfig(AppConfig):
    """A clinic's clients sign in by emailed link to see their appointments, plan and aftercare."""

    name = "pinpoint.web.portal"
    label = "portal"
    verbose_name = "Client portal"
