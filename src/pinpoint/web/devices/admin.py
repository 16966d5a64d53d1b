"""Admin: read-only view of device units."""

from __future__ import annotations

from django.contrib import admin

from pinpoint.web.base.admin import ReadOnlyAdmin
from pinpoint.web.devices.models import DeviceUnit


@admin.register(DeviceUnit)
class DeviceUnitAdmin(ReadOnlyAdmin):
    """Device units and lots."""

    list_display = ("label", "catalog_id", "lot_number", "organization", "first_used_on", "retired_on")
