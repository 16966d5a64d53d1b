from __future__ import annotations

from django.apps import AppConfig


class DevicesConfig(AppConfig):
    """Device units and lots."""

    name = "pinpoint.web.devices"
    label = "devices"
    verbose_name = "Devices"
