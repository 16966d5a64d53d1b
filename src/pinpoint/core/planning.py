"""Course planning: needle depth, passes, interval, sessions and a dated schedule, per zone.

All numbers come from the evidence base; this module picks and combines them. Composite zones
(the full face) are planned part by part, so thin-skin parts keep their shallow depths. The
whole-plan rules of :mod:`pinpoint.core.whole_plan` then check and adjust the plan as a whole
(devices by setting, authorised depth, skin type, sessions per week, anaesthetic per visit);
``Plan.rules`` lists those that changed it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict

from pinpoint.core.answers import Answers
from pinpoint.core.coverage.passes import ZoneCoverage, zone_coverage
from pinpoint.core.errors import InputError, RefusedError, ScreeningBlockedError, UnknownIdError
from pinpoint.core.screening import PolicyNote, Screening, policy_notes, screen_for
from pinpoint.core.span import Span
from pinpoint.core.vocab import check_setting, default_device_kind
from pinpoint.core.whole_plan import (
    CatalogDevice,
    PlanRule,
    Visit,
    ZonePortion,
    anaesthetic_visits,
    authorised_depth,
    authorised_depth_rule,
    check_device_setting,
    device_fit,
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
from pinpoint.evidence.schema import AftercareItem, DepthRule, Indication, IntervalRule, PenDevice, Setting

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


def get_device(evidence: Evidence, device: str) -> CatalogDevice:
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


def _aftercare_items(
    evidence: Evidence,
    treatment: str,
    setting: Setting,
    deepest_mm: float,
    indication: str | None,
    skin_type: int | None,
) -> list[AftercareItem]:
    return [
        item
        for item in evidence.aftercare.values()
        if treatment in item.treatments
        and setting in item.settings
        and deepest_mm >= item.depth_from_mm
        and (not item.indications or indication in item.indications)
        and (not item.skin_types or skin_type in item.skin_types)
    ]


def aftercare_for(
    evidence: Evidence,
    treatment: str,
    setting: Setting,
    deepest_mm: float,
    indication: str | None = None,
    skin_type: int | None = None,
) -> tuple[AftercareLine, ...]:
    """The aftercare lines that apply to a session of ``treatment`` reaching ``deepest_mm`` (mm).

    Lines tied to some indications apply only to a plan of one of them (``indication``); lines
    tied to some Fitzpatrick types only to a client of one of them (``skin_type``).
    """
    return tuple(
        AftercareLine(
            kind=item.kind,
            text=item.text,
            hours=Span.of(item.hours) if item.hours else None,
            sources=item.sources,
        )
        for item in _aftercare_items(evidence, treatment, setting, deepest_mm, indication, skin_type)
    )


def _aftercare_rules(
    evidence: Evidence, treatment: str, setting: Setting, deepest_mm: float, indication: str, skin_type: int | None
) -> list[PlanRule]:
    """The whole-plan rules of the aftercare lines this plan gets (lines tied to an indication or a skin type)."""
    return [
        PlanRule(id=item.rule, effect=item.text, sources=item.sources)
        for item in _aftercare_items(evidence, treatment, setting, deepest_mm, indication, skin_type)
        if item.rule
    ]


def _depth_rule(ind: Indication, zone: str, setting: Setting) -> DepthRule | None:
    return next((r for r in ind.depth if r.setting == setting and zone in r.zones), None)


@dataclass(frozen=True)
class _Ask:
    """What a plan is asked for, checked: the indication, setting, device and skin type."""

    ev: Evidence
    indication: str
    ind: Indication
    setting: Setting
    device: str | None
    dev: CatalogDevice | None
    skin_type: int | None

    @property
    def kind(self) -> str:
        """The device kind needled with: the device's, else the setting's default (evidence data)."""
        return self.dev.kind if self.dev is not None else default_device_kind(self.ev, self.setting)

    @property
    def policy_sessions(self) -> bool:
        """True when the course length is the policy default (at home, or no sourced number of sessions)."""
        return self.setting == "home" or self.ind.sessions is None


class _Depth(BaseModel):
    """A zone's depth after the whole-plan depth rules, and which of them changed it."""

    model_config = ConfigDict(frozen=True)

    span: Span
    rule: DepthRule
    authorised_cap: bool = False
    skin_modified: bool = False


def _protocol(a: _Ask, zone: str) -> tuple[DepthRule, float, float]:
    """The indication's depth rule on ``zone`` in the setting, and its range (mm) under the home cap."""
    ev, where = a.ev, f"{a.indication} on {zone}"
    rule = _depth_rule(a.ind, zone, a.setting)
    cap = ev.policy_value("home_depth_cap_mm")
    if rule is None:
        clinic = _depth_rule(a.ind, zone, "clinic")
        if a.setting == "home" and clinic is not None:
            raise RefusedError(
                "setting",
                f"{where} has no home protocol: it needs {clinic.depth_mm.min:g}-"
                f"{clinic.depth_mm.max:g} mm, deeper than the home cap of {cap:g} mm "
                "(policy home_depth_cap_mm); plan it in a clinic",
            )
        raise RefusedError("setting", f"{where} has no {a.setting} protocol in the evidence base")
    lo, hi = rule.depth_mm.min, rule.depth_mm.max
    if a.setting == "home":
        if lo > cap:
            raise RefusedError(
                "setting",
                f"{where} at home needs at least {lo:g} mm, above the home cap of {cap:g} mm "
                "(policy home_depth_cap_mm)",
            )
        hi = min(hi, cap)
    return rule, lo, hi


def _zone_depth(a: _Ask, zone: str) -> _Depth:
    """The depth (mm) on ``zone``: the protocol, the skin-type modifier, the device, its authorised depth."""
    ev = a.ev
    rule, lo, hi = _protocol(a, zone)
    mod = skin_type_modifier(ev, a.skin_type, hi)
    skin_modified = False
    if mod is not None:
        lo, new_hi = skin_type_depth(ev, mod, lo, hi)
        skin_modified, hi = new_hi < hi, new_hi
    if a.dev is not None:
        asked = f"{a.indication} on {zone} ({a.setting}) takes {lo:g}-{hi:g} mm"
        fit = device_fit(a.dev, lo, hi, asked)
        lo, hi = fit.min, fit.max
    lo, hi, capped = authorised_depth(a.dev, lo, hi, f"{a.indication} on {zone}")
    zr = ev.zones[zone].depth_mm
    if zr is None or lo < zr.min or hi > zr.max:  # guarded at load time; kept as a last check
        raise RefusedError("zone", f"{lo:g}-{hi:g} mm is outside the range of zone {zone}")
    return _Depth(span=Span(min=lo, max=hi), rule=rule, authorised_cap=capped, skin_modified=skin_modified)


def _check_inputs(
    ev: Evidence, indication: str, zones: tuple[str, ...], setting: str, device: str | None
) -> tuple[Indication, CatalogDevice | None]:
    ind = get_indication(ev, indication)
    where = check_setting(setting)
    if not zones:
        raise InputError("zone", "name at least one zone")
    for zone in zones:
        if zone not in ev.zones:
            raise UnknownIdError("zone", "zone", zone, ev.zones)
        if zone not in ind.zones:
            raise InputError("zone", f"zone '{zone}' is not planned for {indication}; allowed: {', '.join(ind.zones)}")
    dev = get_device(ev, device) if device else None
    if dev is not None and where == "clinic":
        device_for_setting(ev, "clinic", dev)  # a non-sterile or reusable unit is refused first, naming the rule
    if dev is not None and device is not None:
        check_device_setting(device, dev, where)
    return ind, dev


def _screen_first(ev: Evidence, answers: Answers, zones: tuple[str, ...], on: dt.date) -> Screening:
    result = screen_for(answers, "microneedling", zones, on, ev)
    if result.blocking:
        raise ScreeningBlockedError("answers", f"{result.blocking_reason()} — no plan made")
    return result


def _zone_sessions(a: _Ask) -> tuple[Span, tuple[str, ...]]:
    """Sessions of a course on one zone, with their sources: the policy default, or the indication's own."""
    if a.policy_sessions or a.ind.sessions is None:
        home = a.ev.policy["home_course_sessions"]
        return Span(min=home.value, max=home.value), home.sources
    return Span.of(a.ind.sessions), a.ind.sessions.sources


def _zone_interval(a: _Ask, depth_mm: float) -> tuple[Span, str, tuple[str, ...], tuple[str, ...]]:
    """Days between sessions, the endpoint and their sources, at ``depth_mm`` (mm), after the skin-type wait."""
    ev = a.ev
    interval = interval_rule(ev, a.ind, depth_mm)
    endpoint = next(e for e in ev.technique.endpoints if e.depth_from_mm <= depth_mm < e.depth_to_mm)
    days, text, sources = Span.of(interval.interval_days), endpoint.text, endpoint.sources
    mod = skin_type_modifier(ev, a.skin_type, depth_mm)
    skin_floor = skin_type_interval(ev, a.skin_type, depth_mm)
    if mod is not None and skin_floor is not None:
        text, sources = mod.endpoint, mod.sources
        floor = skin_floor[0]
        days = Span(min=max(days.min, floor), max=max(days.max, floor))
    return days, text, interval.interval_days.sources, sources


def _zone_plan(a: _Ask, where: tuple[str, str], depth: _Depth) -> ZonePlan:
    zone, part_of = where
    ev = a.ev
    passes = ev.technique.passes_roller if a.kind == "roller" else ev.technique.passes_pen
    days, endpoint, interval_sources, endpoint_sources = _zone_interval(a, depth.span.max)
    sessions, session_sources = _zone_sessions(a)
    sources = (*depth.rule.depth_mm.sources, *passes.sources, *interval_sources, *session_sources, *endpoint_sources)
    return ZonePlan(
        zone=zone,
        part_of=part_of,
        depth_mm=depth.span,
        passes=Span.of(passes),
        interval_days=days,
        sessions=sessions,
        endpoint=endpoint,
        estimate=depth.rule.depth_mm.estimate,
        sources=tuple(dict.fromkeys(sources)),
        coverage=zone_coverage(ev, a.device, ev.zones[zone].area_cm2.value) if a.device and a.dev else None,
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


def _zones(a: _Ask, zones: tuple[str, ...]) -> tuple[list[ZonePlan], list[PlanRule]]:
    """Plan each zone (composite zones part by part), and the rules that changed the zones' depths."""
    ev = a.ev
    zone_plans: list[ZonePlan] = []
    capped: list[str] = []
    skin_zones: list[str] = []
    for zone, part_of in expand(ev, zones, a.ind.zones):
        depth = _zone_depth(a, zone)
        zone_plans.append(_zone_plan(a, (zone, part_of), depth))
        if depth.authorised_cap:
            capped.append(zone)
        if skin_type_modifier(ev, a.skin_type, depth.span.max) is not None:
            skin_zones.append(zone)
    if not zone_plans:
        raise InputError("zone", f"none of the zones asked for is planned for {a.indication}")
    rules: list[PlanRule] = []
    if capped and isinstance(a.dev, PenDevice):
        rules.append(authorised_depth_rule(a.dev, [ev.zones[z].name for z in capped]))
    mod = skin_type_modifier(ev, a.skin_type, max(z.depth_mm.max for z in zone_plans))
    if mod is not None and a.skin_type is not None and skin_zones:
        rules.append(skin_type_rule(ev, mod, a.skin_type, skin_zones))
    return zone_plans, rules


class _Course(BaseModel):
    """The whole-plan rules on a course: spaced zone plans, aftercare, visits and the anaesthetic."""

    model_config = ConfigDict(frozen=True)

    zones: tuple[ZonePlan, ...]
    aftercare: tuple[AftercareLine, ...]
    rules: tuple[PlanRule, ...]
    visits: tuple[Visit, ...]
    anaesthetic: str | None


def _course(a: _Ask, zone_plans: list[ZonePlan], screening: Screening | None) -> _Course:
    """Aftercare, the course-wide spacing and the anaesthetic per visit, with the rules each added."""
    ev = a.ev
    deepest = max(z.depth_mm.max for z in zone_plans)
    aftercare = aftercare_for(ev, "microneedling", a.setting, deepest, a.indication, a.skin_type)
    rules = _aftercare_rules(ev, "microneedling", a.setting, deepest, a.indication, a.skin_type)
    zone_plans, spacing = _spacing_rules(ev, a.setting, zone_plans, aftercare)
    agent_id, visits, anaesthetic_rule = _anaesthetic(ev, a.setting, zone_plans, screening)
    rules = [*rules, *spacing, *([anaesthetic_rule] if anaesthetic_rule is not None else [])]
    return _Course(
        zones=tuple(zone_plans), aftercare=aftercare, rules=tuple(rules), visits=visits, anaesthetic=agent_id
    )


def _schedule(a: _Ask, course: _Course, start: dt.date | None) -> tuple[ScheduledSession, ...]:
    """The dated days of the course from ``start`` (none without a start), once its visits fit the spacing."""
    n_sessions = int(max(z.sessions.min for z in course.zones))
    spacing = int(max(z.interval_days.min for z in course.zones))
    split_visits_fit(a.ev, course.visits, spacing, course.anaesthetic)
    return visit_schedule(start, n_sessions, spacing, course.visits, split_gap_days(a.ev)) if start else ()


def _plan_sources(a: _Ask, zone_plans: tuple[ZonePlan, ...], rules: tuple[PlanRule, ...]) -> tuple[str, ...]:
    """Every source behind the plan: its zones, the warnings that apply, the visible result and the rules."""
    found = [s for z in zone_plans for s in z.sources]
    for w in (*a.ind.warnings, *a.ev.technique.warnings):
        if _applies(w.skin_types, w.settings, a.skin_type, a.setting):
            found.extend(w.sources)
    if a.ind.visible_result_days:
        found.extend(a.ind.visible_result_days.sources)
    found.extend(s for r in rules for s in r.sources)
    for pen in _unnamed_pen_limits(a, max(z.depth_mm.max for z in zone_plans)):
        found.extend(pen.authorised_depth_mm.sources if pen.authorised_depth_mm is not None else ())
    return tuple(dict.fromkeys(found))


def plan(  # noqa: PLR0913 - what a plan is asked for, each a keyword of every interface
    evidence: Evidence,
    indication: str,
    zones: tuple[str, ...],
    setting: Setting,
    *,
    device: str | None = None,
    start: dt.date | None = None,
    skin_type: int | None = None,
    answers: Answers | None = None,
    approved: Screening | None = None,
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
    approved
        Instead of ``answers``: a screening already made whose ``refer`` verdict a physician
        approved (:func:`~pinpoint.core.records.check_override`). It does not block, but its
        findings shape the plan as the answers' would (no anaesthetic where one forbids it).

    Depths are in mm, intervals in days, areas in cm², amounts in grams. The whole-plan rules
    (:mod:`pinpoint.core.whole_plan`) run on the per-zone plan; ``Plan.rules`` lists those that
    changed it. Raises :class:`UnknownIdError`, :class:`InputError` or :class:`RefusedError` (a
    depth, device or area the evidence, a label or the policy forbids, naming the rule).
    """
    ind, dev = _check_inputs(evidence, indication, zones, setting, device)
    if answers is not None and start is None:
        raise InputError("start", "screening before planning needs a start date")
    if approved is not None and (answers is not None or approved.verdict != "refer"):
        raise InputError("approved", "an approved screening is a referral a physician approved, given without answers")
    screening = (
        _screen_first(evidence, answers, zones, start) if answers is not None and start is not None else approved
    )
    if skin_type is None and answers is not None:
        skin_type = answers.skin_type
    a = _Ask(evidence, indication, ind, setting, device, dev, skin_type)
    setting_rule = device_for_setting(evidence, setting, dev)
    zone_plans, depth_rules = _zones(a, zones)
    course = _course(a, zone_plans, screening)
    rules = (*([setting_rule] if setting_rule is not None else []), *depth_rules, *course.rules)
    return Plan(
        indication=indication,
        setting=setting,
        device=device,
        device_kind=a.kind,
        skin_type=skin_type,
        zones=course.zones,
        schedule=_schedule(a, course, start),
        visible_result_days=Span.of(ind.visible_result_days) if ind.visible_result_days else None,
        aftercare=course.aftercare,
        warnings=_warnings(a, list(course.zones)),
        sources=_plan_sources(a, course.zones, rules),
        evidence_version=evidence.version,
        policy_overrides=policy_notes(evidence),
        screening=screening,
        rules=rules,
        visits=course.visits,
        anaesthetic=course.anaesthetic,
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


def _unnamed_pen_limits(a: _Ask, deepest_mm: float) -> list[PenDevice]:
    """With no device named and a pen assumed: the catalog's pens whose authorised depth the plan exceeds."""
    if a.dev is not None or a.kind != "pen":
        return []
    return [
        d
        for d in a.ev.devices.values()
        if isinstance(d, PenDevice) and d.authorised_depth_mm is not None and deepest_mm > d.authorised_depth_mm.value
    ]


def _unnamed_pen_warning(a: _Ask, deepest_mm: float) -> list[str]:
    pens = _unnamed_pen_limits(a, deepest_mm)
    if not pens:
        return []
    cap = min(d.authorised_depth_mm.value for d in pens if d.authorised_depth_mm is not None)
    names = "; ".join(d.name for d in pens)
    return [
        f"no pen named: the plan reaches {deepest_mm:g} mm, deeper than the {cap:g} mm whose safety the "
        f"authorisations of some pens evaluated ({names}); name the pen to plan within its authorised depth"
    ]


def _warnings(a: _Ask, zone_plans: list[ZonePlan]) -> tuple[str, ...]:
    out = [
        w.text
        for w in (*a.ind.warnings, *a.ev.technique.warnings)
        if _applies(w.skin_types, w.settings, a.skin_type, a.setting)
    ]
    out.extend(_unnamed_pen_warning(a, max(z.depth_mm.max for z in zone_plans)))
    n = int(max(z.sessions.min for z in zone_plans))
    top = int(max(z.sessions.max for z in zone_plans))
    if a.policy_sessions:
        out.append(
            f"course length of {n} sessions is a policy default (home_course_sessions), "
            "not a finding: review progress then"
        )
    elif top > n:
        out.append(f"schedule shows the first {n} sessions; review then: the evidence supports up to {top}")
    estimates = [z.zone for z in zone_plans if z.estimate]
    if estimates:
        out.append(f"estimated (not directly sourced) depth range for: {', '.join(estimates)}")
    out.extend(note.sentence for note in policy_notes(a.ev))
    return tuple(out)
