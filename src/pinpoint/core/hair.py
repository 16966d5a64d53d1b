"""Needle electrolysis: hair-cycle evidence by area, modalities, course prediction and planning.

This module reads ``hair.toml`` (through :func:`hair_data`), turns an area and a modality into
model inputs, runs the simulator of :mod:`pinpoint.core.hair_sim` and returns a dated plan:
the schedule, predicted hours and sessions, sessions to 50/80/95% of follicles destroyed, the
clearance curve, modality-specific screening, cautions and aftercare, with the source ids
behind every number. Dates are parameters; randomness comes only from ``seed``.
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
import math
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict

from pinpoint.core.answers import Answers
from pinpoint.core.errors import InputError, ScreeningBlockedError, UnknownIdError
from pinpoint.core.hair_sim import PHASES, Cycle, Regimen, SessionStats, Simulation, Treatment, simulate
from pinpoint.core.planning import AftercareLine, aftercare_for
from pinpoint.core.screening import BLOCKING, Finding, Screening, screen_for, severity
from pinpoint.core.span import Span
from pinpoint.evidence.loader import Evidence, EvidenceError
from pinpoint.evidence.schema import Verdict
from pinpoint.evidence.schema_hair import Area, Data, HairRange, HairValue, Modality

__all__ = [
    "PHASES",
    "REDUCTIONS",
    "AreaSummary",
    "CourseOptions",
    "CurvePoint",
    "Cycle",
    "HairModel",
    "HairPlan",
    "HairSession",
    "ModalitySummary",
    "Regimen",
    "Simulation",
    "Treatment",
    "area_summaries",
    "auto_steps",
    "cycle_for",
    "get_area",
    "get_modality",
    "hair_data",
    "modality_name",
    "modality_summaries",
    "plan_course",
    "screen_modality",
    "simulate",
    "treatment_for",
    "visible_window_days",
]

REDUCTIONS: tuple[int, ...] = (50, 80, 95)
"""Reductions (percent of the follicles a course treats destroyed) that :class:`HairPlan` reports.

A course treats every follicle of the area unless the area's ``treated_share`` in ``hair.toml``
says otherwise: an eyebrow course removes the strays around the brow, not the brow."""

MAX_FOLLICLES = 2_000_000  # keeps a plan within memory and a few seconds
MAX_AREA_CM2 = 100_000.0  # 10 m²: an input bound of the simulator, above any person's skin; keeps counts finite
MAX_MONTHS = 120
MAX_SESSION_MINUTES = 600
MAX_INTERVAL_DAYS = 365


def hair_data(evidence: Evidence) -> Data:
    """The validated ``hair.toml`` of ``evidence``; every area key must be an electrolysis zone."""
    data = evidence.extra.get("hair")
    if not isinstance(data, Data):
        msg = "hair.toml is missing from the evidence base"
        raise EvidenceError(msg)
    for key in data.areas:
        zone = evidence.zones.get(key)
        if zone is None or "electrolysis" not in zone.treatments:
            msg = f"hair.toml, entry 'areas.{key}': not a zone treated with electrolysis in zones.toml"
            raise EvidenceError(msg)
    return data


def get_area(evidence: Evidence, area: str) -> Area:
    """The hair-cycle entry of electrolysis area ``area`` (a zone id), or :class:`UnknownIdError`.

    A name that is the start of exactly one id (``chin`` for ``chin_jawline``) is suggested too.
    """
    areas = hair_data(evidence).areas
    if area not in areas:
        err = UnknownIdError("area", "electrolysis area", area, areas)
        starts = [k for k in areas if area and k.startswith(area)]
        if "did you mean" not in err.message and len(starts) == 1:
            err.message = f"{err.message}; did you mean '{starts[0]}'?"
            err.args = (err.message,)
        raise err
    return areas[area]


def modality_name(evidence: Evidence, modality: str) -> str:
    """The modality ``modality`` as people read it (the id itself when the evidence has no such modality)."""
    found = hair_data(evidence).modalities.get(modality)
    return found.name if found is not None else modality


def get_modality(evidence: Evidence, modality: str) -> Modality:
    """The electrolysis modality ``modality``, or :class:`UnknownIdError`."""
    modalities = hair_data(evidence).modalities
    if modality not in modalities:
        raise UnknownIdError("modality", "modality", modality, modalities)
    return modalities[modality]


def cycle_for(data: Data, area: Area) -> Cycle:
    """Model cycle of ``area``: mid phase durations (days), latency, emergence (days) and spread."""
    return Cycle(
        anagen_days=area.anagen_days.mid,
        catagen_days=data.cycle.catagen_days.mid,
        telogen_days=area.telogen_days.mid,
        latency_days=area.latency_days.value,
        emergence_days=area.emergence_days.mid,
        cv=data.cycle.duration_cv.value,
    )


def treatment_for(data: Data, modality: Modality, *, treat_resting: bool = True) -> Treatment:
    """Model treatment of ``modality``: seconds per follicle = mid current time + mid handling time (s);
    destruction probability = 1 - mid regrowth fraction."""
    return Treatment(
        seconds_per_follicle=modality.current_seconds.mid + data.cycle.handling_seconds.mid,
        destroy_probability=1 - modality.regrowth_fraction.mid,
        resting_factor=data.cycle.resting_kill_factor.value,
        treat_resting=treat_resting,
    )


def visible_window_days(cycle: Cycle) -> float:
    """Mean days a growing hair shows above the skin before its anagen ends (anagen - emergence)."""
    return cycle.anagen_days - cycle.emergence_days


def auto_steps(data: Data, cycle: Cycle) -> tuple[int, ...]:
    """Automatic interval steps (days) for an area: the evidence's steps, without those longer than
    the time a growing hair stays visible (so no growing hair can grow and go unseen between two
    sessions); the first step is always kept."""
    steps = data.schedule.steps_days()
    window = visible_window_days(cycle)
    return (steps[0], *(s for s in steps[1:] if s <= window))


# --------------------------------------------------------------------------- listings


class AreaSummary(BaseModel):
    """One electrolysis area as the model uses it (days, fractions, per cm², mm)."""

    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    table_row: str
    area_cm2: float
    area_estimate: bool
    density_per_cm2: float
    terminal_density_per_cm2: Span
    default_density_per_cm2: float
    anagen_fraction: float
    anagen_days: float
    catagen_days: float
    telogen_days: float
    latency_days: float
    emergence_days: float
    cycle_days: float
    depth_mm: Span | None
    unverified: tuple[str, ...]
    estimates: tuple[str, ...]
    reported_hours: Span | None
    note: str
    sources: tuple[str, ...]


class ModalitySummary(BaseModel):
    """One modality as the model uses it (seconds, fractions, mm)."""

    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    mechanism: str
    current_seconds: Span
    handling_seconds: Span
    seconds_per_follicle: float
    follicles_per_minute: float
    regrowth_fraction: Span
    destroy_probability: float
    regrowth_estimate: bool
    probe_types: str
    probe_diameter_mm: Span
    cautions: tuple[str, ...]
    screening: tuple[str, ...]
    sources: tuple[str, ...]


def _numbers(area: Area) -> dict[str, HairValue | HairRange]:
    return {
        name: value
        for name in type(area).model_fields
        if isinstance(value := getattr(area, name), (HairValue, HairRange))
    }


def _span(r: HairRange | None) -> Span | None:
    return Span(min=r.min, max=r.max) if r is not None else None


def area_summaries(evidence: Evidence) -> tuple[AreaSummary, ...]:
    """Every electrolysis area with its model cycle, flags and sources."""
    data = hair_data(evidence)
    out = []
    for key, a in data.areas.items():
        nums = _numbers(a)
        cycle = cycle_for(data, a)
        zone = evidence.zones[key]
        sources = [s for v in nums.values() for s in v.sources] + list(data.cycle.catagen_days.sources)
        out.append(
            AreaSummary(
                id=key,
                name=a.name,
                table_row=a.table_row,
                area_cm2=zone.area_cm2.value,
                area_estimate=zone.area_cm2.estimate,
                density_per_cm2=a.density_per_cm2.value,
                terminal_density_per_cm2=Span(min=a.terminal_density_per_cm2.min, max=a.terminal_density_per_cm2.max),
                default_density_per_cm2=a.terminal_density_per_cm2.mid,
                anagen_fraction=a.anagen_fraction.mid,
                anagen_days=cycle.anagen_days,
                catagen_days=cycle.catagen_days,
                telogen_days=cycle.telogen_days,
                latency_days=cycle.latency_days,
                emergence_days=cycle.emergence_days,
                cycle_days=round(cycle.cycle_days, 1),
                depth_mm=_span(a.depth_mm),
                unverified=tuple(k for k, v in nums.items() if not v.verified),
                estimates=tuple(k for k, v in nums.items() if v.estimate),
                reported_hours=_span(a.reported_hours),
                note=a.note,
                sources=tuple(dict.fromkeys(sources)),
            )
        )
    return tuple(out)


def modality_summaries(evidence: Evidence) -> tuple[ModalitySummary, ...]:
    """Every modality with its time per follicle, destruction probability, probes and cautions."""
    data = hair_data(evidence)
    out = []
    for key, m in data.modalities.items():
        tr = treatment_for(data, m)
        sources = [
            *m.mechanism_sources,
            *m.current_seconds.sources,
            *data.cycle.handling_seconds.sources,
            *m.regrowth_fraction.sources,
            *m.probe_sources,
            *data.probes.diameter_mm.sources,
            *(s for c in m.cautions for s in c.sources),
        ]
        out.append(
            ModalitySummary(
                id=key,
                name=m.name,
                mechanism=m.mechanism,
                current_seconds=Span(min=m.current_seconds.min, max=m.current_seconds.max),
                handling_seconds=Span(min=data.cycle.handling_seconds.min, max=data.cycle.handling_seconds.max),
                seconds_per_follicle=round(tr.seconds_per_follicle, 3),
                follicles_per_minute=round(60 / tr.seconds_per_follicle, 2),
                regrowth_fraction=Span(min=m.regrowth_fraction.min, max=m.regrowth_fraction.max),
                destroy_probability=round(tr.destroy_probability, 4),
                regrowth_estimate=m.regrowth_fraction.estimate,
                probe_types=m.probe_types,
                probe_diameter_mm=Span(min=data.probes.diameter_mm.min, max=data.probes.diameter_mm.max),
                cautions=tuple(c.text for c in m.cautions),
                screening=tuple(f"{r.verdict}: {r.message}" for r in m.screening),
                sources=tuple(dict.fromkeys(sources)),
            )
        )
    return tuple(out)


# --------------------------------------------------------------------------- screening


def _rule_finding(rule_id: str, verdict: Verdict, area: str, message: str, sources: tuple[str, ...]) -> Finding:
    return Finding(rule=rule_id, verdict=verdict, zones=(area,), message=message, sources=sources)


def screen_modality(
    answers: Answers | None,
    modality: str,
    area: str,
    evidence: Evidence,
    metal_implant_in_area: bool | None = None,
) -> tuple[Finding, ...]:
    """Findings of the rules of ``modality`` (in ``hair.toml``) for treating ``area``.

    ``answers`` are the screening answers (``None``: only the hair-plan question is asked);
    ``metal_implant_in_area`` answers whether a metal implant, plate or pins lie under the area
    (``None``: not answered). A question a rule needs but nobody answered yields the rule's
    ``if_unanswered`` verdict, if it has one; the general screening reports the others.
    """
    mod = get_modality(evidence, modality)
    get_area(evidence, area)
    region = evidence.zones[area].region
    out: list[Finding] = []
    for rule in mod.screening:
        if rule.regions and region not in rule.regions:
            continue
        value: bool | None
        if rule.field == "metal_implant_in_area":
            value = metal_implant_in_area
        elif answers is not None and answers.is_answered(rule.field):
            value = bool(getattr(answers, rule.field))
        else:
            value = None
        if value is None and rule.if_unanswered is not None:
            text = f"not answered, ask before treating — {rule.message}"
            out.append(_rule_finding(f"unanswered:{rule.id}", rule.if_unanswered, area, text, rule.sources))
        elif value:
            out.append(_rule_finding(rule.id, rule.verdict, area, rule.message, rule.sources))
    out.sort(key=lambda f: -severity(f.verdict))
    return tuple(out)


# --------------------------------------------------------------------------- planning


@dataclass(frozen=True)
class CourseOptions:
    """What a user may set for a course; ``None`` takes the evidence value or default.

    ``density_per_cm2`` (terminal hairs per cm²; default: the area's estimated terminal density),
    ``kill_probability`` (chance one treatment destroys a growing follicle, 0-1; default: the
    modality's, a fitted value replaces it), ``area_cm2`` (cm²), ``session_minutes`` (min),
    ``interval_days`` (fixed spacing in days) or ``auto_interval`` (weekly at first, spacing out
    as the area clears; the default when neither is given), ``months`` simulated, ``seed``,
    ``treat_resting`` (treat resting hairs when time is left), ``metal_implant_in_area``.
    """

    density_per_cm2: float | None = None
    area_cm2: float | None = None
    kill_probability: float | None = None
    held_days: tuple[int, ...] = ()
    """Days (from ``start``) of sessions already held; the automatic or fixed spacing follows the last."""
    session_minutes: float | None = None
    interval_days: int | None = None
    auto_interval: bool = False
    months: int = 24
    seed: int = 0
    treat_resting: bool = True
    metal_implant_in_area: bool | None = None


class CurvePoint(BaseModel):
    """End of day ``day`` (0 = first session): hairs showing and follicles not destroyed (counts)."""

    model_config = ConfigDict(frozen=True)

    day: int
    visible: int
    remaining: int


class HairSession(BaseModel):
    """One dated session: time budget and use (min), counts of hairs and follicles, reduction (fraction)."""

    model_config = ConfigDict(frozen=True)

    session: int
    date: dt.date
    day: int
    minutes_budget: float
    minutes_used: float
    visible_before: int
    growing_visible: int
    treated_growing: int
    treated_resting: int
    destroyed: int
    remaining_after: int
    weakened_alive: int
    cleared: bool
    reduction: float


class HairModel(BaseModel):
    """The model inputs behind a plan (days, seconds, fractions, counts)."""

    model_config = ConfigDict(frozen=True)

    follicles: int
    anagen_days: float
    catagen_days: float
    telogen_days: float
    latency_days: float
    emergence_days: float
    duration_cv: float
    stationary_shares: dict[str, float]
    seconds_per_follicle: float
    destroy_probability: float
    resting_destroy_probability: float
    treat_resting: bool
    interval_steps_days: tuple[int, ...]


class HairPlan(BaseModel):
    """A predicted electrolysis course for one area and modality, with the sources behind it."""

    model_config = ConfigDict(frozen=True)

    area: str
    modality: str
    start: dt.date
    end: dt.date
    area_cm2: float
    density_per_cm2: float
    treated_share: float
    """Share of the area's follicles the course treats (1: clear the area; eyebrows: the strays only)."""
    aim: str
    session_minutes: float
    interval_days: int | None
    auto_interval: bool
    months: int
    seed: int
    sessions_to: dict[str, int | None]
    dates_to: dict[str, dt.date | None]
    sessions_total: int
    hours_total: float
    schedule: tuple[dt.date, ...]
    sessions: tuple[HairSession, ...]
    curve: tuple[CurvePoint, ...]
    model: HairModel
    reported_hours: Span | None
    cautions: tuple[str, ...]
    aftercare: tuple[AftercareLine, ...]
    screening: Screening | None
    modality_findings: tuple[Finding, ...]
    warnings: tuple[str, ...]
    sources: tuple[str, ...]
    evidence_version: str


def _add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus ``months`` calendar months (the day clamped to the month's length)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def _check_options(opt: CourseOptions, seconds: float, modality: str) -> None:
    if opt.interval_days is not None and opt.auto_interval:
        raise InputError("interval_days", "give a fixed interval or the automatic one, not both")
    if opt.interval_days is not None and not 1 <= opt.interval_days <= MAX_INTERVAL_DAYS:
        raise InputError(
            "interval_days", f"the interval must be 1 to {MAX_INTERVAL_DAYS} days, got {opt.interval_days}"
        )
    for name, value in (("density_per_cm2", opt.density_per_cm2), ("area_cm2", opt.area_cm2)):
        if value is not None and not value > 0:
            raise InputError(name, f"{name} must be positive, got {value:g}")
    if opt.area_cm2 is not None and not opt.area_cm2 <= MAX_AREA_CM2:
        raise InputError(
            "area_cm2",
            f"area_cm2 (the area treated) must be at most {MAX_AREA_CM2:,.0f} cm² ({MAX_AREA_CM2 / 10_000:g} m²), "
            f"got {opt.area_cm2:g} cm²",
        )
    if opt.kill_probability is not None and not 0 < opt.kill_probability <= 1:
        raise InputError(
            "kill_probability", f"the kill probability must be above 0 and at most 1, got {opt.kill_probability:g}"
        )
    if not 1 <= opt.months <= MAX_MONTHS:
        raise InputError("months", f"months must be 1 to {MAX_MONTHS}, got {opt.months}")
    if opt.seed < 0:
        raise InputError("seed", f"the seed must be 0 or more, got {opt.seed}")
    minutes = opt.session_minutes
    if minutes is not None and not 0 < minutes <= MAX_SESSION_MINUTES:
        raise InputError("session_minutes", f"session minutes must be above 0 and at most {MAX_SESSION_MINUTES}")
    if minutes is not None and minutes * 60 < seconds:
        raise InputError(
            "session_minutes",
            f"a {minutes:g}-minute session cannot treat a single hair: {modality} takes "
            f"{seconds:g} s per follicle ({seconds / 60:.2f} min)",
        )


def _screen(
    evidence: Evidence, answers: Answers | None, opt: CourseOptions, ids: tuple[str, str], on: dt.date
) -> tuple[Screening | None, tuple[Finding, ...]]:
    area, modality = ids
    general = screen_for(answers, "electrolysis", (area,), on, evidence) if answers is not None else None
    own = screen_modality(answers, modality, area, evidence, opt.metal_implant_in_area)
    findings = (*(general.findings if general else ()), *own)
    worst = max((f for f in findings), key=lambda f: severity(f.verdict), default=None)
    if worst is not None and worst.verdict in BLOCKING:
        until = f" until {general.defer_until}" if general and general.defer_until else ""
        raise ScreeningBlockedError(
            "answers", f"screening verdict '{worst.verdict}'{until} for {modality}: {worst.message} — no plan made"
        )
    return general, own


def _warnings(data: Data, area_id: str, area: Area, mod: Modality, opt: CourseOptions, sim: Simulation) -> list[str]:
    nums = _numbers(area)
    out = []
    if area.treated_share is not None:
        out.append(
            f"the course removes {area.aim}: it treats {area.treated_share.value:.0%} of the area's follicles, "
            "and the reductions are shares of those"
        )
    if any(not v.verified for v in nums.values()):
        out.append(
            f"the {area.name.lower()} hair-cycle figures are the Richards & Meharg table as commonly cited, "
            "not checked against the original"
        )
    proxies = [k for k, v in nums.items() if v.estimate]
    if proxies:
        out.append(f"estimated for {area_id} (proxy or derived, see `pinpoint hair areas`): {', '.join(proxies)}")
    if mod.regrowth_fraction.estimate:
        out.append(
            "the destruction chance per treatment is an estimate: only 25-50% regrowth for all modalities "
            "and a ranking (blend, galvanic, thermolysis) are published"
        )
    if opt.density_per_cm2 is None:
        band = area.terminal_density_per_cm2
        out.append(
            f"the density is an estimate of terminal hairs ({band.min:g}-{band.max:g} per cm², calibrated to "
            "reported course hours): count the client's hairs in a marked window for their own forecast"
        )
    sched = data.schedule
    minutes = opt.session_minutes if opt.session_minutes is not None else sched.default_session_minutes.value
    if not sched.session_minutes.min <= minutes <= sched.session_minutes.max:
        out.append(
            f"{minutes:g}-minute sessions are outside the usual {sched.session_minutes.min:g}-"
            f"{sched.session_minutes.max:g} minutes"
        )
    if opt.interval_days is not None and opt.interval_days > sched.max_early_gap_days.value:
        out.append(
            f"a {opt.interval_days}-day interval: practice keeps gaps under "
            f"{sched.max_early_gap_days.value:g} days while hair is still growing in"
        )
    window = visible_window_days(cycle_for(data, area))
    if opt.interval_days is not None and opt.interval_days > window:
        out.append(
            f"a {opt.interval_days}-day interval is longer than the {window:.0f} days a growing hair of this "
            "area shows on average: some growing hairs will come and go unseen"
        )
    if area.first_visits is not None and area.first_visits_max_minutes is not None:
        cap = area.first_visits_max_minutes.value
        if minutes > cap:
            first = f"the first {area.first_visits.value:g} sessions on the {area.name.lower()}"
            out.append(f"{first} are capped at {cap:g} minutes (swelling)")
    if sim.sessions_to(REDUCTIONS[-1] / 100) is None:
        out.append(f"{REDUCTIONS[-1]}% of follicles are not destroyed within {opt.months} months: the course is longer")
    return out


def _sources(data: Data, area: Area, mod: Modality, screening: tuple[Finding, ...]) -> tuple[str, ...]:
    ids = [s for v in _numbers(area).values() for s in v.sources]
    cyc, sched = data.cycle, data.schedule
    for v in (cyc.catagen_days, cyc.duration_cv, cyc.resting_kill_factor, cyc.handling_seconds):
        ids.extend(v.sources)
    for v in (mod.current_seconds, mod.regrowth_fraction):
        ids.extend(v.sources)
    ids.extend(area.terminal_density_per_cm2.sources)
    for s in (sched.start_interval_days, sched.later_interval_days, sched.final_interval_days):
        ids.extend(s.sources)
    ids.extend(sched.default_session_minutes.sources)
    ids.extend(s for c in mod.cautions for s in c.sources)
    ids.extend(s for f in screening for s in f.sources)
    return tuple(dict.fromkeys(ids))


def _sessions(sim: Simulation, start: dt.date) -> tuple[HairSession, ...]:
    def one(s: SessionStats) -> HairSession:
        return HairSession(
            session=s.index + 1,
            date=start + dt.timedelta(days=s.day),
            day=s.day,
            minutes_budget=round(s.minutes_budget, 2),
            minutes_used=round(s.minutes_used, 2),
            visible_before=s.visible_before,
            growing_visible=s.growing_visible,
            treated_growing=s.treated_growing,
            treated_resting=s.treated_resting,
            destroyed=s.destroyed,
            remaining_after=s.remaining_after,
            weakened_alive=s.weakened_alive,
            cleared=s.treated_growing == s.growing_visible,
            reduction=round(1 - s.remaining_after / sim.n_follicles, 4),
        )

    return tuple(one(s) for s in sim.sessions)


def _follicles(area_cm2: float, density_per_cm2: float, share: float) -> int:
    """Follicles a course treats: area (cm²) x density (per cm²) x treated share, within the simulator's bound."""
    count = area_cm2 * density_per_cm2 * share
    follicles = round(count) if math.isfinite(count) else MAX_FOLLICLES + 1
    if not 1 <= follicles <= MAX_FOLLICLES:
        treated = f" x {share:g} treated" if share != 1 else ""
        shown = follicles if math.isfinite(count) else "too many"
        raise InputError(
            "density_per_cm2",
            f"{area_cm2:g} cm² x {density_per_cm2:g} per cm²{treated} = {shown} follicles; "
            f"the simulator takes 1 to {MAX_FOLLICLES:,}",
        )
    return follicles


def _regimen(data: Data, area: Area, opt: CourseOptions, cycle: Cycle) -> Regimen:
    """Session minutes (the option, else the evidence's default), spacing, and the area's shorter first visits."""
    sched = data.schedule
    return Regimen(
        session_minutes=opt.session_minutes if opt.session_minutes is not None else sched.default_session_minutes.value,
        interval_days=opt.interval_days,
        steps_days=auto_steps(data, cycle),
        first_visits=round(area.first_visits.value) if area.first_visits else 0,
        first_visits_minutes=area.first_visits_max_minutes.value if area.first_visits_max_minutes else None,
        days=opt.held_days,
    )


def _hair_model(follicles: int, cycle: Cycle, treatment: Treatment, regimen: Regimen, opt: CourseOptions) -> HairModel:
    """The model inputs behind a plan, as the plan reports them (days, seconds, fractions, counts)."""
    return HairModel(
        follicles=follicles,
        anagen_days=cycle.anagen_days,
        catagen_days=cycle.catagen_days,
        telogen_days=cycle.telogen_days,
        latency_days=cycle.latency_days,
        emergence_days=cycle.emergence_days,
        duration_cv=cycle.cv,
        stationary_shares={k: round(v, 4) for k, v in cycle.stationary_shares().items()},
        seconds_per_follicle=round(treatment.seconds_per_follicle, 3),
        destroy_probability=round(treatment.destroy_probability, 4),
        resting_destroy_probability=round(treatment.destroy_probability * treatment.resting_factor, 4),
        treat_resting=treatment.treat_resting,
        interval_steps_days=regimen.steps_days if opt.interval_days is None else (opt.interval_days,),
    )


def plan_course(
    evidence: Evidence,
    area: str,
    modality: str,
    *,
    start: dt.date,
    options: CourseOptions | None = None,
    answers: Answers | None = None,
) -> HairPlan:
    """Predict and schedule an electrolysis course on ``area`` with ``modality`` from date ``start``.

    The follicle count is ``density_per_cm2`` x ``area_cm2`` (defaults: the midpoint of the area's
    estimated terminal-hair density and the zone's area). Sessions are ``session_minutes`` long
    (default from the evidence), ``interval_days`` apart or spaced automatically, over ``months``
    months; ``held_days`` are sessions already held, and ``kill_probability`` replaces the
    modality's chance (a fitted value). With ``answers``
    the client is screened on ``start`` (general electrolysis rules and the modality's own) and
    a blocking verdict raises :class:`ScreeningBlockedError`. Raises :class:`UnknownIdError`
    for an unknown area or modality and :class:`InputError` for impossible options.
    """
    opt = options or CourseOptions()
    data = hair_data(evidence)
    ar, mod = get_area(evidence, area), get_modality(evidence, modality)
    treatment = treatment_for(data, mod, treat_resting=opt.treat_resting)
    _check_options(opt, treatment.seconds_per_follicle, modality)
    if opt.kill_probability is not None:
        treatment = dataclasses.replace(treatment, destroy_probability=opt.kill_probability)
    general, own = _screen(evidence, answers, opt, (area, modality), start)
    area_cm2 = opt.area_cm2 if opt.area_cm2 is not None else evidence.zones[area].area_cm2.value
    density = opt.density_per_cm2 if opt.density_per_cm2 is not None else ar.terminal_density_per_cm2.mid
    share = ar.treated_share.value if ar.treated_share is not None else 1.0
    follicles = _follicles(area_cm2, density, share)
    cycle = cycle_for(data, ar)
    regimen = _regimen(data, ar, opt, cycle)
    minutes = regimen.session_minutes
    end = _add_months(start, opt.months)
    sim = simulate(
        cycle, follicles, horizon_days=(end - start).days, treatment=treatment, regimen=regimen, rng=opt.seed
    )
    sessions = _sessions(sim, start)
    reached = {str(q): sim.sessions_to(q / 100) for q in REDUCTIONS}
    screened = (*(general.findings if general else ()), *own)
    return HairPlan(
        area=area,
        modality=modality,
        start=start,
        end=end,
        area_cm2=area_cm2,
        density_per_cm2=density,
        treated_share=share,
        aim=ar.aim or f"every hair of the {ar.name.lower()}",
        session_minutes=minutes,
        interval_days=opt.interval_days,
        auto_interval=opt.interval_days is None,
        months=opt.months,
        seed=opt.seed,
        sessions_to=reached,
        dates_to={k: sessions[n - 1].date if n else None for k, n in reached.items()},
        sessions_total=len(sessions),
        hours_total=round(sim.hours_total, 2),
        schedule=tuple(s.date for s in sessions),
        sessions=sessions,
        curve=tuple(
            CurvePoint(day=d, visible=int(v), remaining=int(r))
            for d, (v, r) in enumerate(zip(sim.visible, sim.remaining, strict=True))
        ),
        model=_hair_model(follicles, cycle, treatment, regimen, opt),
        reported_hours=_span(ar.reported_hours),
        cautions=tuple(c.text for c in mod.cautions),
        aftercare=aftercare_for(evidence, "electrolysis", "clinic", 0.0),
        screening=general,
        modality_findings=own,
        warnings=tuple(_warnings(data, area, ar, mod, opt, sim)),
        sources=_sources(data, ar, mod, screened),
        evidence_version=evidence.version,
    )
