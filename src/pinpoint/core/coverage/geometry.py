"""Devices, movement and closed forms of the coverage model (pure Python: no numpy, no models).

``pinpoint plan`` imports this module, so it stays light. Lengths are in mm, areas in cm2
unless the name says otherwise, densities in punctures per cm2, speeds in cm/s, time in s.

A treatment is ``passes`` passes over a square of the zone's area. A pass lays parallel *lanes*
side by side in one direction: a roller stroke is a lane as wide as the drum, a pen lane is as
wide as its needle field (plus the loop diameter for the small-circles pattern). Along a lane the
device repeats a *stamp*: one drum row of ``rings`` needles every circumferential pitch for a
roller, the whole cartridge every ``1/f`` seconds for a pen.
"""

from __future__ import annotations

import math
from typing import Any, Literal, NamedTuple

from pinpoint.core.errors import InputError, UnknownIdError
from pinpoint.evidence.loader import Evidence, EvidenceError
from pinpoint.evidence.schema import PenDevice, RollerDevice
from pinpoint.evidence.schema_coverage import Data as CoverageData

__all__ = [
    "DIRECTIONS",
    "Geometry",
    "Kind",
    "Motion",
    "Pattern",
    "PenGeometry",
    "RollerGeometry",
    "circle_forward_fraction",
    "coverage_params",
    "density_for_gap",
    "gap_fraction_se",
    "geometry_of",
    "motion_of",
    "needling_device",
    "parse_directions",
    "passes_for_density",
    "poisson_gap_fraction",
    "split_passes",
    "square_lattice_gap_fraction",
    "square_lattice_largest_gap_mm",
    "superposed_lattice_gap_fraction",
]

Kind = Literal["roller", "pen"]
Pattern = Literal["lines", "cross-hatch", "circles"]

DIRECTIONS: dict[str, float] = {"h": 0.0, "v": 90.0, "d1": 45.0, "d2": 135.0}
"""Pass directions: id -> angle of travel in degrees from the zone's x axis."""

_ALIASES = {"horizontal": "h", "vertical": "v", "diagonal-1": "d1", "diagonal-2": "d2"}

def coverage_params(evidence: Evidence) -> CoverageData:
    """The validated ``coverage.toml`` of ``evidence``."""
    data = evidence.extra.get("coverage")
    if not isinstance(data, CoverageData):
        msg = "coverage.toml is missing from the evidence base"
        raise EvidenceError(msg)
    return data


class RollerGeometry(NamedTuple):
    """A drum of ``rings`` x ``needles_per_ring`` needles (mm)."""

    needles: int
    rings: int
    needles_per_ring: int
    drum_diameter_mm: float
    drum_width_mm: float
    needle_length_mm: float
    needle_diameter_mm: float

    @property
    def axial_pitch_mm(self) -> float:
        """Spacing of the rings across the drum, mm."""
        return self.drum_width_mm / self.rings

    @property
    def circumferential_pitch_mm(self) -> float:
        """Spacing of the needles around a ring, mm (pi D / needles per ring)."""
        return math.pi * self.drum_diameter_mm / self.needles_per_ring

    @property
    def density_per_pass_per_cm2(self) -> float:
        """Punctures per cm2 laid by one pass: N / (pi D W)."""
        return 100.0 * self.needles / (math.pi * self.drum_diameter_mm * self.drum_width_mm)

    @property
    def lattice_half_diagonal_mm(self) -> float:
        """Largest gap of one pass (radius of the empty circle in a lattice cell), mm."""
        return 0.5 * math.hypot(self.axial_pitch_mm, self.circumferential_pitch_mm)

    def entry_tilt_deg(self, depth_mm: float) -> float:
        """Tilt from the vertical of a needle entering or leaving the skin at ``depth_mm`` of insertion."""
        r_drum = self.drum_diameter_mm / 2
        return math.degrees(math.acos(r_drum / (r_drum + depth_mm)))

    def slot_mm(self, depth_mm: float) -> float:
        """Upper bound of the surface slot a rolling needle opens at ``depth_mm`` of insertion, mm.

        The tip of a needle on a drum rolling without slip traces a prolate trochoid; the shank
        crosses the skin plane along ``2 (sqrt(r^2 - R^2) - R arccos(R / r))`` with ``r = R + depth``.
        """
        r_drum = self.drum_diameter_mm / 2
        r_tip = r_drum + depth_mm
        return 2 * (math.sqrt(r_tip**2 - r_drum**2) - r_drum * math.acos(r_drum / r_tip))


class PenGeometry(NamedTuple):
    """A cartridge of ``layout_rows`` x ``layout_cols`` needles stamping at ``frequency_hz``."""

    needles: int
    frequency_hz: float
    field_width_mm: float
    layout_rows: int
    layout_cols: int
    needle_diameter_mm: float

    @property
    def channels_per_s(self) -> float:
        """Punctures per second: needles x frequency."""
        return self.needles * self.frequency_hz

    @property
    def track_pitch_mm(self) -> float:
        """Lateral spacing of the needle tracks, mm: rows are staggered so each needle runs its own track."""
        return self.field_width_mm / self.needles

    def stamp_spacing_mm(self, speed_cm_s: float) -> float:
        """Distance between successive punctures of one needle along its track, mm (v / f)."""
        return 10.0 * speed_cm_s / self.frequency_hz

    def density_per_pass_per_cm2(self, speed_cm_s: float) -> float:
        """Punctures per cm2 of one straight pass at ``speed_cm_s``: N f / (v w)."""
        return self.channels_per_s / (speed_cm_s * self.field_width_mm / 10.0)


Geometry = RollerGeometry | PenGeometry


def needling_device(evidence: Evidence, device: str) -> Any:
    """The roller or pen with id ``device``; an unknown id or another kind of device is an error."""
    if device not in evidence.devices:
        raise UnknownIdError("device", "device", device, evidence.devices)
    dev = evidence.devices[device]
    if not isinstance(dev, RollerDevice | PenDevice):
        kinds = sorted(k for k, d in evidence.devices.items() if isinstance(d, RollerDevice | PenDevice))
        raise InputError(
            "device",
            f"device '{device}' is a {getattr(dev, 'kind', 'device')}: coverage needs a roller or a pen "
            f"({', '.join(kinds)})",
        )
    return dev


def geometry_of(device: RollerDevice | PenDevice) -> Geometry:
    """The geometry of a catalog roller or pen."""
    if isinstance(device, RollerDevice):
        return RollerGeometry(
            needles=int(device.needles.value),
            rings=int(device.rings.value),
            needles_per_ring=int(device.needles_per_ring.value),
            drum_diameter_mm=device.drum_diameter_mm.value,
            drum_width_mm=device.drum_width_mm.value,
            needle_length_mm=device.needle_length_mm.value,
            needle_diameter_mm=device.needle_diameter_mm.value,
        )
    return PenGeometry(
        needles=int(device.needles.value),
        frequency_hz=device.frequency_hz.value,
        field_width_mm=device.field_width_mm.value,
        layout_rows=int(device.layout_rows.value),
        layout_cols=int(device.layout_cols.value),
        needle_diameter_mm=device.needle_diameter_mm.value,
    )


class Motion(NamedTuple):
    """How a device covers skin: lanes of ``lane_mm`` travelled at ``forward_mm_s``.

    ``punctures_per_s`` over ``forward_mm_s x lane_mm`` of skin per second gives the density of a pass.
    """

    lane_mm: float
    forward_mm_s: float
    punctures_per_s: float

    @property
    def density_per_pass_per_cm2(self) -> float:
        """Punctures per cm2 of one pass."""
        return 100.0 * self.punctures_per_s / (self.forward_mm_s * self.lane_mm)

    def seconds(self, area_cm2: float, passes: int) -> float:
        """Time to give ``passes`` passes over ``area_cm2``: the lanes' total length over the forward speed."""
        return passes * (100.0 * area_cm2 / self.lane_mm) / self.forward_mm_s


def circle_forward_fraction() -> float:
    """Forward speed of the small-circles pattern as a fraction of the tip speed.

    The loops advance one radius per turn, so the tip speed is about ``u sqrt(1 + 4 pi^2)``.
    """
    return 1.0 / math.sqrt(1.0 + 4.0 * math.pi**2)


def motion_of(geometry: Geometry, pattern: Pattern, speed_cm_s: float, circle_radius_mm: float) -> Motion:
    """Lane width, forward speed and puncture rate of ``geometry`` moved at ``speed_cm_s`` in ``pattern``."""
    v = 10.0 * speed_cm_s
    if isinstance(geometry, RollerGeometry):
        per_s = geometry.needles * v / (math.pi * geometry.drum_diameter_mm)
        return Motion(lane_mm=geometry.drum_width_mm, forward_mm_s=v, punctures_per_s=per_s)
    if pattern == "circles":
        return Motion(
            lane_mm=geometry.field_width_mm + 2 * circle_radius_mm,
            forward_mm_s=v * circle_forward_fraction(),
            punctures_per_s=geometry.channels_per_s,
        )
    return Motion(lane_mm=geometry.field_width_mm, forward_mm_s=v, punctures_per_s=geometry.channels_per_s)


def parse_directions(text: str | tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """Direction ids from ``"h,v,d1,d2"`` (or the long names of the technique data)."""
    items = [p.strip().lower() for p in text.split(",")] if isinstance(text, str) else [p.lower() for p in text]
    out = []
    for item in items:
        key = _ALIASES.get(item, item)
        if key not in DIRECTIONS:
            raise UnknownIdError("directions", "direction", item, list(DIRECTIONS))
        out.append(key)
    if not out:
        raise InputError("directions", "name at least one direction (h, v, d1, d2)")
    return tuple(out)


def split_passes(passes: int, directions: tuple[str, ...]) -> dict[str, int]:
    """Passes per direction when ``passes`` passes cycle through ``directions`` in order."""
    out = dict.fromkeys(directions, 0)
    for i in range(passes):
        out[directions[i % len(directions)]] += 1
    return out


def poisson_gap_fraction(density_per_cm2: float, r_mm: float) -> float:
    """Fraction of skin farther than ``r_mm`` from every puncture of a Poisson field: exp(-lambda pi r^2)."""
    return math.exp(-density_per_cm2 / 100.0 * math.pi * r_mm**2)


def superposed_lattice_gap_fraction(passes: int, density_per_pass_per_cm2: float, r_mm: float) -> float:
    """Gap fraction of ``passes`` independent, uniformly shifted lattices: (1 - lambda_1 pi r^2)^passes.

    Exact while ``r_mm`` is at most half the smallest spacing of punctures within one pass (one
    pass then puts at most one puncture within ``r_mm`` of any point); tends to the Poisson law
    as passes grow with their total density fixed.
    """
    per_pass = density_per_pass_per_cm2 / 100.0 * math.pi * r_mm**2
    return max(0.0, 1.0 - per_pass) ** passes


def density_for_gap(r_mm: float, gap_fraction: float) -> float:
    """Poisson density (per cm2) that leaves ``gap_fraction`` of skin farther than ``r_mm``: -ln(p) / (pi r^2)."""
    return -math.log(gap_fraction) / (math.pi * r_mm**2) * 100.0


def passes_for_density(target_per_cm2: float, per_pass_per_cm2: float) -> int:
    """Fewest passes whose summed density reaches ``target_per_cm2`` (re-hits ignored, so a lower bound)."""
    return max(1, math.ceil(target_per_cm2 / per_pass_per_cm2 - 1e-9))


def _lens_area(t: float, r: float) -> float:
    if t >= 2 * r:
        return 0.0
    return 2 * r * r * math.acos(t / (2 * r)) - 0.5 * t * math.sqrt(4 * r * r - t * t)


def gap_fraction_se(density_per_cm2: float, r_mm: float, area_cm2: float, probes: int) -> float:
    """Standard error of a measured gap fraction of a Poisson field of ``density_per_cm2``.

    Two parts add: the probe sampling, at most ``sqrt(p (1 - p) / probes)``; and the variation of
    the field itself over a window of ``area_cm2``,
    ``Var = p^2 / |W| * 2 pi * integral_0^{2r} t (exp(lambda A(t)) - 1) dt`` with ``A(t)`` the
    overlap of two discs of radius r at distance t (edge effects neglected).
    """
    lam = density_per_cm2 / 100.0
    p = poisson_gap_fraction(density_per_cm2, r_mm)
    steps = 400
    h = 2 * r_mm / steps
    integral = 0.0
    for i in range(steps + 1):
        t = i * h
        weight = 1 if i in (0, steps) else (4 if i % 2 else 2)
        integral += weight * t * (math.exp(lam * _lens_area(t, r_mm)) - 1.0)
    integral *= h / 3
    var_field = p * p / (100.0 * area_cm2) * 2 * math.pi * integral
    var_probe = p * (1 - p) / probes
    return math.sqrt(var_field + var_probe)


def square_lattice_gap_fraction(density_per_cm2: float, r_mm: float) -> float:
    """Gap fraction of a square lattice of ``density_per_cm2``: cell area farther than ``r_mm`` from the lattice.

    Zero from the half-diagonal ``pitch / sqrt(2)`` on: a regular lattice has no larger gap.
    """
    a = 10.0 / math.sqrt(density_per_cm2)
    if r_mm >= a / math.sqrt(2):
        return 0.0
    covered = math.pi * r_mm**2
    if r_mm > a / 2:
        segment = r_mm**2 * math.acos(a / (2 * r_mm)) - (a / 2) * math.sqrt(r_mm**2 - a * a / 4)
        covered -= 4 * segment
    return 1.0 - covered / (a * a)


def square_lattice_largest_gap_mm(density_per_cm2: float) -> float:
    """Largest gap (empty-circle radius, mm) of a square lattice of ``density_per_cm2``: its half-diagonal."""
    return 10.0 / math.sqrt(density_per_cm2) / math.sqrt(2)
