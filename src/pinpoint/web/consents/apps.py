from __future__ import annotations

from django.apps import AppConfig


class ConsentsConfig(AppConfig):
    """Consent templates and signed consents."""

    name = "pinpoint.web.consents"
    label = "consents"
    verbose_name = "Consents"
