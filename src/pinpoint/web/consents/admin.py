"""Admin: read-only views of consent templates and consents."""

from __future__ import annotations

from django.contrib import admin

from pinpoint.web.base.admin import ReadOnlyAdmin
from pinpoint.web.consents.models import Consent, ConsentTemplate


@admin.register(ConsentTemplate)
class ConsentTemplateAdmin(ReadOnlyAdmin):
    """Template versions."""

    list_display = ("title", "treatment", "version", "organization")


@admin.register(Consent)
class ConsentAdmin(ReadOnlyAdmin):
    """Signed consents."""

    list_display = ("client", "treatment", "template_version", "signed_at", "withdrawn_at")
