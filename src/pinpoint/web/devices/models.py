"""A device unit or consumable lot an organization uses, typed by a device of the evidence catalog."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

__all__ = ["DeviceUnit"]


class DeviceUnit(models.Model):
    """A roller, a pen cartridge lot or a pen body, as used in sessions.

    ``catalog_id`` names the device in the evidence catalog (needle length, reuse). How often a
    reusable roller was used is counted from the signed sessions that recorded it.
    """

    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="+")
    catalog_id = models.CharField(max_length=64)
    label = models.CharField(max_length=100)
    lot_number = models.CharField(max_length=64, blank=True)
    expires_on = models.DateField(null=True, blank=True)
    first_used_on = models.DateField(null=True, blank=True)
    retired_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering: ClassVar[list[str]] = ["label", "pk"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["organization", "label"], name="device_label_unique_in_org"),
        ]

    def __str__(self) -> str:
        lot = f" lot {self.lot_number}" if self.lot_number else ""
        return f"{self.label}{lot}"

    @property
    def in_service(self) -> bool:
        """Not retired."""
        return self.retired_on is None
