"""Tenant-scoped reads of device units and their use counts (the sessions that used one: ``treatments``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.shortcuts import get_object_or_404

from pinpoint.core.errors import PinpointError
from pinpoint.core.lots import Lot, LotVerdict, lot_verdict
from pinpoint.core.records import RollerStatus
from pinpoint.web.base.evidence import evidence_for
from pinpoint.web.base.permissions import Perm
from pinpoint.web.base.statuses import SessionStatus
from pinpoint.web.base.tenancy import Actor
from pinpoint.web.devices.models import DeviceUnit

__all__ = ["UnitStatus", "as_lot", "choosable", "get_unit", "units", "with_status"]


@dataclass(frozen=True)
class UnitStatus:
    """A unit with its use count and core's verdict on choosing it (``None``: not a catalog device any more)."""

    unit: DeviceUnit
    uses: int
    verdict: LotVerdict | None
    device_name: str = ""

    @property
    def usable(self) -> bool:
        """May be chosen for a session on the day asked."""
        return self.verdict is not None and self.verdict.usable

    @property
    def status(self) -> RollerStatus | None:
        """A reusable unit's wear (uses and days against the policy's limits); ``None`` for single-use."""
        return self.verdict.wear if self.verdict is not None else None

    @property
    def summary(self) -> str:
        """Core's one line on it."""
        return self.verdict.summary if self.verdict is not None else "not a device of the catalog in force"


SIGNED_USE = Q(zone_records__session__status=SessionStatus.SIGNED)


def _count(relation: str, condition: Q | None = None) -> Subquery:
    """A correlated count (distinct) of ``relation`` per unit: no GROUP BY in the outer query, so it can be locked."""
    inner = DeviceUnit.objects.filter(pk=OuterRef("pk")).annotate(n=Count(relation, filter=condition, distinct=True))
    return Subquery(inner.values("n")[:1], output_field=IntegerField())


def units(actor: Actor, in_service: bool = False, *, lock: bool = False) -> QuerySet[DeviceUnit]:
    """The organization's units, each with ``uses`` (the signed sessions that recorded it) and
    ``adverse_event_count`` (the adverse events reported with it); one query.

    ``lock``: the rows are locked ``FOR UPDATE`` first (call inside a transaction), then counted by
    a statement begun once the locks are held: two sessions recording at once count a lot's units
    one after the other. (In PostgreSQL's READ COMMITTED a statement that waited for a lock still
    reads other tables as they were when it began, so counting in the locking statement itself
    would miss the use the other session just signed.)
    """
    qs = DeviceUnit.objects.filter(organization=actor.organization)
    if in_service:
        qs = qs.filter(retired_on__isnull=True)
    if lock and connection.features.has_select_for_update:  # SQLite has no row locks: one writer at a time
        list(qs.select_for_update().order_by("pk").values_list("pk", flat=True))
    return qs.annotate(uses=_count("zone_records__session", SIGNED_USE), adverse_event_count=_count("adverse_events"))


def as_lot(unit: DeviceUnit) -> Lot:
    """What core needs to know of ``unit`` (annotated by :func:`units`)."""
    return Lot(
        label=unit.label,
        device=unit.catalog_id,
        lot_number=unit.lot_number,
        expires_on=unit.expires_on,
        units_total=unit.units_total,
        uses=int(getattr(unit, "uses", 0)),
        first_used_on=unit.first_used_on,
        retired_on=unit.retired_on,
        recalled_on=unit.recalled_on,
        recall_reason=unit.recall_reason,
        adverse_events=int(getattr(unit, "adverse_event_count", 0)),
    )


def with_status(actor: Actor, items: QuerySet[DeviceUnit], on: dt.date) -> list[UnitStatus]:
    """Core's verdict on choosing each unit on ``on`` (wear, units left, expiry, recall, and in a
    clinic only sterile single-use units)."""
    evidence = evidence_for(actor.organization)
    out = []
    for unit in items:
        lot = as_lot(unit)
        try:
            verdict: LotVerdict | None = lot_verdict(evidence, lot, on, actor.setting)
        except PinpointError:
            verdict = None
        dev = evidence.devices.get(unit.catalog_id)
        name = dev.name if dev is not None else unit.catalog_id
        out.append(UnitStatus(unit=unit, uses=lot.uses, verdict=verdict, device_name=name))
    return out


def choosable(actor: Actor, on: dt.date, *, lock: bool = False) -> list[UnitStatus]:
    """The units not retired, with core's verdict on choosing each on ``on`` (``lock``: see :func:`units`)."""
    return with_status(actor, units(actor, in_service=True, lock=lock), on)


def get_unit(actor: Actor, pk: int) -> DeviceUnit:
    """A unit of the actor's organization, else 404."""
    actor.require(Perm.DEVICE_MANAGE)
    return get_object_or_404(units(actor), pk=pk)
