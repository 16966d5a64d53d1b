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
from pinpoint.core.zones import zone_names
from pinpoint.evidence.loader import Evidence

__all__ = [
    "Numbing",
    "SessionRecord",
    "ZoneEntry",
    "anaesthetic_step",
    "anaesthetic_window",
    "check_every_zone_recorded",
    "check_needling_time",
    "missing_zones",
    "numbing",
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


@dataclass(frozen=True)
class Numbing:
    """A topical anaesthetic as applied: which, when it went on, and when it is ready (timezone-aware).

    ``ready_at`` is ``applied_at`` plus the agent's shortest contact time on its label (minutes);
    ``sources`` are that contact time's source ids.
    """

    agent: str
    name: str
    applied_at: dt.datetime
    ready_at: dt.datetime
    minutes: float
    sources: tuple[str, ...]


def numbing(evidence: Evidence, agent: str, applied_at: dt.datetime) -> Numbing:
    """The anaesthetic ``agent`` (an id of ``anaesthetics.toml``) applied at ``applied_at``, and when it is ready."""
    found = evidence.anaesthetics.get(agent)
    if found is None:
        raise InputError("anaesthetic", f"unknown topical anaesthetic '{agent}'")
    minutes = found.minutes.min
    return Numbing(
        agent=agent,
        name=found.name,
        applied_at=applied_at,
        ready_at=applied_at + dt.timedelta(minutes=minutes),
        minutes=minutes,
        sources=tuple(found.minutes.sources),
    )


def _clock(value: dt.datetime) -> str:
    return value.strftime("%H:%M")


def check_needling_time(
    applied: Numbing | None, at: dt.datetime, *, needled: bool, acknowledged: bool, zone: dt.tzinfo | None = None
) -> bool:
    """Whether a record signed at ``at`` says the skin was needled before the anaesthetic was ready.

    Needling comes before signing, so a signature before ``ready_at`` means the needling was early
    too. The contact time is a label's direction for the numbing to work, not a safety limit (the
    labels' limits are area, amount and the longest time on the skin, which the plan keeps), so
    early needling is a caution, not a refusal: the record says so once the signer acknowledges it
    (``acknowledged``). Unacknowledged, it is refused (``InputError`` on ``needled_before_ready``)
    with a sentence saying when the anaesthetic is ready. ``needled``: some zone was treated.
    Times in the refusal are shown in ``zone`` (default: ``at``'s own).
    """
    if applied is None or not needled:
        return False
    early = at < applied.ready_at
    if early and not acknowledged:
        local = zone or at.tzinfo
        on, ready = applied.applied_at.astimezone(local), applied.ready_at.astimezone(local)
        raise InputError(
            "needled_before_ready",
            f"{applied.name} went on at {_clock(on)} and is ready at {_clock(ready)}, after its contact time of "
            f"{applied.minutes:g} min ({', '.join(applied.sources)}): needling before then is needling before "
            f'the skin is numb; tick "Needled before the anaesthetic was ready" to sign now, or sign from '
            f"{_clock(ready)}",
        )
    return early or acknowledged


def missing_zones(plan: Plan, recorded: Iterable[str]) -> tuple[str, ...]:
    """The plan's zones (ids, sorted) that have no record yet."""
    return tuple(sorted({zp.zone for zp in plan.zones} - set(recorded)))


def check_every_zone_recorded(plan: Plan, recorded: Iterable[str], evidence: Evidence | None = None) -> None:
    """Refuse signing (``InputError`` on ``zones``) while a zone of ``plan`` has no record, treated or not.

    With ``evidence``, the missing zones are named as people read them.
    """
    missing = missing_zones(plan, recorded)
    if missing:
        named = zone_names(evidence, missing) if evidence else ", ".join(missing)
        raise InputError("zones", f"record every zone before signing; missing: {named}")


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
    anaesthetic_agent: str = ""
    anaesthetic_ready_at: dt.datetime | None = None
    needled_before_ready: bool | None = None
    override_physician: str = ""
    override_approved_on: dt.date | None = None


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

    Records signed since the anaesthetic's agent is kept carry an ``anaesthetic`` entry (agent,
    when it went on, when it was ready, whether the skin was needled before); a record without
    an agent has no such key, so records signed before it give the very same text and hash.
    """
    content: dict[str, Any] = {
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
    if record.anaesthetic_agent:
        content["anaesthetic"] = {
            "agent": record.anaesthetic_agent,
            "applied_at": _when(record.anaesthetic_started_at),
            "ready_at": _when(record.anaesthetic_ready_at),
            "needled_before_ready": bool(record.needled_before_ready),
        }
    if record.override_physician or record.override_approved_on is not None:
        # a referral overridden with a physician's approval (recorded since it is kept); records
        # without one give the same text and hash as before
        content["override_approval"] = {
            "physician": record.override_physician,
            "approved_on": record.override_approved_on.isoformat() if record.override_approved_on else None,
        }
    return content
