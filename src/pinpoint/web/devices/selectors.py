"""Tenant-scoped reads of device units and their use counts (the sessions that used one: ``treatments``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from pinpoint.core.errors import PinpointError
from pinpoint.core.records import RollerStatus, roller_status
from pinpoint.web.base.evidence import evidence_for
from pinpoint.web.base.permissions import Perm
from pinpoint.web.base.statuses import SessionStatus
from pinpoint.web.base.tenancy import Actor
from pinpoint.web.devices.models import DeviceUnit

__all__ = ["UnitStatus", "get_unit", "units", "with_status"]


@dataclass(frozen=True)
class UnitStatus:
    """A unit with its use count and core's replacement verdict."""

    unit: DeviceUnit
    uses: int
    status: RollerStatus | None


def units(actor: Actor, in_service: bool = False) -> QuerySet[DeviceUnit]:
    """The organization's units, each with ``uses``: the signed sessions that recorded it."""
    qs = DeviceUnit.objects.filter(organization=actor.organization)
    if in_service:
        qs = qs.filter(retired_on__isnull=True)
    return qs.annotate(
        uses=Count("zone_records__session", filter=Q(zone_records__session__status=SessionStatus.SIGNED), distinct=True)
    )


def with_status(actor: Actor, items: QuerySet[DeviceUnit], on: dt.date) -> list[UnitStatus]:
    """Core's replacement status of each unit on ``on``."""
    evidence = evidence_for(actor.organization)
    out = []
    for unit in items:
        uses = int(getattr(unit, "uses", 0))
        try:
            status = roller_status(evidence, unit.catalog_id, uses, unit.first_used_on, on)
        except PinpointError:
            status = None
        out.append(UnitStatus(unit=unit, uses=uses, status=status))
    return out


def get_unit(actor: Actor, pk: int) -> DeviceUnit:
    """A unit of the actor's organization, else 404."""
    actor.require(Perm.DEVICE_MANAGE)
    return get_object_or_404(units(actor), pk=pk)
