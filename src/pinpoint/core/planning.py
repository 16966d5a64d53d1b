"""Course planning: needle depth, passes, interval, sessions and a dated schedule, per zone.

All numbers come from the evidence base; this module picks and combines them. Composite zones
(the full face) are planned part by part, so thin-skin parts keep their shallow depths. The
whole-plan rules of :mod:`pinpoint.core.whole_plan` then check and adjust the plan as a whole
(devices by setting, authorised depth, skin type, sessions per week, anaesthetic per visit);
``Plan.rules`` lists those that changed it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict

from pinpoint.core.answers import Answers
from pinpoint.core.coverage.passes import ZoneCoverage, zone_coverage
from pinpoint.core.errors import InputError, RefusedError, ScreeningBlockedError, UnknownIdError
from pinpoint.core.screening import PolicyNote, Screening, policy_notes, screen
from pinpoint.core.whole_plan import (
    PlanRule,
    Span,
    Visit,
    ZonePortion,
    anaesthetic_visits,
    authorised_depth,
    authorised_depth_rule,
    device_for_setting,
    skin_type_depth,
    skin_type_interval,
    skin_type_modifier,
    skin_type_rule,
    spacing_floors,
    split_gap_days,
    split_visits_fit,
)
from pinpoint.core.zones import expand
from pinpoint.evidence.loader import Evidence
from pinpoint.evidence.schema import (
    DepthRule,
    Indication,
    IntervalRule,
    PenDevice,
    RollerDevice,
    Setting,
)

__all__ = [
    "AftercareLine",
    "Plan",
    "PlanRule",
    "ScheduledSession",
    "Span",
    "Visit",
    "ZonePlan",
    "ZonePortion",
    "aftercare_for",
    "get_device",
    "get_indication",
    "interval_rule",
    "plan",
    "schedule_dates",
]


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
    """One dated day of the course: session (1-based), its visit (1-based) and the zones needled.

    ``parts`` names each zone with the portion needled that day (a zone split into portions
    appears on several days of a session) and its area in cm².
    """

    model_config = ConfigDict(frozen=True)

    session: int
    date: dt.date
    visit: int = 1
    zones: tuple[str, ...] = ()
    parts: tuple[ZonePortion, ...] = ()


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
    rules: tuple[PlanRule, ...] = ()
    """The whole-plan rules that changed this plan, with what they did and their sources."""
    visits: tuple[Visit, ...] = ()
    """How each session is split into visits (one visit unless the anaesthetic label needs more)."""
    anaesthetic: str | None = None
    """The topical anaesthetic applied before needling the visits' ``anaesthetic_zones``."""

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


def visit_schedule(
    start: dt.date, sessions: int, interval_days: int, visits: tuple[Visit, ...], gap_days: int
) -> tuple[ScheduledSession, ...]:
    """The dated days of a course: each session's visits ``gap_days`` apart, sessions ``interval_days`` apart.

    Every zone (every portion of a split zone) is needled on the same visit of each session, so
    its own sessions stay ``interval_days`` apart.
    """
    days = schedule_dates(start, sessions, interval_days)
    if len(visits) <= 1:
        zones, parts = (visits[0].zones, visits[0].parts) if visits else ((), ())
        return tuple(d.model_copy(update={"zones": zones, "parts": parts}) for d in days)
    try:
        return tuple(
            ScheduledSession(
                session=d.session,
                date=d.date + dt.timedelta(days=gap_days * (v.visit - 1)),
                visit=v.visit,
                zones=v.zones,
                parts=v.parts,
            )
            for d in days
            for v in visits
        )
    except OverflowError:
        raise InputError("start", f"a course of {sessions} sessions from {start} ends past year 9999") from None


def aftercare_for(
    evidence: Evidence, treatment: str, setting: Setting, deepest_mm: float, indication: str | None = None
) -> tuple[AftercareLine, ...]:
    """The aftercare lines that apply to a session of ``treatment`` reaching ``deepest_mm`` (mm).

    Lines tied to some indications apply only to a plan of one of them (``indication``).
    """
    return tuple(
        AftercareLine(
            kind=item.kind,
            text=item.text,
            hours=Span.of(item.hours) if item.hours else None,
            sources=item.sources,
        )
        for item in evidence.aftercare.values()
        if treatment in item.treatments
        and setting in item.settings
        and deepest_mm >= item.depth_from_mm
        and (not item.indications or indication in item.indications)
    )


def _aftercare_rules(evidence: Evidence, treatment: str, indication: str) -> list[PlanRule]:
    return [
        PlanRule(id=item.rule, effect=item.text, sources=item.sources)
        for item in evidence.aftercare.values()
        if item.rule and treatment in item.treatments and indication in item.indications
    ]


def _depth_rule(ind: Indication, zone: str, setting: Setting) -> DepthRule | None:
    return next((r for r in ind.depth if r.setting == setting and zone in r.zones), None)


class _Depth(BaseModel):
    """A zone's depth after the whole-plan depth rules, and which of them changed it."""

    model_config = ConfigDict(frozen=True)

    span: Span
    rule: DepthRule
    authorised_cap: bool = False
    skin_modified: bool = False


def _zone_depth(
    ev: Evidence,
    ind_id: str,
    ind: Indication,
    zone: str,
    setting: Setting,
    device: Any,
    skin_type: int | None,
) -> _Depth:
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
    skin_modified = False
    mod = skin_type_modifier(ev, skin_type, hi)
    if mod is not None:
        lo, new_hi = skin_type_depth(ev, mod, lo, hi)
        skin_modified, hi = new_hi < hi, new_hi
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
    lo, hi, capped = authorised_depth(device, lo, hi, f"{ind_id} on {zone}")
    zr = ev.zones[zone].depth_mm
    if zr is None or lo < zr.min or hi > zr.max:  # guarded at load time; kept as a last check
        raise RefusedError("zone", f"{lo:g}-{hi:g} mm is outside the range of zone {zone}")
    return _Depth(span=Span(min=lo, max=hi), rule=rule, authorised_cap=capped, skin_modified=skin_modified)


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
    if dev is not None and setting == "clinic":
        device_for_setting(ev, "clinic", dev)  # a non-sterile or reusable unit is refused first, naming the rule
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


def _zone_plan(
    ev: Evidence,
    ind: Indication,
    where: tuple[str, str],
    depth: _Depth,
    setting: Setting,
    device: str | None,
    dev: Any,
    skin_type: int | None,
) -> ZonePlan:
    zone, part_of = where
    kind = dev.kind if dev is not None else ("roller" if setting == "home" else "pen")
    use_policy_sessions = setting == "home" or ind.sessions is None
    passes = ev.technique.passes_roller if kind == "roller" else ev.technique.passes_pen
    home_sessions = ev.policy["home_course_sessions"]
    interval = interval_rule(ev, ind, depth.span.max)
    endpoint = next(e for e in ev.technique.endpoints if e.depth_from_mm <= depth.span.max < e.depth_to_mm)
    endpoint_text, endpoint_sources = endpoint.text, endpoint.sources
    days = Span.of(interval.interval_days)
    mod = skin_type_modifier(ev, skin_type, depth.span.max)
    skin_floor = skin_type_interval(ev, skin_type, depth.span.max)
    if mod is not None and skin_floor is not None:
        endpoint_text, endpoint_sources = mod.endpoint, mod.sources
        floor = skin_floor[0]
        days = Span(min=max(days.min, floor), max=max(days.max, floor))
    sessions = Span(min=home_sessions.value, max=home_sessions.value) if use_policy_sessions else None
    if sessions is None and ind.sessions is not None:
        sessions = Span.of(ind.sessions)
    sources = (
        *depth.rule.depth_mm.sources,
        *passes.sources,
        *interval.interval_days.sources,
        *(home_sessions.sources if use_policy_sessions or ind.sessions is None else ind.sessions.sources),
        *endpoint_sources,
    )
    return ZonePlan(
        zone=zone,
        part_of=part_of,
        depth_mm=depth.span,
        passes=Span.of(passes),
        interval_days=days,
        sessions=sessions or Span(min=home_sessions.value, max=home_sessions.value),
        endpoint=endpoint_text,
        estimate=depth.rule.depth_mm.estimate,
        sources=tuple(dict.fromkeys(sources)),
        coverage=(
            zone_coverage(ev, device, ev.zones[zone].area_cm2.value)
            if device and isinstance(dev, RollerDevice | PenDevice)
            else None
        ),
    )


def _spacing_rules(
    ev: Evidence, setting: Setting, zone_plans: list[ZonePlan], aftercare: tuple[AftercareLine, ...]
) -> tuple[list[ZonePlan], list[PlanRule]]:
    """Raise every zone's minimum interval to the plan-wide floors (home frequency, aftercare)."""
    rules = []
    floors = spacing_floors(ev, setting, max(z.depth_mm.max for z in zone_plans), aftercare)
    out = zone_plans
    for days, rule in floors:
        if any(z.interval_days.min < days for z in out):
            rules.append(rule)
            out = [
                z.model_copy(
                    update={
                        "interval_days": Span(min=max(z.interval_days.min, days), max=max(z.interval_days.max, days))
                    }
                )
                for z in out
            ]
    return out, rules


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
    """Plan a microneedling course, safe as a whole.

    Parameters
    ----------
    indication, zones, setting, device
        Ids from the evidence base; ``zones`` may include composite zones (``full_face``).
    start
        Date of the first session; ``None`` gives an empty schedule.
    skin_type
        Fitzpatrick type 1-6: types the evidence flags get the conservative modifier and warnings.
    answers
        When given, the client is screened on ``start`` first and a blocking verdict raises
        :class:`ScreeningBlockedError`; a finding that forbids the anaesthetic takes it out of the
        plan (the needling goes ahead without it).

    Depths are in mm, intervals in days, areas in cm², amounts in grams. The whole-plan rules
    (:mod:`pinpoint.core.whole_plan`) run on the per-zone plan; ``Plan.rules`` lists those that
    changed it. Raises :class:`UnknownIdError`, :class:`InputError` or :class:`RefusedError` (a
    depth, device or area the evidence, a label or the policy forbids, naming the rule).
    """
    ev = evidence
    ind, dev = _check_inputs(ev, indication, zones, setting, device)
    if answers is not None and start is None:
        raise InputError("start", "screening before planning needs a start date")
    screening = _screen_first(ev, answers, zones, start) if answers is not None and start is not None else None
    if skin_type is None and answers is not None:
        skin_type = answers.skin_type
    rules: list[PlanRule] = []
    setting_rule = device_for_setting(ev, setting, dev)
    if setting_rule is not None:
        rules.append(setting_rule)
    kind = dev.kind if dev is not None else ("roller" if setting == "home" else "pen")
    use_policy_sessions = setting == "home" or ind.sessions is None
    zone_plans: list[ZonePlan] = []
    capped: list[str] = []
    skin_zones: list[str] = []
    for zone, part_of in expand(ev, zones, ind.zones):
        depth = _zone_depth(ev, indication, ind, zone, setting, dev, skin_type)
        zp = _zone_plan(ev, ind, (zone, part_of), depth, setting, device, dev, skin_type)
        zone_plans.append(zp)
        if depth.authorised_cap:
            capped.append(zone)
        if skin_type_modifier(ev, skin_type, depth.span.max) is not None:
            skin_zones.append(zone)
    if not zone_plans:
        raise InputError("zone", f"none of the zones asked for is planned for {indication}")
    if capped and isinstance(dev, PenDevice):
        rules.append(authorised_depth_rule(dev, capped))
    mod = skin_type_modifier(ev, skin_type, max(z.depth_mm.max for z in zone_plans))
    if mod is not None and skin_type is not None and skin_zones:
        rules.append(skin_type_rule(ev, mod, skin_type, skin_zones))
    deepest = max(z.depth_mm.max for z in zone_plans)
    aftercare = aftercare_for(ev, "microneedling", setting, deepest, indication)
    rules.extend(_aftercare_rules(ev, "microneedling", indication))
    zone_plans, spacing_rules = _spacing_rules(ev, setting, zone_plans, aftercare)
    rules.extend(spacing_rules)
    agent_id, visits, anaesthetic_rule = _anaesthetic(ev, setting, zone_plans, screening)
    if anaesthetic_rule is not None:
        rules.append(anaesthetic_rule)
    n_sessions = int(max(z.sessions.min for z in zone_plans))
    spacing = int(max(z.interval_days.min for z in zone_plans))
    split_visits_fit(ev, visits, spacing, agent_id)
    gap = split_gap_days(ev)
    schedule = visit_schedule(start, n_sessions, spacing, visits, gap) if start else ()
    warnings = _warnings(ev, ind, setting, skin_type, zone_plans, use_policy_sessions)
    all_sources = [s for z in zone_plans for s in z.sources]
    for w in (*ind.warnings, *ev.technique.warnings):
        if _applies(w.skin_types, w.settings, skin_type, setting):
            all_sources.extend(w.sources)
    if ind.visible_result_days:
        all_sources.extend(ind.visible_result_days.sources)
    all_sources.extend(s for r in rules for s in r.sources)
    return Plan(
        indication=indication,
        setting=setting,
        device=device,
        device_kind=kind,
        skin_type=skin_type,
        zones=tuple(zone_plans),
        schedule=schedule,
        visible_result_days=Span.of(ind.visible_result_days) if ind.visible_result_days else None,
        aftercare=aftercare,
        warnings=warnings,
        sources=tuple(dict.fromkeys(all_sources)),
        evidence_version=ev.version,
        policy_overrides=policy_notes(ev),
        screening=screening,
        rules=tuple(rules),
        visits=visits,
        anaesthetic=agent_id,
    )


def numbed_zones(
    evidence: Evidence,
    p: Plan | None = None,
    *,
    setting: Setting | None = None,
    zone_plans: list[ZonePlan] | tuple[ZonePlan, ...] = (),
) -> tuple[str, ...]:
    """The zones numbed before needling: in a clinic, those needled deeper than the policy threshold (mm)."""
    where = setting if p is None else p.setting
    plans = zone_plans if p is None else p.zones
    above = evidence.policy_value("anaesthetic_above_depth_mm")
    return tuple(z.zone for z in plans if where == "clinic" and z.depth_mm.max > above)


def _anaesthetic(
    ev: Evidence, setting: Setting, zone_plans: list[ZonePlan], screening: Screening | None
) -> tuple[str | None, tuple[Visit, ...], PlanRule | None]:
    numb = numbed_zones(ev, setting=setting, zone_plans=zone_plans)
    area = [(z.zone, ev.zones[z.zone].area_cm2.value) for z in zone_plans]
    forbidden = screening.forbidding("anaesthetic") if screening is not None else ()
    if numb and forbidden:
        visits, _ = anaesthetic_visits(ev, area, (), None)
        why = "; ".join(f.message for f in forbidden)
        no_numbing = PlanRule(
            id="screening_no_anaesthetic",
            effect=f"no topical anaesthetic: {why}",
            sources=tuple(dict.fromkeys(s for f in forbidden for s in f.sources)),
        )
        return None, visits, no_numbing
    agent_id = ev.technique.anaesthetic_default if numb else None
    visits, rule = anaesthetic_visits(ev, area, numb, agent_id)
    return agent_id, visits, rule


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
