"""Admin helpers: clinical records are read-only in the admin; their changes go through the pages."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

__all__ = ["ReadOnlyAdmin", "ReadOnlyPlainAdmin"]


class ReadOnlyMixin:
    """Staff may look; adding, changing and deleting happen only through actions."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """No."""
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """No."""
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """No."""
        return False


class ReadOnlyAdmin(ReadOnlyMixin, SimpleHistoryAdmin):  # type: ignore[misc]  # simple-history ships no types
    """Read-only, with the change history of each row."""


class ReadOnlyPlainAdmin(ReadOnlyMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    """Read-only, for rows without history (the audit trail itself)."""
