"""The dose each zone of a course received across its signed sessions, beside the plan's target.

From plain records (one per zone treated in a signed session: depth in mm, passes, the device
used, whether the anaesthetic went on), per planned zone: the sessions done against the
sessions planned, the depths against the planned range, passes per session against the planned
range, the punctures per cm² each session delivered as the coverage model estimates them for
the device used (closed form, :func:`pinpoint.core.coverage.passes.zone_coverage`: passes x the
density of one pass, re-hits ignored) against the target density, and the skin numbed (cm²).
Notes name what lies outside the plan in people's words.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict

from pinpoint.core.coverage.passes import zone_coverage
from pinpoint.core.errors import PinpointError
from pinpoint.core.planning import Plan, ZonePlan
from pinpoint.core.span import Span
from pinpoint.evidence.loader import Evidence

__all__ = ["Delivered", "ZoneDose", "course_dose"]

_EPS = 1e-9


class Delivered(BaseModel):
    """What one signed session did on one zone: depth (mm), passes, device (catalog id), numbed or not."""

    model_config = ConfigDict(frozen=True)

    session: int
    date: dt.date
    zone: str
    depth_mm: float
    passes: int
    device: str | None = None
    anaesthetic: bool = False


class ZoneDose(BaseModel):
    """One planned zone: what its signed sessions delivered, beside the plan.

    Densities in punctures per cm² (``None`` where no session recorded a needling device of the
    catalog); ``anaesthetic_cm2`` sums the zone's area over the sessions that numbed it.
    """

    model_config = ConfigDict(frozen=True)

    zone: str
    name: str
    sessions_done: int
    sessions_planned: Span
    depth_mm: Span | None
    depth_planned_mm: Span
    passes_total: int
    passes_per_session: Span | None
    passes_planned: Span
    density_per_session_per_cm2: Span | None
    density_total_per_cm2: float | None
    density_target_per_cm2: float | None
    anaesthetic_cm2: float
    notes: tuple[str, ...]
    sources: tuple[str, ...]


def _span(values: list[float]) -> Span | None:
    return Span(min=min(values), max=max(values)) if values else None


def _per_pass(
    evidence: Evidence, device: str | None, area_cm2: float
) -> tuple[float | None, float | None, tuple[str, ...]]:
    """Density of one pass (per cm²) and the target density of ``device`` on ``area_cm2``, with sources."""
    if not device:
        return None, None, ()
    try:
        cov = zone_coverage(evidence, device, area_cm2)
    except PinpointError:
        return None, None, ()
    return cov.density_per_pass_per_cm2, cov.target_density_per_cm2, cov.sources


def _notes(
    zp: ZonePlan, done: int, depths: Span | None, passes: Span | None, density: Span | None, target: float | None
) -> list[str]:
    notes = []
    if done > zp.sessions.max + _EPS:
        notes.append(f"{done} sessions, more than the {zp.sessions.max:g} planned")
    if depths is not None and depths.max > zp.depth_mm.max + _EPS:
        notes.append(f"needled at {depths.max:g} mm, deeper than planned ({zp.depth_mm.max:g} mm at most)")
    if depths is not None and depths.min < zp.depth_mm.min - _EPS:
        notes.append(f"needled at {depths.min:g} mm, shallower than planned ({zp.depth_mm.min:g} mm at least)")
    if passes is not None and passes.min < zp.passes.min - _EPS:
        notes.append(f"{passes.min:g} passes in a session, fewer than planned ({zp.passes.min:g} at least)")
    if passes is not None and passes.max > zp.passes.max + _EPS:
        notes.append(f"{passes.max:g} passes in a session, more than planned ({zp.passes.max:g} at most)")
    if density is not None and target is not None and density.min < target - _EPS:
        notes.append(f"a session reached about {density.min:.0f} punctures per cm², below the target of {target:.0f}")
    return notes


def course_dose(evidence: Evidence, plan: Plan, delivered: Iterable[Delivered]) -> tuple[ZoneDose, ...]:
    """Per planned zone (plan order), what the signed sessions in ``delivered`` gave it, beside the plan.

    A zone's area comes from the evidence (cm²); the density of a session is its passes times the
    closed-form density of one pass of the device it recorded (the plan's device when it recorded
    none); the target is the coverage model's lower target density. Records of zones not in the
    plan are ignored.
    """
    by_zone: dict[str, list[Delivered]] = {}
    for d in delivered:
        by_zone.setdefault(d.zone, []).append(d)
    out = []
    for zp in plan.zones:
        rows = by_zone.get(zp.zone, [])
        zone = evidence.zones.get(zp.zone)
        area = zone.area_cm2.value if zone is not None else 0.0
        densities: list[float] = []
        target: float | None = None
        sources: tuple[str, ...] = ()
        for d in rows:
            per_pass, goal, srcs = _per_pass(evidence, d.device or plan.device, area)
            if per_pass is not None:
                densities.append(d.passes * per_pass)
                target, sources = goal, srcs
        if target is None:
            _, target, sources = _per_pass(evidence, plan.device, area)
        depths = _span([d.depth_mm for d in rows])
        passes = _span([float(d.passes) for d in rows])
        density = _span(densities)
        done = len({d.session for d in rows})
        out.append(
            ZoneDose(
                zone=zp.zone,
                name=zone.name if zone is not None else zp.zone,
                sessions_done=done,
                sessions_planned=zp.sessions,
                depth_mm=depths,
                depth_planned_mm=zp.depth_mm,
                passes_total=sum(d.passes for d in rows),
                passes_per_session=passes,
                passes_planned=zp.passes,
                density_per_session_per_cm2=density,
                density_total_per_cm2=sum(densities) if densities else None,
                density_target_per_cm2=target,
                anaesthetic_cm2=area * len({d.session for d in rows if d.anaesthetic}),
                notes=tuple(_notes(zp, done, depths, passes, density, target)),
                sources=tuple(dict.fromkeys((*zp.sources, *sources))),
            )
        )
    return tuple(out)
