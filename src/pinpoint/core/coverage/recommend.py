"""Passes that reach a target density and/or a gap criterion on a zone, and the time they take.

The density target is a closed form (as in :mod:`pinpoint.core.coverage.passes`); the gap
criterion only a simulation answers. numpy and scipy are imported inside the functions that
simulate, so importing this module stays cheap.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict

from pinpoint.core.coverage.geometry import (
    coverage_params,
    geometry_of,
    motion_of,
    needling_device,
    passes_for_density,
    split_passes,
)
from pinpoint.core.coverage.passes import Span, published_passes
from pinpoint.core.coverage.results import UNITS, CoverageResult, GapFraction
from pinpoint.core.coverage.treatment import MAX_GAP_R_MM, MAX_PASSES, Treatment, make_treatment
from pinpoint.core.errors import InputError, RefusedError
from pinpoint.evidence.loader import Evidence

if TYPE_CHECKING:
    from pinpoint.core.coverage.field import Progress

__all__ = ["GAP_WINDOW_CM2", "GapStep", "Recommendation", "recommend_passes"]

GAP_WINDOW_CM2 = 100.0
"""Largest window the pass search for a gap criterion simulates (the gap fraction is a local,
stationary property: 100 cm2 holds thousands of lattice cells of any catalog device)."""

_SEARCH_PROBES = 40_000


class GapStep(BaseModel):
    """Gap fraction after ``passes`` passes, measured in the search window."""

    model_config = ConfigDict(frozen=True)

    passes: int
    gap_fraction: float


class Recommendation(BaseModel):
    """The passes recommended for a device on a zone, why, and what a simulation of them achieves."""

    model_config = ConfigDict(frozen=True)

    inputs: Treatment
    target_density_per_cm2: float | None
    max_gap_mm: float | None
    max_gap_fraction: float | None
    max_passes: int
    passes: int
    passes_per_direction: dict[str, int]
    seconds: float
    density_per_pass_per_cm2: float
    density_per_cm2_expected: float
    passes_for_density: int | None
    passes_for_gap: int | None
    gap_search_window_cm2: float | None
    gap_search: tuple[GapStep, ...]
    published_passes: Span
    within_published_passes: bool
    achieved: CoverageResult | None
    density_per_cm2: float | None
    gap_fraction: GapFraction | None
    largest_gap_mm: float | None
    rehit_fraction: float | None
    units: dict[str, str]
    sources: tuple[str, ...]


def _check_criteria(
    target: float | None, max_gap_mm: float | None, max_gap_fraction: float | None
) -> None:
    if target is None and max_gap_mm is None and max_gap_fraction is None:
        raise InputError("target_density", "give a target density, or a gap criterion (max gap in mm and fraction)")
    if (max_gap_mm is None) != (max_gap_fraction is None):
        raise InputError("max_gap", "a gap criterion needs both the distance (mm) and the largest fraction allowed")
    if target is not None and not (math.isfinite(target) and target > 0):
        raise InputError("target_density", f"the target density must be greater than 0 per cm2, got {target:g}")
    if max_gap_mm is not None and not (math.isfinite(max_gap_mm) and 0 < max_gap_mm <= MAX_GAP_R_MM):
        raise InputError(
            "max_gap_mm", f"the gap distance must be between 0 and {MAX_GAP_R_MM:g} mm, got {max_gap_mm:g}"
        )
    if max_gap_fraction is not None and not 0 < max_gap_fraction < 1:
        raise InputError("max_gap_fraction", f"the gap fraction must lie between 0 and 1, got {max_gap_fraction:g}")


def _gap_search(
    evidence: Evidence, treatment: Treatment, r_mm: float, fraction: float, progress: Progress | None
) -> tuple[int | None, tuple[GapStep, ...], float]:
    """Smallest number of passes (up to ``treatment.passes``) whose gap fraction at ``r_mm`` is at most ``fraction``."""
    import numpy as np  # noqa: PLC0415 - numpy only when a simulation runs

    from pinpoint.core.coverage._spatial import cKDTree  # noqa: PLC0415
    from pinpoint.core.coverage.field import lay_punctures  # noqa: PLC0415
    from pinpoint.core.coverage.metrics import probe_grid  # noqa: PLC0415

    window = min(treatment.area_cm2, GAP_WINDOW_CM2)
    small = treatment.model_copy(update={"area_cm2": window, "zone": None})
    params = coverage_params(evidence)
    geometry = geometry_of(needling_device(evidence, treatment.device))
    rng = np.random.default_rng(treatment.seed)
    field = lay_punctures(small, geometry, circle_radius_mm=params.pen_circle_radius_mm.value, rng=rng)
    probes, _ = probe_grid(small.side_mm, _SEARCH_PROBES, rng)
    nearest = np.full(len(probes), np.inf)
    steps = []
    for n in range(1, treatment.passes + 1):
        pts = field.xy[field.pass_index == n - 1]
        if len(pts):
            d, _ = cKDTree(pts).query(probes, workers=-1)
            np.minimum(nearest, d, out=nearest)
        gap = float((nearest > r_mm).mean())
        steps.append(GapStep(passes=n, gap_fraction=gap))
        if progress is not None:
            progress("searching passes", n, treatment.passes)
        if gap <= fraction:
            return n, tuple(steps), window
    return None, tuple(steps), window


def recommend_passes(  # noqa: PLR0913 - the recommendation's inputs are the CLI contract
    evidence: Evidence,
    device: str,
    *,
    target_density_per_cm2: float | None = None,
    max_gap_mm: float | None = None,
    max_gap_fraction: float | None = None,
    zone: str | None = None,
    area_cm2: float | None = None,
    speed_cm_s: float | None = None,
    directions: str | tuple[str, ...] | None = None,
    pattern: str | None = None,
    max_passes: int | None = None,
    seed: int = 0,
    verify: bool = True,
    progress: Progress | None = None,
) -> Recommendation:
    """Fewest passes of ``device`` that reach a target density and/or a gap criterion on a zone.

    Parameters
    ----------
    target_density_per_cm2
        Punctures per cm2 to reach; passes by closed form (density of a pass times passes).
    max_gap_mm, max_gap_fraction
        At most ``max_gap_fraction`` of the skin may lie farther than ``max_gap_mm`` (mm) from a
        puncture; passes by simulating up to the cap in a window of at most :data:`GAP_WINDOW_CM2`.
    zone, area_cm2
        The zone (its area from the evidence base) or an area in cm2; the full face by default.
    max_passes
        Cap on passes; by default the most the published technique uses for the device's kind
        (rollers 15-20 strokes, pens 4-10 passes). A target beyond it is refused.
    verify
        Simulate the whole zone at the recommended passes (seeded with ``seed``) and report what
        it achieves; for a gap criterion, add passes while the whole zone misses it.

    Raises :class:`InputError` on bad input, :class:`RefusedError` when the cap cannot reach the target.
    """
    _check_criteria(target_density_per_cm2, max_gap_mm, max_gap_fraction)
    dev = needling_device(evidence, device)
    published = published_passes(evidence, dev.kind)
    cap = int(published.max) if max_passes is None else max_passes
    if isinstance(cap, bool) or not isinstance(cap, int) or not 1 <= cap <= MAX_PASSES:
        raise InputError("max_passes", f"the pass cap must be a whole number from 1 to {MAX_PASSES}, got {cap!r}")
    source_of_cap = f"technique passes_{dev.kind} max" if max_passes is None else "the pass cap given"
    base = make_treatment(
        evidence, device, cap, directions=directions, pattern=pattern, zone=zone, area_cm2=area_cm2,
        speed_cm_s=speed_cm_s, seed=seed,
    )
    params = coverage_params(evidence)
    motion = motion_of(geometry_of(dev), base.pattern, base.speed_cm_s, params.pen_circle_radius_mm.value)
    per_pass = motion.density_per_pass_per_cm2
    n_density = None
    if target_density_per_cm2 is not None:
        n_density = passes_for_density(target_density_per_cm2, per_pass)
        if n_density > cap:
            raise RefusedError(
                "target_density",
                f"{target_density_per_cm2:g} punctures/cm2 with {device} ({per_pass:.1f}/cm2 a pass) takes "
                f"{n_density} passes, more than {cap} ({source_of_cap})",
            )
    n_gap: int | None = None
    steps: tuple[GapStep, ...] = ()
    window: float | None = None
    if max_gap_mm is not None and max_gap_fraction is not None:
        n_gap, steps, window = _gap_search(evidence, base, max_gap_mm, max_gap_fraction, progress)
        if n_gap is None:
            last = steps[-1].gap_fraction
            raise RefusedError(
                "max_gap",
                f"after {cap} passes ({source_of_cap}) {100 * last:.1f}% of the skin is still farther than "
                f"{max_gap_mm:g} mm from a puncture with {device}, above the {100 * max_gap_fraction:g}% asked",
            )
    n = max(n_density or 1, n_gap or 1)
    achieved = None
    if verify:
        n, achieved = _verify(evidence, base, n, cap, max_gap_mm, max_gap_fraction, progress)
    sources = (
        *params.target_density_per_cm2.sources,
        *(evidence.technique.passes_roller if dev.kind == "roller" else evidence.technique.passes_pen).sources,
        *(achieved.sources if achieved else ()),
        "pinpoint-roller-density",
        "pinpoint-coverage-model",
    )
    return Recommendation(
        inputs=base.model_copy(update={"passes": n}),
        target_density_per_cm2=target_density_per_cm2,
        max_gap_mm=max_gap_mm,
        max_gap_fraction=max_gap_fraction,
        max_passes=cap,
        passes=n,
        passes_per_direction=split_passes(n, base.directions),
        seconds=motion.seconds(base.area_cm2, n),
        density_per_pass_per_cm2=per_pass,
        density_per_cm2_expected=n * per_pass,
        passes_for_density=n_density,
        passes_for_gap=n_gap,
        gap_search_window_cm2=window,
        gap_search=steps,
        published_passes=published,
        within_published_passes=published.min <= n <= published.max,
        achieved=achieved,
        density_per_cm2=achieved.density_per_cm2 if achieved else None,
        gap_fraction=achieved.gap_fraction if achieved else None,
        largest_gap_mm=achieved.largest_gap_mm if achieved else None,
        rehit_fraction=achieved.rehit_fraction if achieved else None,
        units=UNITS,
        sources=tuple(dict.fromkeys(sources)),
    )


def _verify(
    evidence: Evidence,
    base: Treatment,
    n: int,
    cap: int,
    max_gap_mm: float | None,
    max_gap_fraction: float | None,
    progress: Progress | None,
) -> tuple[int, CoverageResult]:
    from pinpoint.core.coverage.engine import simulate  # noqa: PLC0415 - numpy only when a simulation runs

    while True:
        treatment = base.model_copy(update={"passes": n})
        result = simulate(evidence, treatment, gap_r_mm=max_gap_mm, progress=progress).result
        missed = max_gap_fraction is not None and result.gap_fraction.value > max_gap_fraction
        if not missed:
            return n, result
        if n >= cap:
            raise RefusedError(
                "max_gap",
                f"after {cap} passes {100 * result.gap_fraction.value:.1f}% of the whole zone is still farther "
                f"than {max_gap_mm:g} mm from a puncture with {base.device}, above the "
                f"{100 * (max_gap_fraction or 0):g}% asked",
            )
        n += 1
