from __future__ import annotations

from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    """Printable documents (PDF) of the records the pages show."""

    name = "pinpoint.web.documents"
    label = "documents"
    verbose_name = "Documents"
