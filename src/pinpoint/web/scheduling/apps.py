from __future__ import annotations

from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    """Appointments with times, practitioners and rooms; day and week calendars."""

    name = "pinpoint.web.scheduling"
    label = "scheduling"
    verbose_name = "Scheduling"

    def ready(self) -> None:
        """Free a session's time when it is cancelled or moved to another day."""
        from pinpoint.web.scheduling import receivers  # noqa: F401, PLC0415 - connects the receivers once apps are ready
