"""Admin: read-only views of clients and questionnaires."""

from __future__ import annotations

from django.contrib import admin

from pinpoint.web.base.admin import ReadOnlyAdmin
from pinpoint.web.clients.models import Client, Questionnaire


@admin.register(Client)
class ClientAdmin(ReadOnlyAdmin):
    """Clients."""

    list_display = ("full_name", "organization", "birth_date", "email")
    list_filter = ("organization",)
    search_fields = ("full_name", "email")


@admin.register(Questionnaire)
class QuestionnaireAdmin(ReadOnlyAdmin):
    """Questionnaire snapshots."""

    list_display = ("client", "taken_on", "organization")
