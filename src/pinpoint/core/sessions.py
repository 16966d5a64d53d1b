"""Running and signing one session: the anaesthetic countdown, every zone recorded, what a signature covers.

The web's session runner gathers the rows and calls these; they read no clock (times are
parameters) and hold no storage detail. See ``docs/adr/0006`` (record rules in core).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from pinpoint.core.errors import InputError
from pinpoint.core.guide import Step
from pinpoint.core.planning import Plan

__all__ = [
    "SessionRecord",
    "ZoneEntry",
    "anaesthetic_step",
    "anaesthetic_window",
    "check_every_zone_recorded",
    "missing_zones",
    "signed_content",
]


def anaesthetic_step(steps: Iterable[Step]) -> Step | None:
    """The guide's step that applies the topical anaesthetic, or ``None`` when the session has none."""
    return next((s for s in steps if s.kind == "anaesthetic-apply"), None)


def anaesthetic_window(steps: Iterable[Step], started_at: dt.datetime | None) -> tuple[dt.datetime, dt.datetime] | None:
    """When the anaesthetic applied at ``started_at`` is ready: from its shortest to its longest contact time.

    The contact time (minutes) is the anaesthetic step's; ``None`` when the cream is not on yet,
    the guide has no anaesthetic step or the step gives no duration.
    """
    step = anaesthetic_step(steps)
    if step is None or step.minutes is None or started_at is None:
        return None
    return (
        started_at + dt.timedelta(minutes=step.minutes.min),
        started_at + dt.timedelta(minutes=step.minutes.max),
    )


def missing_zones(plan: Plan, recorded: Iterable[str]) -> tuple[str, ...]:
    """The plan's zones (ids, sorted) that have no record yet."""
    return tuple(sorted({zp.zone for zp in plan.zones} - set(recorded)))


def check_every_zone_recorded(plan: Plan, recorded: Iterable[str]) -> None:
    """Refuse signing (``InputError`` on ``zones``) while a zone of ``plan`` has no record, treated or not."""
    missing = missing_zones(plan, recorded)
    if missing:
        raise InputError("zones", f"record every zone before signing; missing: {', '.join(missing)}")


@dataclass(frozen=True)
class ZoneEntry:
    """What was recorded for one zone, as signed (``depth_mm`` in mm; ids of stored rows as integers)."""

    zone: str
    treated: bool
    device: str
    device_unit: int | None
    lot_number: str
    depth_mm: Decimal | None
    passes: int | None
    endpoint_reached: bool
    notes: str
    warnings: tuple[str, ...]


@dataclass(frozen=True)
class SessionRecord:
    """One session's record as signed: who, when (timezone-aware datetimes), what (zones, checklist, notes)."""

    session: int
    organization: int
    client: int
    course: int
    number: int
    scheduled_on: dt.date
    performed_on: dt.date | None
    started_at: dt.datetime | None
    started_by: int | None
    override_reason: str
    override_by: int | None
    checklist: tuple[int, ...]
    anaesthetic_started_at: dt.datetime | None
    notes: str
    zones: tuple[ZoneEntry, ...]
    signed_at: dt.datetime | None
    signed_by: int | None


def _when(value: dt.datetime | None) -> str | None:
    return value.astimezone(dt.UTC).isoformat() if value is not None else None


def _zone(z: ZoneEntry) -> dict[str, Any]:
    return {
        "zone": z.zone,
        "treated": z.treated,
        "device": z.device,
        "device_unit": z.device_unit,
        "lot_number": z.lot_number,
        "depth_mm": None if z.depth_mm is None else f"{z.depth_mm:.2f}",
        "passes": z.passes,
        "endpoint_reached": z.endpoint_reached,
        "notes": z.notes,
        "warnings": list(z.warnings),
    }


def signed_content(record: SessionRecord) -> dict[str, Any]:
    """Everything a signature covers, as plain JSON values.

    Dates are ISO dates, datetimes ISO in UTC, depths text with two decimals (mm), zones sorted
    by id, checklist step indexes sorted. Its :func:`pinpoint.core.records.canonical_json` is
    what is stored and hashed; changing this shape would break every stored signature.
    """
    return {
        "session": record.session,
        "organization": record.organization,
        "client": record.client,
        "course": record.course,
        "number": record.number,
        "scheduled_on": record.scheduled_on.isoformat(),
        "performed_on": record.performed_on.isoformat() if record.performed_on else None,
        "started_at": _when(record.started_at),
        "started_by": record.started_by,
        "override_reason": record.override_reason,
        "override_by": record.override_by,
        "checklist": sorted(record.checklist),
        "anaesthetic_started_at": _when(record.anaesthetic_started_at),
        "notes": record.notes,
        "zones": [_zone(z) for z in sorted(record.zones, key=lambda z: z.zone)],
        "signed_at": _when(record.signed_at),
        "signed_by": record.signed_by,
    }
