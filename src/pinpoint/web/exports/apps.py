from __future__ import annotations

from django.apps import AppConfig


class ExportsConfig(AppConfig):
    """FHIR export, the full export and erasure."""

    name = "pinpoint.web.exports"
    label = "exports"
    verbose_name = "Exports"
