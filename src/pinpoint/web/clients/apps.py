from __future__ import annotations

from django.apps import AppConfig


class ClientsConfig(AppConfig):
    """Clients and questionnaires."""

    name = "pinpoint.web.clients"
    label = "clients"
    verbose_name = "Clients"
