"""Lay the punctures of a treatment: passes of parallel lanes over a square of the zone's area.

Coordinates are in mm; the zone is the square ``[0, side]^2`` and punctures are also laid in a
band of :data:`PAD_MM` around it. Punctures are kept in the order they are made (pass by pass,
lane by lane, stamp by stamp), which is what re-hits are measured against.

Randomness (only through ``rng``): per pass, the direction's jitter (normal, ``angle_jitter_deg``)
and the lateral offset of the first lane (uniform over a lane); per lane, the phase along the lane
(uniform over one stamp spacing, i.e. where the drum or the pen starts) and the error of its spacing
to the previous lane (normal, ``lateral_jitter_mm``, clipped to a quarter lane).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from pinpoint.core.coverage.geometry import DIRECTIONS, Geometry, PenGeometry, RollerGeometry, motion_of
from pinpoint.core.coverage.treatment import PAD_MM, Treatment

__all__ = ["Progress", "PunctureField", "lattice_field", "lay_punctures"]

Progress = Callable[[str, int, int], None]
"""Progress callback: ``(stage, done, total)``."""

FloatArray = NDArray[np.float64]

_CHUNK = 1 << 16


@dataclass(frozen=True)
class PunctureField:
    """Punctures in the order they were made.

    ``xy`` has shape ``(n, 2)`` in mm; ``pass_index`` shape ``(n,)``. The zone is
    ``[0, side_mm]^2``; punctures up to ``pad_mm`` outside it are kept for distance measurements.
    Punctures are laid ``stamp_size`` at a time, so the puncture ``stamp_size`` places earlier is
    usually the same needle's previous one.
    """

    xy: FloatArray
    pass_index: NDArray[np.int32]
    side_mm: float
    pad_mm: float
    stamp_size: int = 0  # punctures per stamp (0: not laid stamp by stamp)

    def inside(self) -> NDArray[np.bool_]:
        """Mask of the punctures inside the zone."""
        out = np.empty(len(self.xy), dtype=bool)
        for s in range(0, len(self.xy), _CHUNK):  # in steps: the temporaries stay in cache
            x, y, part = self.xy[s : s + _CHUNK, 0], self.xy[s : s + _CHUNK, 1], out[s : s + _CHUNK]
            np.greater_equal(x, 0, out=part)
            part &= x < self.side_mm
            part &= y >= 0
            part &= y < self.side_mm
        return out


@dataclass(frozen=True)
class _Stamp:
    """Needle offsets of one stamp in lane coordinates (``across`` from the lane's edge, ``along``)."""

    across: FloatArray
    along: FloatArray
    step_mm: float  # spacing of successive stamps along the lane
    circle_mm: float = 0.0  # loop radius of the small-circles pattern (0: straight)
    loop_step_rad: float = 0.0  # loop angle turned between stamps


def _stamp(geometry: Geometry, treatment: Treatment, circle_radius_mm: float) -> _Stamp:
    if isinstance(geometry, RollerGeometry):
        pitch = geometry.axial_pitch_mm
        across = (np.arange(geometry.rings, dtype=np.float64) + 0.5) * pitch
        return _Stamp(across=across, along=np.zeros(geometry.rings), step_mm=geometry.circumferential_pitch_mm)
    pen: PenGeometry = geometry
    pitch = pen.field_width_mm / pen.layout_cols
    rows, cols = np.divmod(np.arange(pen.needles), pen.layout_cols)
    across = ((cols + (rows + 0.5) / pen.layout_rows) * pitch).astype(np.float64)
    along = (rows * pitch).astype(np.float64)
    tip_mm_s = 10.0 * treatment.speed_cm_s
    if treatment.pattern != "circles":
        return _Stamp(across=across, along=along, step_mm=tip_mm_s / pen.frequency_hz)
    motion = motion_of(pen, "circles", treatment.speed_cm_s, circle_radius_mm)
    omega = 2 * math.pi * motion.forward_mm_s / circle_radius_mm  # one radius of advance per turn
    return _Stamp(
        across=across + circle_radius_mm,
        along=along,
        step_mm=motion.forward_mm_s / pen.frequency_hz,
        circle_mm=circle_radius_mm,
        loop_step_rad=omega / pen.frequency_hz,
    )


def _band_extent(corners: FloatArray, w0: float, w1: float) -> tuple[float, float] | None:
    """Extent along ``u`` of the convex polygon ``corners`` (columns u, w) within ``w0 <= w <= w1``."""
    us = [float(u) for u, w in corners if w0 <= w <= w1]
    n = len(corners)
    for i in range(n):
        (ua, wa), (ub, wb) = corners[i], corners[(i + 1) % n]
        for level in (w0, w1):
            if (wa - level) * (wb - level) < 0:
                us.append(float(ua + (ub - ua) * (level - wa) / (wb - wa)))
    return (min(us), max(us)) if us else None


def _lane_points(stamp: _Stamp, edge: float, extent: tuple[float, float], rng: np.random.Generator) -> FloatArray:
    """Punctures of one lane in lane coordinates ``(u, w)``, in time order."""
    reach = float(stamp.along.max()) + 2 * stamp.circle_mm
    start = extent[0] - reach - stamp.step_mm * rng.random()
    count = math.ceil((extent[1] - start + reach) / stamp.step_mm) + 1
    k = np.arange(count, dtype=np.float64)
    u_stamp = start + k * stamp.step_mm
    w_stamp = np.full(count, edge)
    if stamp.circle_mm:
        phase = k * stamp.loop_step_rad + 2 * math.pi * rng.random()
        u_stamp = u_stamp + stamp.circle_mm * np.cos(phase)
        w_stamp = w_stamp + stamp.circle_mm * np.sin(phase)
    u = (u_stamp[:, None] + stamp.along[None, :]).ravel()
    w = (w_stamp[:, None] + stamp.across[None, :]).ravel()
    return np.column_stack((u, w))


def _one_pass(
    stamp: _Stamp,
    lane_mm: float,
    angle_deg: float,
    treatment: Treatment,
    lo: float,
    hi: float,
    rng: np.random.Generator,
) -> FloatArray:
    theta = math.radians(angle_deg + treatment.angle_jitter_deg * rng.standard_normal())
    cos_t, sin_t = math.cos(theta), math.sin(theta)
    square = np.array([[lo, lo], [hi, lo], [hi, hi], [lo, hi]])
    corners = np.column_stack((square @ [cos_t, sin_t], square @ [-sin_t, cos_t]))
    w_min, w_max = float(corners[:, 1].min()), float(corners[:, 1].max())
    edge = w_min - lane_mm * rng.random()
    lanes: list[FloatArray] = []
    while edge < w_max:
        extent = _band_extent(corners, edge, edge + lane_mm)
        if extent is not None:
            lanes.append(_lane_points(stamp, edge, extent, rng))
        jitter = treatment.lateral_jitter_mm * rng.standard_normal()
        edge += lane_mm + float(np.clip(jitter, -lane_mm / 4, lane_mm / 4))
    uw = np.concatenate(lanes) if lanes else np.empty((0, 2))
    xy = np.column_stack((uw[:, 0] * cos_t - uw[:, 1] * sin_t, uw[:, 0] * sin_t + uw[:, 1] * cos_t))
    keep = (xy[:, 0] >= lo) & (xy[:, 0] < hi) & (xy[:, 1] >= lo) & (xy[:, 1] < hi)
    return xy[keep]


def lay_punctures(
    treatment: Treatment,
    geometry: Geometry,
    *,
    circle_radius_mm: float,
    rng: np.random.Generator | int | None = None,
    progress: Progress | None = None,
) -> PunctureField:
    """Lay every puncture of ``treatment`` made with ``geometry``.

    Parameters
    ----------
    treatment
        Passes, directions, pattern, area (cm2), speed (cm/s) and operator jitter (mm, degrees).
    geometry
        The roller's drum or the pen's cartridge.
    circle_radius_mm
        Loop radius of the pen's small-circles pattern, mm.
    rng
        Seed or generator (``np.random.default_rng``); the treatment's seed when ``None``.
    progress
        Called with ``("laying punctures", pass done, passes)``.

    Returns
    -------
    PunctureField
        ``n`` punctures in mm, in the order made.
    """
    gen = np.random.default_rng(treatment.seed if rng is None else rng)
    motion = motion_of(geometry, treatment.pattern, treatment.speed_cm_s, circle_radius_mm)
    stamp = _stamp(geometry, treatment, circle_radius_mm)
    side = treatment.side_mm
    chunks: list[FloatArray] = []
    index: list[NDArray[np.int32]] = []
    for i, direction in enumerate(treatment.pass_directions()):
        pts = _one_pass(stamp, motion.lane_mm, DIRECTIONS[direction], treatment, -PAD_MM, side + PAD_MM, gen)
        chunks.append(pts)
        index.append(np.full(len(pts), i, dtype=np.int32))
        if progress is not None:
            progress("laying punctures", i + 1, treatment.passes)
    return PunctureField(
        xy=np.concatenate(chunks),
        pass_index=np.concatenate(index),
        side_mm=side,
        pad_mm=PAD_MM,
        stamp_size=len(stamp.across),
    )


def lattice_field(density_per_cm2: float, side_mm: float) -> PunctureField:
    """A square lattice of ``density_per_cm2`` over a zone of side ``side_mm`` (a reference field).

    Its largest empty circle has the radius of half the lattice diagonal, ``pitch / sqrt(2)``.
    """
    pitch = 10.0 / math.sqrt(density_per_cm2)
    ticks = np.arange(-PAD_MM + pitch / 2, side_mm + PAD_MM, pitch)
    gx, gy = np.meshgrid(ticks, ticks, indexing="ij")
    xy = np.column_stack((gx.ravel(), gy.ravel()))
    return PunctureField(xy=xy, pass_index=np.zeros(len(xy), dtype=np.int32), side_mm=side_mm, pad_mm=PAD_MM)
