"""Course planning: needle depth, passes, interval, sessions and a dated schedule, per zone.

All numbers come from the evidence base; this module picks and combines them. Composite zones
(the full face) are planned part by part, so thin-skin parts keep their shallow depths.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict

from pinpoint.core.answers import Answers
from pinpoint.core.coverage.passes import ZoneCoverage, zone_coverage
from pinpoint.core.errors import InputError, RefusedError, ScreeningBlockedError, UnknownIdError
from pinpoint.core.screening import PolicyNote, Screening, policy_notes, screen
from pinpoint.core.zones import expand
from pinpoint.evidence.loader import Evidence
from pinpoint.evidence.schema import (
    DepthRule,
    Indication,
    IntervalRule,
    PenDevice,
    Range,
    RollerDevice,
    Setting,
)

__all__ = [
    "AftercareLine",
    "Plan",
    "ScheduledSession",
    "Span",
    "ZonePlan",
    "aftercare_for",
    "get_device",
    "get_indication",
    "interval_rule",
    "plan",
    "schedule_dates",
]


class Span(BaseModel):
    """An inclusive ``[min, max]`` in the unit its field name gives."""

    model_config = ConfigDict(frozen=True)

    min: float
    max: float

    @classmethod
    def of(cls, r: Range) -> Span:
        """The span of an evidence range."""
        return cls(min=r.min, max=r.max)


class ZonePlan(BaseModel):
    """What to do on one zone, with the sources behind it."""

    model_config = ConfigDict(frozen=True)

    zone: str
    part_of: str
    depth_mm: Span
    passes: Span
    interval_days: Span
    sessions: Span
    endpoint: str
    estimate: bool
    sources: tuple[str, ...]
    coverage: ZoneCoverage | None = None
    """With a device: the passes that reach the target density on this zone (closed form)."""


class ScheduledSession(BaseModel):
    """One dated session of the course (1-based)."""

    model_config = ConfigDict(frozen=True)

    session: int
    date: dt.date


class AftercareLine(BaseModel):
    """An aftercare instruction; ``hours`` counts from the end of the session."""

    model_config = ConfigDict(frozen=True)

    kind: str
    text: str
    hours: Span | None
    sources: tuple[str, ...]


class Plan(BaseModel):
    """A course plan for one indication on some zones in one setting."""

    model_config = ConfigDict(frozen=True)

    indication: str
    setting: Setting
    device: str | None
    device_kind: str
    skin_type: int | None
    zones: tuple[ZonePlan, ...]
    schedule: tuple[ScheduledSession, ...]
    visible_result_days: Span | None
    aftercare: tuple[AftercareLine, ...]
    warnings: tuple[str, ...]
    sources: tuple[str, ...]
    evidence_version: str
    policy_overrides: tuple[PolicyNote, ...] = ()
    screening: Screening | None = None

    @property
    def deepest_mm(self) -> float:
        """The deepest needle length of the plan, in mm."""
        return max(z.depth_mm.max for z in self.zones)


def get_indication(evidence: Evidence, indication: str) -> Indication:
    """The indication with id ``indication``, or :class:`UnknownIdError`."""
    if indication not in evidence.indications:
        raise UnknownIdError("indication", "indication", indication, evidence.indications)
    return evidence.indications[indication]


def get_device(evidence: Evidence, device: str) -> Any:
    """The catalog device with id ``device``, or :class:`UnknownIdError`."""
    if device not in evidence.devices:
        raise UnknownIdError("device", "device", device, evidence.devices)
    return evidence.devices[device]


def interval_rule(evidence: Evidence, ind: Indication, depth_mm: float) -> IntervalRule:
    """The interval rule for a plan whose deepest needle is ``depth_mm``: the indication's own, else the general one."""
    for rules in (ind.intervals, evidence.technique.intervals):
        for rule in rules:
            if rule.depth_from_mm <= depth_mm < rule.depth_to_mm:
                return rule
    msg = f"no interval rule covers {depth_mm} mm"
    raise RefusedError("depth", msg)


def schedule_dates(start: dt.date, sessions: int, interval_days: int) -> tuple[ScheduledSession, ...]:
    """``sessions`` dated sessions from ``start``, ``interval_days`` apart."""
    if sessions < 1 or interval_days < 1:
        raise InputError("schedule", "a schedule needs at least one session and an interval of at least a day")
    try:  # the last session must still fall inside the calendar (years 1 to 9999)
        step = dt.timedelta(days=interval_days)
        return tuple(ScheduledSession(session=i + 1, date=start + i * step) for i in range(sessions))
    except OverflowError:
        raise InputError(
            "start", f"a course of {sessions} sessions {interval_days} days apart from {start} ends past year 9999"
        ) from None


def aftercare_for(evidence: Evidence, treatment: str, setting: Setting, deepest_mm: float) -> tuple[AftercareLine, ...]:
    """The aftercare lines that apply to a session of ``treatment`` reaching ``deepest_mm``."""
    return tuple(
        AftercareLine(
            kind=item.kind,
            text=item.text,
            hours=Span.of(item.hours) if item.hours else None,
            sources=item.sources,
        )
        for item in evidence.aftercare.values()
        if treatment in item.treatments and setting in item.settings and deepest_mm >= item.depth_from_mm
    )


def _depth_rule(ind: Indication, zone: str, setting: Setting) -> DepthRule | None:
    return next((r for r in ind.depth if r.setting == setting and zone in r.zones), None)


def _zone_depth(
    ev: Evidence, ind_id: str, ind: Indication, zone: str, setting: Setting, device: Any
) -> tuple[Span, DepthRule]:
    rule = _depth_rule(ind, zone, setting)
    cap = ev.policy_value("home_depth_cap_mm")
    if rule is None:
        clinic = _depth_rule(ind, zone, "clinic")
        if setting == "home" and clinic is not None:
            raise RefusedError(
                "setting",
                f"{ind_id} on {zone} has no home protocol: it needs {clinic.depth_mm.min:g}-"
                f"{clinic.depth_mm.max:g} mm, deeper than the home cap of {cap:g} mm "
                "(policy home_depth_cap_mm); plan it in a clinic",
            )
        raise RefusedError("setting", f"{ind_id} on {zone} has no {setting} protocol in the evidence base")
    lo, hi = rule.depth_mm.min, rule.depth_mm.max
    if setting == "home":
        if lo > cap:
            raise RefusedError(
                "setting",
                f"{ind_id} on {zone} at home needs at least {lo:g} mm, above the home cap of {cap:g} mm "
                "(policy home_depth_cap_mm)",
            )
        hi = min(hi, cap)
    if isinstance(device, RollerDevice):
        length = device.needle_length_mm.value
        if not lo <= length <= hi:
            raise RefusedError(
                "device",
                f"device '{device.name}' has {length:g} mm needles; {ind_id} on {zone} ({setting}) "
                f"takes {lo:g}-{hi:g} mm",
            )
        lo = hi = length
    elif isinstance(device, PenDevice):
        plo, phi = max(lo, device.depth_mm.min), min(hi, device.depth_mm.max)
        if plo > phi:
            raise RefusedError(
                "device",
                f"device '{device.name}' reaches {device.depth_mm.min:g}-{device.depth_mm.max:g} mm; "
                f"{ind_id} on {zone} takes {lo:g}-{hi:g} mm",
            )
        lo, hi = plo, phi
    zr = ev.zones[zone].depth_mm
    if zr is None or lo < zr.min or hi > zr.max:  # guarded at load time; kept as a last check
        raise RefusedError("zone", f"{lo:g}-{hi:g} mm is outside the range of zone {zone}")
    return Span(min=lo, max=hi), rule


def _check_inputs(
    ev: Evidence, indication: str, zones: tuple[str, ...], setting: str, device: str | None
) -> tuple[Indication, Any]:
    ind = get_indication(ev, indication)
    if setting not in ("home", "clinic"):
        raise InputError("setting", f"setting must be 'home' or 'clinic', got '{setting}'")
    if not zones:
        raise InputError("zone", "name at least one zone")
    for zone in zones:
        if zone not in ev.zones:
            raise UnknownIdError("zone", "zone", zone, ev.zones)
        if zone not in ind.zones:
            raise InputError("zone", f"zone '{zone}' is not planned for {indication}; allowed: {', '.join(ind.zones)}")
    dev = get_device(ev, device) if device else None
    if dev is not None and setting not in dev.settings:
        raise RefusedError("device", f"device '{device}' is for {' and '.join(dev.settings)} use only, not {setting}")
    return ind, dev


def _screen_first(ev: Evidence, answers: Answers, zones: tuple[str, ...], on: dt.date) -> Screening:
    if answers.treatment != "microneedling":
        raise InputError("treatment", "the answers are for electrolysis; this plan is for microneedling")
    result = screen(answers.model_copy(update={"zones": zones}), on, ev)
    if result.blocking:
        first = next(f for f in result.findings if f.verdict == result.verdict)
        until = f" until {result.defer_until}" if result.defer_until else ""
        raise ScreeningBlockedError(
            "answers", f"screening verdict '{result.verdict}'{until}: {first.message} — no plan made"
        )
    return result


def plan(
    evidence: Evidence,
    indication: str,
    zones: tuple[str, ...],
    setting: Setting,
    *,
    device: str | None = None,
    start: dt.date | None = None,
    skin_type: int | None = None,
    answers: Answers | None = None,
) -> Plan:
    """Plan a microneedling course.

    Parameters
    ----------
    indication, zones, setting, device
        Ids from the evidence base; ``zones`` may include composite zones (``full_face``).
    start
        Date of the first session; ``None`` gives an empty schedule.
    skin_type
        Fitzpatrick type 1-6, for skin-type warnings.
    answers
        When given, the client is screened on ``start`` first and a blocking verdict raises
        :class:`ScreeningBlockedError`.

    Depths are in mm, intervals in days. Raises :class:`UnknownIdError`, :class:`InputError`
    or :class:`RefusedError` (a depth or device the evidence or policy forbids).
    """
    ev = evidence
    ind, dev = _check_inputs(ev, indication, zones, setting, device)
    if answers is not None and start is None:
        raise InputError("start", "screening before planning needs a start date")
    screening = _screen_first(ev, answers, zones, start) if answers is not None and start is not None else None
    kind = dev.kind if dev is not None else ("roller" if setting == "home" else "pen")
    passes = ev.technique.passes_roller if kind == "roller" else ev.technique.passes_pen
    home_sessions = ev.policy["home_course_sessions"]
    use_policy_sessions = setting == "home" or ind.sessions is None
    zone_plans = []
    for zone, part_of in expand(ev, zones, ind.zones):
        depth, rule = _zone_depth(ev, indication, ind, zone, setting, dev)
        interval = interval_rule(ev, ind, depth.max)
        endpoint = next(e for e in ev.technique.endpoints if e.depth_from_mm <= depth.max < e.depth_to_mm)
        sessions = (
            Span(min=home_sessions.value, max=home_sessions.value)
            if use_policy_sessions or ind.sessions is None
            else Span.of(ind.sessions)
        )
        sources = (
            *rule.depth_mm.sources,
            *passes.sources,
            *interval.interval_days.sources,
            *(home_sessions.sources if use_policy_sessions or ind.sessions is None else ind.sessions.sources),
            *endpoint.sources,
        )
        zone_plans.append(
            ZonePlan(
                zone=zone,
                part_of=part_of,
                depth_mm=depth,
                passes=Span.of(passes),
                interval_days=Span.of(interval.interval_days),
                sessions=sessions,
                endpoint=endpoint.text,
                estimate=rule.depth_mm.estimate,
                sources=tuple(dict.fromkeys(sources)),
                coverage=(
                    zone_coverage(ev, device, ev.zones[zone].area_cm2.value)
                    if device and isinstance(dev, RollerDevice | PenDevice)
                    else None
                ),
            )
        )
    if not zone_plans:
        raise InputError("zone", f"none of the zones asked for is planned for {indication}")
    deepest = max(z.depth_mm.max for z in zone_plans)
    n_sessions = int(max(z.sessions.min for z in zone_plans))
    spacing = int(max(z.interval_days.min for z in zone_plans))
    schedule = schedule_dates(start, n_sessions, spacing) if start else ()
    warnings = _warnings(ev, ind, setting, skin_type, zone_plans, use_policy_sessions)
    all_sources = [s for z in zone_plans for s in z.sources]
    for w in (*ind.warnings, *ev.technique.warnings):
        if _applies(w.skin_types, w.settings, skin_type, setting):
            all_sources.extend(w.sources)
    if ind.visible_result_days:
        all_sources.extend(ind.visible_result_days.sources)
    return Plan(
        indication=indication,
        setting=setting,
        device=device,
        device_kind=kind,
        skin_type=skin_type,
        zones=tuple(zone_plans),
        schedule=schedule,
        visible_result_days=Span.of(ind.visible_result_days) if ind.visible_result_days else None,
        aftercare=aftercare_for(ev, "microneedling", setting, deepest),
        warnings=warnings,
        sources=tuple(dict.fromkeys(all_sources)),
        evidence_version=ev.version,
        policy_overrides=policy_notes(ev),
        screening=screening,
    )


def _applies(skin_types: tuple[int, ...], settings: tuple[str, ...], skin: int | None, setting: str) -> bool:
    return (not skin_types or skin in skin_types) and (not settings or setting in settings)


def _warnings(
    ev: Evidence,
    ind: Indication,
    setting: Setting,
    skin_type: int | None,
    zone_plans: list[ZonePlan],
    policy_sessions: bool,
) -> tuple[str, ...]:
    out = [
        w.text
        for w in (*ind.warnings, *ev.technique.warnings)
        if _applies(w.skin_types, w.settings, skin_type, setting)
    ]
    n = int(max(z.sessions.min for z in zone_plans))
    top = int(max(z.sessions.max for z in zone_plans))
    if policy_sessions:
        out.append(
            f"course length of {n} sessions is a policy default (home_course_sessions), "
            "not a finding: review progress then"
        )
    elif top > n:
        out.append(f"schedule shows the first {n} sessions; review then: the evidence supports up to {top}")
    estimates = [z.zone for z in zone_plans if z.estimate]
    if estimates:
        out.append(f"estimated (not directly sourced) depth range for: {', '.join(estimates)}")
    for note in policy_notes(ev):
        out.append(f"policy {note.policy} overridden: {note.value:g} {note.unit} (default {note.default:g})")
    return tuple(out)
