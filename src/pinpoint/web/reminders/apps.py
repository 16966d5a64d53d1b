from __future__ import annotations

from django.apps import AppConfig


class RemindersConfig(AppConfig):
    """Reminders and recalls sent once each by email, and private calendar feeds."""

    name = "pinpoint.web.reminders"
    label = "reminders"
    verbose_name = "Reminders"
