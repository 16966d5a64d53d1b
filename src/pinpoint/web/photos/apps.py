"""The photos app."""

from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.core.signals import request_finished


def _discard_rolled_back(sender: Any, **kwargs: Any) -> None:
    """After each request: remove stored files whose rows an outer transaction rolled back."""
    from pinpoint.web.photos.actions import discard_rolled_back  # noqa: PLC0415 - models load after ready()

    discard_rolled_back()


class PhotosConfig(AppConfig):
    """Clinical photos at standard views, tied to their consent."""

    name = "pinpoint.web.photos"
    label = "photos"
    verbose_name = "Photos"

    def ready(self) -> None:
        """Clean up after rolled-back photos at the end of every request."""
        request_finished.connect(_discard_rolled_back, dispatch_uid="pinpoint.photos.discard_rolled_back")
