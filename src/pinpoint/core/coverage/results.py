"""Typed results of the coverage engine (pydantic, JSON-ready; no numpy here)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from pinpoint.core.coverage.passes import Span
from pinpoint.core.coverage.treatment import Treatment

__all__ = [
    "UNITS",
    "CoverageResult",
    "DeviceSummary",
    "GapFraction",
    "Reference",
    "Span",
]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class DeviceSummary(_Frozen):
    """The device's geometry and what follows from it by closed form.

    Roller: pitches (mm), entry tilt (degrees) and surface slot (mm, an upper bound) at the nominal
    needle length and over the effective depth ``penetration_fraction x length``. Pen: channels per
    second, stamp spacing along a track (mm) and track pitch across it (mm).
    """

    id: str
    name: str
    kind: str
    needles: int
    needle_diameter_mm: float
    density_per_pass_per_cm2: float
    lane_mm: float
    punctures_per_s: float
    axial_pitch_mm: float | None = None
    circumferential_pitch_mm: float | None = None
    lattice_half_diagonal_mm: float | None = None
    needle_length_mm: float | None = None
    effective_depth_mm: Span | None = None
    entry_tilt_deg: float | None = None
    slot_mm: Span | None = None
    frequency_hz: float | None = None
    channels_per_s: float | None = None
    stamp_spacing_mm: float | None = None
    track_pitch_mm: float | None = None
    sources: tuple[str, ...]


class GapFraction(_Frozen):
    """Fraction of the zone farther than ``r_mm`` from every hole, with its sampling error and references.

    ``poisson``: a random (Poisson) field of the same hole density, exp(-lambda pi r^2);
    ``square_lattice``: a regular square lattice of that density (zero beyond its half-diagonal).
    """

    value: float
    r_mm: float
    se: float
    poisson: float
    square_lattice: float


class Reference(_Frozen):
    """Closed-form references for the measured field (same hole density)."""

    square_lattice_largest_gap_mm: float
    boolean_injured_fraction: float
    superposed_lattice_gap_fraction: float | None = None


class CoverageResult(_Frozen):
    """A simulated treatment: inputs echoed, device, metrics with units (see :data:`UNITS`), sources."""

    inputs: Treatment
    device: DeviceSummary
    passes: int
    passes_per_direction: dict[str, int]
    seconds: float
    punctures: int
    density_per_cm2: float
    density_per_cm2_expected: float
    holes_per_cm2: float
    density_cv: float
    cell_mm: float
    density_min_cell_per_cm2: float
    target_density_per_cm2: Span
    cells_below_target_fraction: float
    gap_fraction: GapFraction
    largest_gap_mm: float
    largest_gap_centre_mm: tuple[float, float]
    rehit_fraction: float
    rehit_distance_mm: float
    injured_fraction: float
    channel_radius_mm: float
    reference: Reference
    probes: int
    estimate: bool
    units: dict[str, str]
    sources: tuple[str, ...]


UNITS: dict[str, str] = {
    "area_cm2": "cm2",
    "speed_cm_s": "cm/s",
    "seconds": "s",
    "punctures": "count of punctures inside the zone",
    "density_per_cm2": "punctures per cm2 (mean over the zone)",
    "density_per_cm2_expected": "punctures per cm2: passes x density of one pass (closed form)",
    "holes_per_cm2": "distinct holes per cm2 (punctures not captured by an earlier hole)",
    "density_cv": "coefficient of variation of the density over cells of cell_mm (fraction)",
    "cell_mm": "mm",
    "density_min_cell_per_cm2": "punctures per cm2 in the sparsest cell",
    "cells_below_target_fraction": "fraction of cells below the lower target density",
    "gap_fraction": "fraction of the zone's area farther than r_mm from every hole",
    "largest_gap_mm": "mm: radius of the largest circle centred in the zone that holds no hole",
    "rehit_fraction": "fraction of punctures within rehit_distance_mm of an earlier puncture",
    "rehit_distance_mm": "mm (the needle diameter: channels touch or overlap)",
    "injured_fraction": "fraction of the zone's area within channel_radius_mm of a hole",
    "channel_radius_mm": "mm: needle radius plus the injury margin",
    "lateral_jitter_mm": "mm (standard deviation of the spacing error between lanes)",
    "angle_jitter_deg": "degrees (standard deviation of a pass's direction)",
    "capture_radius_mm": "mm",
}
