from __future__ import annotations

from django.apps import AppConfig


class ApiConfig(AppConfig):
    """The REST API and personal API tokens."""

    name = "pinpoint.web.api"
    label = "api"
    verbose_name = "Pinpoint API"
