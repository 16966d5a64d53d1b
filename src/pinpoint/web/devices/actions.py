"""Adding and retiring device units."""

from __future__ import annotations

import datetime as dt
import uuid

from django.db import transaction

from pinpoint.core.dates import check_future_date, check_past_date
from pinpoint.core.errors import InputError, UnknownIdError
from pinpoint.core.lots import check_units_total
from pinpoint.core.whole_plan import check_device_setting
from pinpoint.web.audit.actions import Event, record_event
from pinpoint.web.base.evidence import evidence_for
from pinpoint.web.base.idempotency import once
from pinpoint.web.base.permissions import Perm
from pinpoint.web.base.tenancy import Actor
from pinpoint.web.devices.models import Cleaning, DeviceUnit

__all__ = ["add_unit", "log_cleaning", "recall_lot", "retire_unit"]


def add_unit(
    actor: Actor,
    catalog_id: str,
    label: str,
    *,
    lot_number: str = "",
    expires_on: dt.date | None = None,
    units_total: int | None = None,
    key: uuid.UUID | None = None,
) -> DeviceUnit:
    """Register a device unit, or a lot of ``units_total`` single-use units, of a catalog device."""
    actor.require(Perm.DEVICE_MANAGE)
    evidence = evidence_for(actor.organization)
    if catalog_id not in evidence.devices:
        raise UnknownIdError("catalog_id", "device", catalog_id, evidence.devices)
    check_device_setting(catalog_id, evidence.devices[catalog_id], actor.setting, field="catalog_id")
    if not label.strip():
        raise InputError("label", "give the unit a label")
    if expires_on is not None:
        check_future_date("expires_on", expires_on, actor.today(), label="expiry date")
    check_units_total(units_total)
    if units_total is not None and units_total > 1 and evidence.devices[catalog_id].reuse == "reusable":
        raise InputError("units_total", "a reusable device is one unit: add each roller or pen body on its own")

    def create() -> DeviceUnit:
        if DeviceUnit.objects.filter(organization=actor.organization, label=label.strip()).exists():
            raise InputError("label", f"a device is already labelled {label.strip()!r}")
        unit = DeviceUnit.objects.create(
            organization=actor.organization,
            catalog_id=catalog_id,
            label=label.strip(),
            lot_number=lot_number.strip(),
            expires_on=expires_on,
            units_total=units_total,
            created_by=actor.user,
        )
        detail = {"catalog_id": catalog_id, "lot": unit.lot_number, "units": units_total}
        record_event(actor, Event.DEVICE_ADD, unit, detail=detail)
        return unit

    with transaction.atomic():
        scope = DeviceUnit.objects.filter(organization=actor.organization)
        return once(actor.user, key, Event.DEVICE_ADD, scope, create)


def retire_unit(actor: Actor, unit: DeviceUnit, on: dt.date) -> DeviceUnit:
    """Take a unit out of service (its use in past sessions stays on record)."""
    actor.require(Perm.DEVICE_MANAGE)
    with transaction.atomic():
        u = DeviceUnit.objects.select_for_update().get(pk=unit.pk, organization=actor.organization)
        if u.retired_on is None:
            u.retired_on = on
            u.save(update_fields=["retired_on"])
            record_event(actor, Event.DEVICE_RETIRE, u, detail={"on": on.isoformat()})
        return u


def recall_lot(actor: Actor, unit: DeviceUnit, reason: str, on: dt.date) -> DeviceUnit:
    """Mark a lot recalled from ``on``: it can no longer be chosen; its past use stays on record."""
    actor.require(Perm.DEVICE_MANAGE)
    if not reason.strip():
        raise InputError("reason", "say why the lot is recalled (the maker's notice, an adverse event...)")
    with transaction.atomic():
        u = DeviceUnit.objects.select_for_update().get(pk=unit.pk, organization=actor.organization)
        if u.recalled_on is None:
            u.recalled_on, u.recall_reason = on, reason.strip()[:500]
            u.save(update_fields=["recalled_on", "recall_reason"])
            record_event(actor, Event.DEVICE_RECALL, u, detail={"on": on.isoformat(), "reason": u.recall_reason})
        return u


def log_cleaning(actor: Actor, unit: DeviceUnit, agent: str, on: dt.date) -> Cleaning:
    """Log that a reusable unit was cleaned on ``on`` (today or earlier) with ``agent``."""
    actor.require(Perm.DEVICE_MANAGE)
    evidence = evidence_for(actor.organization)
    dev = evidence.devices.get(unit.catalog_id)
    if dev is not None and dev.reuse != "reusable":
        raise InputError("agent", "single-use units are never cleaned for reuse: dispose of them after use")
    if not agent.strip():
        raise InputError("agent", "name what it was cleaned with, e.g. 70% isopropyl alcohol")
    check_past_date("cleaned_on", on, actor.today(), label="cleaning date")
    with transaction.atomic():
        c = Cleaning.objects.create(
            organization=actor.organization, unit=unit, cleaned_on=on, agent=agent.strip()[:100], by=actor.user
        )
        record_event(actor, Event.DEVICE_CLEAN, unit, detail={"on": on.isoformat(), "agent": c.agent})
        return c
