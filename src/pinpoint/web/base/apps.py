from __future__ import annotations

from django.apps import AppConfig


class BaseConfig(AppConfig):
    """Shared machinery: permissions, tenancy, once-only submissions."""

    name = "pinpoint.web.base"
    label = "base"
    verbose_name = "Pinpoint base"
