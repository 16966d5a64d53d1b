"""Passes of a device that reach the target density on a zone, by closed form (for the course planner).

Pure Python and one small model: ``pinpoint plan`` imports this module, and its start-up is timed.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from pinpoint.core.coverage.geometry import (
    coverage_params,
    geometry_of,
    motion_of,
    needling_device,
    parse_directions,
    passes_for_density,
    split_passes,
)
from pinpoint.core.span import Span
from pinpoint.evidence.loader import Evidence

__all__ = ["Span", "ZoneCoverage", "published_passes", "zone_coverage"]


def published_passes(evidence: Evidence, kind: str) -> Span:
    """The passes the published technique uses for a ``kind`` of device (rollers 15-20, pens 4-10)."""
    return Span.of(evidence.technique.passes_roller if kind == "roller" else evidence.technique.passes_pen)


class ZoneCoverage(BaseModel):
    """Passes of ``device`` that reach the lower target density on one zone, by closed form.

    Re-hits are ignored, so ``passes`` is a lower bound. Densities per cm2, time in s, speed in cm/s.
    """

    model_config = ConfigDict(frozen=True)

    device: str
    target_density_per_cm2: float
    density_per_pass_per_cm2: float
    passes: int
    passes_per_direction: dict[str, int]
    density_per_cm2: float
    seconds: float
    speed_cm_s: float
    published_passes: Span
    within_published_passes: bool
    method: str = "closed-form"
    estimate: bool
    sources: tuple[str, ...]


def zone_coverage(
    evidence: Evidence,
    device: str,
    area_cm2: float,
    *,
    target_density_per_cm2: float | None = None,
    speed_cm_s: float | None = None,
) -> ZoneCoverage:
    """Passes, density (per cm2) and time (s) for ``device`` to reach the target density on ``area_cm2``.

    The target defaults to the lower end of the sourced 250-300 punctures/cm2; the speed (cm/s) to
    the estimate of ``coverage.toml``. Density of a pass: N / (pi D W) for a roller, N f / (v w) for a
    pen; passes cycle through the technique's directions (roller) or horizontal and vertical (pen).
    """
    dev = needling_device(evidence, device)
    params = coverage_params(evidence)
    target = params.target_density_per_cm2
    goal = target.min if target_density_per_cm2 is None else target_density_per_cm2
    speed_v = params.roller_speed_cm_s if dev.kind == "roller" else params.pen_speed_cm_s
    speed = speed_v.value if speed_cm_s is None else speed_cm_s
    motion = motion_of(geometry_of(dev), "lines", speed, params.pen_circle_radius_mm.value)
    per_pass = motion.density_per_pass_per_cm2
    n = passes_for_density(goal, per_pass)
    directions = parse_directions(evidence.technique.directions) if dev.kind == "roller" else ("h", "v")
    published = published_passes(evidence, dev.kind)
    technique = evidence.technique.passes_roller if dev.kind == "roller" else evidence.technique.passes_pen
    derivations = ("pinpoint-roller-density", "pinpoint-coverage-model")
    sources = (*target.sources, *speed_v.sources, *technique.sources, *derivations)
    return ZoneCoverage(
        device=device,
        target_density_per_cm2=goal,
        density_per_pass_per_cm2=per_pass,
        passes=n,
        passes_per_direction=split_passes(n, directions),
        density_per_cm2=n * per_pass,
        seconds=motion.seconds(area_cm2, n),
        speed_cm_s=speed,
        published_passes=published,
        within_published_passes=published.min <= n <= published.max,
        estimate=dev.kind == "pen" or speed_v.estimate,
        sources=tuple(dict.fromkeys(sources)),
    )
