from __future__ import annotations

from django.apps import AppConfig


class ClientsConfig(AppConfig):
    """Clients and questionnaires."""

    name = "pinpoint.web.clients"
    label = "clients"
    verbose_name = "Clients"

    def ready(self) -> None:
        """A new personal space gets its client: ``accounts`` announces it and does not import ``clients``."""
        from pinpoint.web.accounts.signals import organization_created  # noqa: PLC0415 - app registry is ready now
        from pinpoint.web.clients.receivers import create_self_client  # noqa: PLC0415 - (same)

        organization_created.connect(create_self_client, dispatch_uid="pinpoint.clients.self_client")
