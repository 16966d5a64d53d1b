"""A treatment to simulate: device, passes, directions, pattern, area, speed, operator jitter, seed."""

from __future__ import annotations

import math
from typing import cast

from pydantic import BaseModel, ConfigDict

from pinpoint.core.coverage.geometry import (
    Kind,
    Pattern,
    coverage_params,
    geometry_of,
    motion_of,
    needling_device,
    parse_directions,
)
from pinpoint.core.errors import InputError, UnknownIdError
from pinpoint.evidence.loader import Evidence

__all__ = [
    "MAX_CHANNEL_RADIUS_MM",
    "MAX_GAP_R_MM",
    "MAX_PASSES",
    "MAX_PUNCTURES",
    "MIN_AREA_CM2",
    "PAD_MM",
    "Treatment",
    "check_channel_radius",
    "check_gap_r",
    "expected_punctures",
    "make_treatment",
]

MAX_PASSES = 200
"""Guard of the simulator (not a clinical limit): more passes than this is an input error."""

MAX_PUNCTURES = 30_000_000
"""Guard of the simulator's memory: a treatment that would lay more punctures is refused."""

MAX_CHANNEL_RADIUS_MM = 2.0
"""Largest channel radius accepted (a needle of 4 mm would not be a microneedle)."""

MAX_GAP_R_MM = 5.0
"""Largest distance r of a gap fraction (beyond the band laid around the zone it would mislead)."""

MIN_AREA_CM2 = 1.0
"""Smallest area simulated: below it a single roller lattice cell would not fit."""

PAD_MM = 4.0
"""Punctures are also laid in a band this wide around the zone, so that distances measured
near the zone's edge see the neighbouring skin as it would be treated, not an empty border."""


class Treatment(BaseModel):
    """A validated treatment to simulate; echoed back in every result."""

    model_config = ConfigDict(frozen=True)

    device: str
    kind: Kind
    passes: int
    directions: tuple[str, ...]
    pattern: Pattern
    zone: str | None
    area_cm2: float
    speed_cm_s: float
    lateral_jitter_mm: float
    angle_jitter_deg: float
    capture_radius_mm: float
    seed: int

    @property
    def side_mm(self) -> float:
        """Side of the square of the zone's area, mm."""
        return math.sqrt(100.0 * self.area_cm2)

    def pass_directions(self) -> list[str]:
        """The direction of each pass, in order."""
        return [self.directions[i % len(self.directions)] for i in range(self.passes)]


def _expected(passes: int, density_per_pass_per_cm2: float, area_cm2: float) -> float:
    side = math.sqrt(100.0 * area_cm2) + 2 * PAD_MM
    return passes * density_per_pass_per_cm2 * side**2 / 100.0


def expected_punctures(evidence: Evidence, treatment: Treatment) -> float:
    """About how many punctures simulating ``treatment`` lays (zone and the band around it)."""
    geometry = geometry_of(needling_device(evidence, treatment.device))
    circle = coverage_params(evidence).pen_circle_radius_mm.value
    motion = motion_of(geometry, treatment.pattern, treatment.speed_cm_s, circle)
    return _expected(treatment.passes, motion.density_per_pass_per_cm2, treatment.area_cm2)


def _number(field: str, value: float, *, positive: bool = True, upper: float | None = None) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InputError(field, f"{field} must be a finite number, got {value!r}")
    if positive and value <= 0:
        raise InputError(field, f"{field} must be greater than 0, got {value:g}")
    if not positive and value < 0:
        raise InputError(field, f"{field} must not be negative, got {value:g}")
    if upper is not None and value > upper:
        raise InputError(field, f"{field} must be at most {upper:g}, got {value:g}")
    return float(value)


def _area(evidence: Evidence, zone: str | None, area_cm2: float | None) -> tuple[str | None, float]:
    if zone is not None and area_cm2 is not None:
        raise InputError("zone", "give a zone or an area in cm2, not both")
    if area_cm2 is not None:
        area = _number("area_cm2", area_cm2)
        if area < MIN_AREA_CM2:
            raise InputError("area_cm2", f"area_cm2 must be at least {MIN_AREA_CM2:g} cm2 to simulate, got {area:g}")
        return None, area
    zone = zone or "full_face"
    if zone not in evidence.zones:
        raise UnknownIdError("zone", "zone", zone, evidence.zones)
    return zone, evidence.zones[zone].area_cm2.value


def _pattern_and_directions(
    kind: Kind, pattern: str | None, directions: str | tuple[str, ...] | None, evidence: Evidence
) -> tuple[Pattern, tuple[str, ...]]:
    chosen = "lines" if pattern is None else pattern
    if chosen not in ("lines", "cross-hatch", "circles"):
        raise UnknownIdError("pattern", "pattern", chosen, ["lines", "cross-hatch", "circles"])
    pat = cast(Pattern, chosen)
    if kind == "roller" and pat != "lines":
        raise InputError("pattern", f"pattern '{pat}' is for pens; a roller is rolled in straight strokes")
    if pat == "cross-hatch":
        if directions is not None:
            raise InputError("directions", "the cross-hatch pattern sets the directions (h,v); give one or the other")
        return pat, ("h", "v")
    if directions is not None:
        return pat, parse_directions(directions)
    if kind == "roller":
        return pat, parse_directions(evidence.technique.directions)
    return pat, ("h",) if pat == "circles" else ("h", "v")


def make_treatment(  # noqa: PLR0913 - the treatment's inputs are the CLI contract
    evidence: Evidence,
    device: str,
    passes: int,
    *,
    directions: str | tuple[str, ...] | None = None,
    pattern: str | None = None,
    zone: str | None = None,
    area_cm2: float | None = None,
    speed_cm_s: float | None = None,
    lateral_jitter_mm: float | None = None,
    angle_jitter_deg: float | None = None,
    capture_radius_mm: float | None = None,
    seed: int = 0,
) -> Treatment:
    """Check and complete the inputs of a coverage simulation.

    Unset values come from ``coverage.toml`` (speeds in cm/s, jitter in mm and degrees, capture
    radius in mm) and from the technique (roller directions); the zone defaults to the full face,
    whose area (cm2) comes from ``zones.toml``. Raises :class:`InputError` or :class:`UnknownIdError`.
    """
    dev = needling_device(evidence, device)
    params = coverage_params(evidence)
    kind: Kind = dev.kind
    if isinstance(passes, bool) or not isinstance(passes, int) or passes < 1:
        raise InputError("passes", f"passes must be a whole number of at least 1, got {passes!r}")
    if passes > MAX_PASSES:
        raise InputError("passes", f"passes must be at most {MAX_PASSES}, got {passes}")
    zone_id, area = _area(evidence, zone, area_cm2)
    pat, dirs = _pattern_and_directions(kind, pattern, directions, evidence)
    default_speed = params.roller_speed_cm_s if kind == "roller" else params.pen_speed_cm_s
    speed = _number("speed_cm_s", default_speed.value if speed_cm_s is None else speed_cm_s, upper=100.0)
    geometry = geometry_of(dev)
    motion = motion_of(geometry, pat, speed, params.pen_circle_radius_mm.value)
    jitter = _number(
        "lateral_jitter_mm",
        params.lateral_jitter_mm.value if lateral_jitter_mm is None else lateral_jitter_mm,
        positive=False,
        upper=motion.lane_mm / 4,
    )
    angle = _number(
        "angle_jitter_deg",
        params.angle_jitter_deg.value if angle_jitter_deg is None else angle_jitter_deg,
        positive=False,
        upper=45.0,
    )
    capture = _number(
        "capture_radius_mm",
        params.capture_radius_mm.value if capture_radius_mm is None else capture_radius_mm,
        positive=False,
        upper=2.0,
    )
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise InputError("seed", f"seed must be a whole number of at least 0, got {seed!r}")
    expected = _expected(passes, motion.density_per_pass_per_cm2, area)
    if expected > MAX_PUNCTURES:
        raise InputError(
            "passes",
            f"this treatment would lay about {expected:,.0f} punctures; the simulator takes at most "
            f"{MAX_PUNCTURES:,}: use fewer passes, a smaller area or a faster speed",
        )
    return Treatment(
        device=device,
        kind=kind,
        passes=passes,
        directions=dirs,
        pattern=pat,
        zone=zone_id,
        area_cm2=area,
        speed_cm_s=speed,
        lateral_jitter_mm=jitter,
        angle_jitter_deg=angle,
        capture_radius_mm=capture,
        seed=seed,
    )


def check_gap_r(r_mm: float | None) -> float | None:
    """``r_mm`` if it is a usable gap distance (mm), else :class:`InputError`."""
    if r_mm is not None:
        _number("gap_r_mm", r_mm, upper=MAX_GAP_R_MM)
    return r_mm


def check_channel_radius(r_mm: float | None) -> float | None:
    """``r_mm`` if it is a usable channel radius (mm), else :class:`InputError`."""
    if r_mm is not None:
        _number("channel_radius_mm", r_mm, upper=MAX_CHANNEL_RADIUS_MM)
    return r_mm
