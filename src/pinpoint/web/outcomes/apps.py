from __future__ import annotations

from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    """Outcome scores, adverse events, lot recall searches."""

    name = "pinpoint.web.outcomes"
    label = "outcomes"
    verbose_name = "Outcomes"
