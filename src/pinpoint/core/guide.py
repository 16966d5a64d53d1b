"""The step-by-step procedure of a session, in the order it is done.

Steps come from ``procedure.toml``; this module selects those that apply (setting, device
reuse, whether an anaesthetic is used) and fills in per-zone needling details from the plan.
The guide is for one visit of a session (the plan splits a session into visits, and a large
zone into portions, when the anaesthetic's label needs it): it covers exactly that visit's
zones and portions. The topical anaesthetic, where used, goes on the visit's numbed
zones before needling and comes off before antisepsis; a screening finding that forbids it
takes its steps out, and its caution shows at the needling it concerns.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from itertools import groupby

from pydantic import BaseModel, ConfigDict

from pinpoint.core.answers import Answers
from pinpoint.core.errors import InputError
from pinpoint.core.planning import (
    AftercareLine,
    Plan,
    PlanRule,
    Visit,
    ZonePlan,
    ZonePortion,
    get_device,
    numbed_zones,
    plan,
)
from pinpoint.core.screening import Finding, Screening
from pinpoint.core.span import Span
from pinpoint.core.vocab import STEP_KINDS
from pinpoint.core.whole_plan import anaesthetic_limit_cm2
from pinpoint.core.zones import overlap
from pinpoint.evidence.loader import Evidence
from pinpoint.evidence.schema import Anaesthetic, ProcedureStep, Setting

__all__ = ["STEP_KINDS", "Guide", "Step", "guide", "guide_for_plan"]


class Step(BaseModel):
    """One step; ``minutes`` is its duration where the evidence gives one.

    An ``anaesthetic-apply`` step carries ``area_cm2`` (the skin it covers this visit) and
    ``amount_g`` (grams of cream at the label's layer). ``cautions`` are the screening findings
    that concern this step.
    """

    model_config = ConfigDict(frozen=True)

    kind: str
    title: str
    detail: str
    minutes: Span | None
    zones: tuple[str, ...]
    sources: tuple[str, ...]
    area_cm2: float | None = None
    amount_g: Span | None = None
    cautions: tuple[str, ...] = ()


class Guide(BaseModel):
    """The procedure of one session and its aftercare."""

    model_config = ConfigDict(frozen=True)

    indication: str
    setting: Setting
    device: str | None
    anaesthetic: str | None
    anaesthetic_name: str | None = None
    steps: tuple[Step, ...]
    aftercare: tuple[AftercareLine, ...]
    warnings: tuple[str, ...]
    visit: int = 1
    visits: int = 1
    rules: tuple[PlanRule, ...] = ()
    parts: tuple[ZonePortion, ...] = ()
    """The zones (and portions of zones) this visit needles, with their areas in cm²."""


def _applies(step: ProcedureStep, setting: Setting, reusable: bool, numbing: bool) -> bool:
    if "microneedling" not in step.treatments or setting not in step.settings:
        return False
    return {
        "always": True,
        "anaesthetic": numbing,
        "reusable-device": reusable,
        "single-use-device": not reusable,
    }[step.when]


def _detail(ev: Evidence, step: ProcedureStep, agent: Anaesthetic | None, v: Visit) -> str:
    if step.kind == "anaesthetic-apply" and agent is not None:
        occl = {"required": "under occlusion", "optional": "occlusion optional", "none": "no occlusion"}
        limit = anaesthetic_limit_cm2(agent)
        amount = f"about {v.amount_g.min:g}-{v.amount_g.max:g} g on " if v.amount_g else ""
        cap = f" (label: at most {limit[0]:g} cm² at a time)" if limit else ""
        split = [p.label for p in v.parts if p.numbed and p.portions > 1]
        only = f" on {', '.join(p.label for p in v.parts if p.numbed)} only" if split else ""
        return (
            f"{agent.name}{only}, {amount}{v.area_cm2:g} cm²{cap}, {occl[agent.occlusion]}; "
            "never on broken skin, never after needling"
        )
    if step.kind == "device-log":
        uses = ev.policy["roller_replacement_uses"]
        days = ev.policy["roller_replacement_days"]
        return (
            f"replace after {uses.value:g} uses or {days.value:g} days from first use, whichever comes "
            "first (policy defaults roller_replacement_uses, roller_replacement_days)"
        )
    return ""


def _concerns(ev: Evidence, f: Finding, zone: ZonePlan) -> bool:
    return any(overlap(ev, zone.zone, z) is not None or zone.part_of == z for z in f.zones)


def _cautions(ev: Evidence, screening: Screening | None, zone: ZonePlan, numbed: bool) -> tuple[str, ...]:
    """The findings to show at the needling of ``zone``: what was taken out, and every caution on it."""
    if screening is None:
        return ()
    out = [
        f"no topical anaesthetic: {f.message}"
        for f in screening.forbidding("anaesthetic")
        if numbed and _concerns(ev, f, zone)
    ]
    out.extend(
        f.message
        for f in screening.findings
        if f.verdict == "caution" and "anaesthetic" not in f.forbids and _concerns(ev, f, zone)
    )
    return tuple(dict.fromkeys(out))


@dataclass(frozen=True)
class _Visit:
    """One visit being guided: the plan, the visit, its screening and anaesthetic."""

    ev: Evidence
    p: Plan
    v: Visit
    screening: Screening | None
    agent: Anaesthetic | None

    @property
    def zone_plans(self) -> list[ZonePlan]:
        """The plan's zones needled this visit, in plan order."""
        return [zp for zp in self.p.zones if zp.zone in self.v.zones]

    @property
    def would_numb(self) -> set[str]:
        """Zones numbed this visit, or that would be but for a screening finding."""
        return set(self.v.anaesthetic_zones) if self.v.anaesthetic_zones else set(numbed_zones(self.ev, self.p))


def _visit_of(p: Plan, visit: int) -> Visit:
    visits = p.visits or (Visit(visit=1, zones=tuple(z.zone for z in p.zones)),)
    if not 1 <= visit <= len(visits):
        raise InputError("visit", f"this plan has {len(visits)} visit(s) per session; choose 1 to {len(visits)}")
    return visits[visit - 1]


def _agent_id(p: Plan, v: Visit, screening: Screening | None) -> str | None:
    """The anaesthetic of this visit: the plan's, when the visit numbs a zone and no finding forbids it."""
    forbidden = bool(screening.forbidding("anaesthetic")) if screening is not None else False
    return p.anaesthetic if v.anaesthetic_zones and not forbidden else None


def _reusable(ev: Evidence, p: Plan) -> bool:
    """Is the plan's device reusable? Without a device: a home plan's roller is, a clinic's unit is not."""
    return get_device(ev, p.device).reuse == "reusable" if p.device else p.setting == "home"


def _zone_steps(g: _Visit, block: list[ProcedureStep]) -> list[Step]:
    """The per-zone steps, zone by zone; the needling shows the cautions that concern its zone."""
    out = []
    numbed = g.would_numb
    for zp in g.zone_plans:
        for s in block:
            step = _zone_step(g.ev, s, zp, g.p, _portion(g.v, zp.zone))
            if s.kind == "needling":
                step = step.model_copy(update={"cautions": _cautions(g.ev, g.screening, zp, zp.zone in numbed)})
            out.append(step)
    return out


def _session_step(g: _Visit, s: ProcedureStep) -> Step:
    """A step done once per visit; the anaesthetic's steps time and cover its numbed zones."""
    agent, v = g.agent, g.v
    timed_by_agent = s.minutes_from is not None and agent is not None
    minutes = Span.of(agent.minutes) if timed_by_agent and agent else (Span.of(s.minutes) if s.minutes else None)
    sources = (*s.sources, *(agent.minutes.sources if timed_by_agent and agent else ()))
    applies = s.kind == "anaesthetic-apply"
    if applies and agent is not None and agent.max_area_cm2:
        sources = (*sources, *agent.max_area_cm2.sources)
    numbed_step = s.kind in ("anaesthetic-apply", "anaesthetic-remove")
    return Step(
        kind=s.kind,
        title=s.title,
        detail=_detail(g.ev, s, agent, v),
        minutes=minutes,
        zones=v.anaesthetic_zones if numbed_step else tuple(zp.zone for zp in g.zone_plans),
        sources=tuple(dict.fromkeys(sources)),
        area_cm2=v.area_cm2 if applies else None,
        amount_g=v.amount_g if applies else None,
    )


def guide_for_plan(evidence: Evidence, p: Plan, *, screening: Screening | None = None, visit: int = 1) -> Guide:
    """The procedure of visit ``visit`` (1-based) of a session of plan ``p``.

    ``screening`` (default: the plan's own) shapes it: a finding that forbids the anaesthetic
    removes the anaesthetic steps and shows at the needling of the zones it concerns; other
    cautions show at the needling of their zones. Areas are in cm², amounts in grams.
    """
    v = _visit_of(p, visit)
    screening = screening if screening is not None else p.screening
    agent_id = _agent_id(p, v, screening)
    agent = evidence.anaesthetics[agent_id] if agent_id else None
    g = _Visit(evidence, p, v, screening, agent)
    reusable = _reusable(evidence, p)
    chosen = [s for s in evidence.procedure if _applies(s, p.setting, reusable, agent is not None)]
    steps: list[Step] = []
    for per_zone, group in groupby(chosen, key=lambda s: s.per_zone):
        block = list(group)
        steps.extend(_zone_steps(g, block) if per_zone else (_session_step(g, s) for s in block))
    return Guide(
        indication=p.indication,
        setting=p.setting,
        device=p.device,
        anaesthetic=agent_id,
        anaesthetic_name=agent.name if agent else None,
        steps=tuple(steps),
        aftercare=p.aftercare,
        warnings=p.warnings,
        visit=visit,
        visits=len(p.visits or (v,)),
        rules=p.rules,
        parts=v.parts,
    )


def _portion(v: Visit, zone: str) -> ZonePortion | None:
    """The portion of ``zone`` this visit needles, when the zone is split into portions."""
    return next((part for part in v.parts if part.zone == zone and part.portions > 1), None)


def _zone_step(ev: Evidence, s: ProcedureStep, zp: ZonePlan, p: Plan, portion: ZonePortion | None = None) -> Step:
    if s.kind == "needling":
        dirs = ", ".join(ev.technique.directions)
        depth = (
            f"{zp.depth_mm.min:g} mm"
            if zp.depth_mm.min == zp.depth_mm.max
            else (f"{zp.depth_mm.min:g}-{zp.depth_mm.max:g} mm")
        )
        detail = f"{depth}; {zp.passes.min:g}-{zp.passes.max:g} passes with the {p.device_kind} ({dirs})"
        if portion is not None:
            detail = f"{portion.label} only: {detail}"
        sources = (*s.sources, *zp.sources)
    else:
        detail = f"endpoint: {zp.endpoint}"
        sources = s.sources
    return Step(
        kind=s.kind,
        title=s.title,
        detail=detail,
        minutes=Span.of(s.minutes) if s.minutes else None,
        zones=(zp.zone,),
        sources=tuple(dict.fromkeys(sources)),
    )


def guide(
    evidence: Evidence,
    indication: str,
    zones: tuple[str, ...],
    setting: Setting,
    *,
    device: str | None = None,
    skin_type: int | None = None,
    answers: Answers | None = None,
    on: dt.date | None = None,
) -> Guide:
    """The step-by-step procedure for the first visit of one session of ``indication`` on ``zones``.

    With ``answers`` the client is screened on ``on`` first (as :func:`pinpoint.core.planning.plan`
    does); the plan and the screening then shape the guide. Other visits: :func:`guide_for_plan`.
    """
    p = plan(evidence, indication, zones, setting, device=device, start=on, skin_type=skin_type, answers=answers)
    return guide_for_plan(evidence, p)
