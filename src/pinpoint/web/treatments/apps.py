from __future__ import annotations

from django.apps import AppConfig


class TreatmentsConfig(AppConfig):
    """Courses, sessions, zone records, addenda."""

    name = "pinpoint.web.treatments"
    label = "treatments"
    verbose_name = "Treatments"
