"""The step-by-step procedure of a session, in the order it is done.

Steps come from ``procedure.toml``; this module selects those that apply (setting, device
reuse, whether an anaesthetic is used) and fills in per-zone needling details from the plan.
The topical anaesthetic, where used, goes on before needling and comes off before antisepsis.
"""

from __future__ import annotations

from typing import get_args

from pydantic import BaseModel, ConfigDict

from pinpoint.core.planning import AftercareLine, Plan, Span, ZonePlan, get_device, plan
from pinpoint.evidence.loader import Evidence
from pinpoint.evidence.schema import Anaesthetic, ProcedureStep, Setting, StepKind

__all__ = ["STEP_KINDS", "Guide", "Step", "guide", "guide_for_plan"]

STEP_KINDS: tuple[str, ...] = get_args(StepKind)


class Step(BaseModel):
    """One step; ``minutes`` is its duration where the evidence gives one."""

    model_config = ConfigDict(frozen=True)

    kind: str
    title: str
    detail: str
    minutes: Span | None
    zones: tuple[str, ...]
    sources: tuple[str, ...]


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


def _applies(step: ProcedureStep, setting: Setting, reusable: bool, numbing: bool) -> bool:
    if "microneedling" not in step.treatments or setting not in step.settings:
        return False
    return {
        "always": True,
        "anaesthetic": numbing,
        "reusable-device": reusable,
        "single-use-device": not reusable,
    }[step.when]


def _detail(ev: Evidence, step: ProcedureStep, agent: Anaesthetic | None) -> str:
    if step.kind == "anaesthetic-apply" and agent is not None:
        occl = {"required": "under occlusion", "optional": "occlusion optional", "none": "no occlusion"}
        return f"{agent.name}, {occl[agent.occlusion]}; never on broken skin, never after needling"
    if step.kind == "device-log":
        uses = ev.policy["roller_replacement_uses"]
        days = ev.policy["roller_replacement_days"]
        return (
            f"replace after {uses.value:g} uses or {days.value:g} days from first use, whichever comes "
            "first (policy defaults roller_replacement_uses, roller_replacement_days)"
        )
    return ""


def guide_for_plan(evidence: Evidence, p: Plan) -> Guide:
    """The session procedure for plan ``p``."""
    ev = evidence
    dev = get_device(ev, p.device) if p.device else None
    reusable = dev.reuse == "reusable" if dev is not None else p.setting == "home"
    numbing = p.setting == "clinic" and p.deepest_mm > ev.policy_value("anaesthetic_above_depth_mm")
    agent_id = ev.technique.anaesthetic_default if numbing else None
    agent = ev.anaesthetics[agent_id] if agent_id else None
    chosen = [s for s in ev.procedure if _applies(s, p.setting, reusable, numbing)]
    zones = tuple(z.zone for z in p.zones)
    steps: list[Step] = []
    i = 0
    while i < len(chosen):
        if chosen[i].per_zone:
            block = []
            while i < len(chosen) and chosen[i].per_zone:
                block.append(chosen[i])
                i += 1
            for zp in p.zones:
                for s in block:
                    steps.append(_zone_step(ev, s, zp, p))
            continue
        s = chosen[i]
        minutes = Span.of(agent.minutes) if s.minutes_from and agent else (Span.of(s.minutes) if s.minutes else None)
        sources = (*s.sources, *(agent.minutes.sources if s.minutes_from and agent else ()))
        steps.append(
            Step(
                kind=s.kind,
                title=s.title,
                detail=_detail(ev, s, agent),
                minutes=minutes,
                zones=zones,
                sources=tuple(dict.fromkeys(sources)),
            )
        )
        i += 1
    return Guide(
        indication=p.indication,
        setting=p.setting,
        device=p.device,
        anaesthetic=agent_id,
        anaesthetic_name=agent.name if agent else None,
        steps=tuple(steps),
        aftercare=p.aftercare,
        warnings=p.warnings,
    )


def _zone_step(ev: Evidence, s: ProcedureStep, zp: ZonePlan, p: Plan) -> Step:
    if s.kind == "needling":
        dirs = ", ".join(ev.technique.directions)
        depth = (
            f"{zp.depth_mm.min:g} mm"
            if zp.depth_mm.min == zp.depth_mm.max
            else (f"{zp.depth_mm.min:g}-{zp.depth_mm.max:g} mm")
        )
        detail = f"{depth}; {zp.passes.min:g}-{zp.passes.max:g} passes with the {p.device_kind} ({dirs})"
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
) -> Guide:
    """The step-by-step procedure for one session of ``indication`` on ``zones``."""
    return guide_for_plan(evidence, plan(evidence, indication, zones, setting, device=device))
