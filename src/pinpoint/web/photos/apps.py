"""The photos app."""

from __future__ import annotations

from django.apps import AppConfig


class PhotosConfig(AppConfig):
    """Clinical photos at standard views, tied to their consent."""

    name = "pinpoint.web.photos"
    label = "photos"
    verbose_name = "Photos"
