"""The records app: reads across apps, and the indexes those reads need at clinic scale (no models)."""

from __future__ import annotations

from django.apps import AppConfig


class RecordsConfig(AppConfig):
    """Reads across apps; its migrations add the indexes of the client list, the search and the dashboard."""

    name = "pinpoint.web.records"
    label = "records"
    verbose_name = "Records"
