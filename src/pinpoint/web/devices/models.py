"""A device unit or consumable lot an organization uses, typed by a device of the evidence catalog."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

__all__ = ["Cleaning", "DeviceUnit"]


class DeviceUnit(models.Model):
    """A roller, a pen body, or a lot of single-use units (cartridges, rollers, probes), as used in sessions.

    ``catalog_id`` names the device in the evidence catalog (needle length, reuse). How often a
    unit was used is counted from the signed sessions that recorded it: each consumes one of a
    single-use lot's ``units_total`` (``None``: a single unit), and counts as one use of a
    reusable roller. Whether it may be chosen is core's (:func:`pinpoint.core.lots.lot_verdict`).
    """

    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="+")
    catalog_id = models.CharField(max_length=64)
    label = models.CharField(max_length=100)
    lot_number = models.CharField(max_length=64, blank=True)
    expires_on = models.DateField(null=True, blank=True)
    first_used_on = models.DateField(null=True, blank=True)
    retired_on = models.DateField(null=True, blank=True)
    units_total = models.PositiveIntegerField(null=True, blank=True)
    recalled_on = models.DateField(null=True, blank=True)
    recall_reason = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering: ClassVar[list[str]] = ["label", "pk"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["organization", "label"], name="device_label_unique_in_org"),
        ]
        indexes: ClassVar[list[Any]] = [models.Index(fields=["organization", "lot_number"], name="device_lot_number")]

    def __str__(self) -> str:
        lot = f" lot {self.lot_number}" if self.lot_number else ""
        return f"{self.label}{lot}"

    @property
    def in_service(self) -> bool:
        """Not retired."""
        return self.retired_on is None


class Cleaning(models.Model):
    """One cleaning of a reusable unit: the day, the agent used, who did it."""

    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(DeviceUnit, on_delete=models.PROTECT, related_name="cleanings")
    cleaned_on = models.DateField()
    agent = models.CharField(max_length=100)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar[list[str]] = ["-cleaned_on", "-pk"]
        indexes: ClassVar[list[Any]] = [models.Index(fields=["organization", "unit"], name="cleaning_unit")]

    def __str__(self) -> str:
        return f"{self.unit_id} cleaned on {self.cleaned_on} with {self.agent}"
