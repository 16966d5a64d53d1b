"""Adding and retiring device units."""

from __future__ import annotations

import datetime as dt
import uuid

from django.db import transaction

from pinpoint.core.dates import check_future_date
from pinpoint.core.errors import InputError, UnknownIdError
from pinpoint.web.audit.actions import Event, record_event
from pinpoint.web.base.evidence import evidence_for
from pinpoint.web.base.idempotency import once
from pinpoint.web.base.permissions import Perm
from pinpoint.web.base.tenancy import Actor
from pinpoint.web.devices.models import DeviceUnit

__all__ = ["add_unit", "retire_unit"]


def add_unit(
    actor: Actor,
    catalog_id: str,
    label: str,
    *,
    lot_number: str = "",
    expires_on: dt.date | None = None,
    key: uuid.UUID | None = None,
) -> DeviceUnit:
    """Register a device unit or lot of a catalog device."""
    actor.require(Perm.DEVICE_MANAGE)
    evidence = evidence_for(actor.organization)
    if catalog_id not in evidence.devices:
        raise UnknownIdError("catalog_id", "device", catalog_id, evidence.devices)
    if not label.strip():
        raise InputError("label", "give the unit a label")
    if expires_on is not None:
        check_future_date("expires_on", expires_on, actor.today(), label="expiry date")

    def create() -> DeviceUnit:
        if DeviceUnit.objects.filter(organization=actor.organization, label=label.strip()).exists():
            raise InputError("label", f"a device is already labelled {label.strip()!r}")
        unit = DeviceUnit.objects.create(
            organization=actor.organization,
            catalog_id=catalog_id,
            label=label.strip(),
            lot_number=lot_number.strip(),
            expires_on=expires_on,
            created_by=actor.user,
        )
        record_event(actor, Event.DEVICE_ADD, unit, detail={"catalog_id": catalog_id, "lot": unit.lot_number})
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
