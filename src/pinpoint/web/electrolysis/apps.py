"""Needle electrolysis courses, sessions and their per-area records (ADR 0011)."""

from __future__ import annotations

from django.apps import AppConfig


class ElectrolysisConfig(AppConfig):
    """The electrolysis app: beside treatments, reusing base, audit, clients and consents."""

    name = "pinpoint.web.electrolysis"
    label = "electrolysis"
