"""Metrics of a puncture field: density and its uniformity, gaps, the largest gap, re-hits, injured area.

Distances use a k-d tree (``scipy.spatial.cKDTree``) over every puncture, including the band laid
around the zone, so points near the zone's edge are measured against the skin around them.

* Density: punctures inside the zone over its area; uniformity: coefficient of variation of the
  counts in square cells of about ``cell_mm`` (the cells tile the zone exactly).
* Gap fraction at r: the fraction of *probe* points farther than r from every puncture. Probes
  form a jittered grid (one uniform point per grid cell) over the zone, so the estimate is unbiased
  and its sampling error at most ``sqrt(p (1 - p) / probes)``.
* Largest gap: radius of the largest circle centred in the zone that holds no puncture. The best
  probes give a lower bound within ``h sqrt(2)`` (h the probe spacing); the Voronoi vertices
  (circumcentres of the local Delaunay triangles) around the best probes make it exact.
* Re-hits: punctures whose centre lies within ``rehit_distance_mm`` of an *earlier* puncture
  (channels that touch or overlap an existing one when that distance is the needle diameter).
  When few pairs are that close (a sparse field) every close pair is listed at once
  (``query_pairs``); otherwise the same needle's previous puncture settles most points and the
  rest are checked against their nearest neighbours (:func:`earlier_within`).
* Injured fraction: fraction of probes within ``channel_radius_mm`` of a hole.
* Capture: with ``capture_radius_mm > 0`` a puncture within that distance of an earlier one opens
  no new hole (Fernandes' "slides into the adjacent hole"); holes are the punctures not captured.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from pinpoint.core.coverage._spatial import Delaunay, QhullError, cKDTree
from pinpoint.core.coverage.field import Progress, PunctureField

__all__ = ["FieldMetrics", "density_grid", "earlier_within", "measure", "nearest_distances", "probe_grid"]

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

_REFINE_CANDIDATES = 100
_REFINE_TOLERANCE_MM = 0.002
_BLOCK_POINTS = 200_000
"""Points per k-d tree query of the re-hit search (bounds its memory)."""
_SPARSE_PAIRS_PER_POINT = 1.0
"""Expected neighbours per point within the distance below which all close pairs are listed at once."""
_CHUNK = 1 << 16
"""Points per step of the element-wise passes over every puncture (their temporaries stay in cache)."""
_NEIGHBOURS_FIRST = 8
"""Fewest neighbours the re-hit search asks for at first (more for denser fields)."""
_PROBE_BOUND_FACTOR = 2.0
"""The probe query searches up to this multiple of the larger of r and the channel radius first."""


@dataclass(frozen=True)
class FieldMetrics:
    """What :func:`measure` finds; lengths in mm, densities per cm2, fractions of the zone's area."""

    punctures: int
    holes: int
    area_cm2: float
    density_per_cm2: float
    holes_per_cm2: float
    density_grid_per_cm2: FloatArray
    cell_mm: float
    density_cv: float
    density_min_cell_per_cm2: float
    cells_below_target_fraction: float | None
    gap_r_mm: float
    gap_fraction: float
    gap_fraction_se: float
    largest_gap_mm: float
    largest_gap_centre_mm: tuple[float, float]
    rehit_distance_mm: float
    rehit_fraction: float
    channel_radius_mm: float
    injured_fraction: float
    probes: int


def density_grid(
    xy: FloatArray, side_mm: float, cell_mm: float, *, where: BoolArray | None = None
) -> tuple[FloatArray, float]:
    """Punctures per cm2 in square cells tiling ``[0, side_mm]^2``; returns the grid and the cell side (mm).

    The cell side is ``cell_mm`` adjusted so a whole number of cells fits the zone. Only the points
    where ``where`` is true are counted (all when it is not given); they must lie inside.
    """
    n = max(1, round(side_mm / cell_mm))
    cell = side_mm / n
    counts = np.zeros(n * n, dtype=np.intp)
    for s in range(0, len(xy), _CHUNK):
        part = xy[s : s + _CHUNK] if where is None else xy[s : s + _CHUNK].compress(where[s : s + _CHUNK], axis=0)
        q = part / cell
        np.minimum(q, n - 1, out=q)  # a point on the far edge goes to the last cell
        cells = q.astype(np.intp)
        counts += np.bincount(cells[:, 0] * n + cells[:, 1], minlength=n * n)
    return counts.reshape(n, n).astype(np.float64) * (100.0 / (cell * cell)), cell


def probe_grid(side_mm: float, probes: int, rng: np.random.Generator) -> tuple[FloatArray, float]:
    """About ``probes`` points, one uniform in each cell of a square grid over the zone, and the grid spacing (mm)."""
    g = max(1, math.ceil(math.sqrt(probes)))
    h = side_mm / g
    i, j = np.meshgrid(np.arange(g), np.arange(g), indexing="ij")
    base = np.column_stack((i.ravel(), j.ravel())).astype(np.float64)
    return (base + rng.random(base.shape)) * h, h


def earlier_within(
    xy: FloatArray,
    radius_mm: float,
    *,
    tree: cKDTree | None = None,
    stamp: int = 0,
    workers: int | None = None,
) -> BoolArray:
    """Mask of the points that have an earlier point (lower index) within ``radius_mm``.

    In a sparse field (about one neighbour per point or fewer within ``radius_mm``) every close
    pair is listed at once by the k-d tree ``tree`` of all of ``xy`` (built when not given,
    ``query_pairs``). In a dense one, with ``stamp > 0`` (points laid stamp by stamp), each
    point is first compared with the point ``stamp`` places earlier (the same needle's previous
    puncture) and those left with the rest of that previous stamp (the same needle when the
    zone's edge clipped some of a stamp): that settles nearly every re-hit of a slow pen with a
    few passes over the arrays. The points left are checked exactly against ``tree``: their
    nearest neighbours within ``radius_mm`` (more of them for the few points whose every listed
    neighbour is that close), in blocks, on ``workers`` threads (all cores by default). A
    distance of exactly ``radius_mm`` counts; the result does not depend on ``stamp`` or the
    number of workers.
    """
    n = len(xy)
    out = np.zeros(n, dtype=bool)
    if n < 2 or radius_mm <= 0:
        return out
    whole = cKDTree(xy, balanced_tree=False, compact_nodes=False) if tree is None else tree
    expected = _expected_neighbours(n, whole.maxes - whole.mins, radius_mm)
    if expected <= _SPARSE_PAIRS_PER_POINT:
        pairs = whole.query_pairs(radius_mm, output_type="ndarray")  # each pair (i, j) has i < j
        out[pairs[:, 1]] = True
        return out
    x, y = xy[:, 0], xy[:, 1]
    r2 = radius_mm * radius_mm
    todo = np.arange(n)
    if 0 < stamp < n:
        for s in range(stamp, n, _CHUNK):
            e = min(n, s + _CHUNK)
            dx, dy = x[s:e] - x[s - stamp : e - stamp], y[s:e] - y[s - stamp : e - stamp]
            dx *= dx
            dy *= dy
            dx += dy
            np.less_equal(dx, r2, out=out[s:e])
        todo = np.flatnonzero(~out)
        for lag in range(1, stamp):
            later = todo[todo >= lag]
            dx, dy = x[later] - x[later - lag], y[later] - y[later - lag]
            out[later[dx * dx + dy * dy <= r2]] = True
            todo = todo[~out[todo]]
    k = min(n, max(_NEIGHBOURS_FIRST, math.ceil(2 * expected) + 2))
    bound = radius_mm * (1 + 1e-9)  # a little beyond the radius: the exact test below decides
    while len(todo):
        more = []
        for s in range(0, len(todo), _BLOCK_POINTS):
            idx = todo[s : s + _BLOCK_POINTS]
            dist, near = whole.query(xy[idx], k=k, distance_upper_bound=bound, workers=workers or -1)
            rows, cols = np.nonzero(near < idx[:, None])  # earlier neighbours (absent ones are n)
            later, before = idx[rows], near[rows, cols]
            dx, dy = x[later] - x[before], y[later] - y[before]
            out[later[dx * dx + dy * dy <= r2]] = True
            more.append(idx[np.isfinite(dist[:, -1])])  # all k within reach: there may be more
        if k == n:
            break
        todo = np.concatenate(more)
        todo = todo[~out[todo]]
        k = min(n, 4 * k)
    return out


def _expected_neighbours(n: int, extent: FloatArray, radius_mm: float) -> float:
    """Mean number of other points within ``radius_mm`` of a point, ``n`` points spread evenly over a box ``extent``."""
    area = float(max(extent[0], radius_mm) * max(extent[1], radius_mm))
    return (n - 1) * math.pi * radius_mm * radius_mm / area


def nearest_distances(tree: cKDTree, pts: FloatArray, bound_mm: float) -> FloatArray:
    """Distance (mm) from each of ``pts`` to the nearest point of ``tree``, exactly.

    The search first looks no farther than ``bound_mm`` (which prunes most of the tree); the few
    points with nothing that near are then searched without a bound.
    """
    dist, _ = tree.query(pts, distance_upper_bound=bound_mm, workers=-1)
    far = np.flatnonzero(np.isinf(dist))
    if len(far):
        dist[far] = tree.query(pts[far], workers=-1)[0]
    out: FloatArray = dist
    return out


def _max3(grid: FloatArray) -> FloatArray:
    """Each cell's maximum over its 3 x 3 neighbourhood, the edge repeated outward (as
    ``scipy.ndimage.maximum_filter(size=3, mode="nearest")``, without importing ``scipy.ndimage``)."""
    padded = np.pad(grid, 1, mode="edge")
    rows, cols = grid.shape
    out = grid.copy()
    for di in range(3):
        for dj in range(3):
            np.maximum(out, padded[di : di + rows, dj : dj + cols], out=out)
    return out


def _largest_gap(
    tree: cKDTree, probes: FloatArray, dist: FloatArray, h: float, side_mm: float
) -> tuple[float, tuple[float, float]]:
    """Largest empty circle centred in the zone: refine the biggest holes the probes found.

    Candidates are the probes that are local maxima of the probe grid's distance map (one per hole),
    the largest :data:`_REFINE_CANDIDATES` of them. Around each, a 7 x 7 grid over the probe cell
    finds a better centre; the grid shrinks threefold per round until its spacing is below
    :data:`_REFINE_TOLERANCE_MM`; finally the Voronoi vertices of the few punctures around the
    refined centres (circumcentres of their Delaunay triangles) snap each to its exact vertex.
    """
    g = round(math.sqrt(len(dist)))
    dmap = dist.reshape(g, g)
    peaks = np.flatnonzero((dmap == _max3(dmap)).ravel())
    cand = peaks[np.argsort(dist[peaks])[-_REFINE_CANDIDATES:]]
    centres, values = probes[cand], dist[cand]
    span = h
    ticks = np.linspace(-1.0, 1.0, 7)
    offsets = np.stack(np.meshgrid(ticks, ticks, indexing="ij"), axis=-1).reshape(-1, 2)
    while True:
        trial = np.clip(centres[:, None, :] + span * offsets[None, :, :], 0.0, side_mm)
        # a trial point lies within span * sqrt(2) of its centre, so its nearest puncture within
        # value + 2 span: the bound only prunes the search, the distances are the exact ones
        reach = float(values.max()) + 2 * span
        d, _ = tree.query(trial.reshape(-1, 2), distance_upper_bound=reach, workers=-1)
        d = d.reshape(len(centres), -1)
        best = np.argmax(d, axis=1)
        rows = np.arange(len(centres))
        centres, values = trial[rows, best], d[rows, best]
        span /= 3
        if span < _REFINE_TOLERANCE_MM:
            break
    values, centres = _snap_to_vertices(tree, centres, values, 2 * span, side_mm)
    k = int(np.argmax(values))
    return float(values[k]), (float(centres[k, 0]), float(centres[k, 1]))


def _snap_to_vertices(
    tree: cKDTree, centres: FloatArray, values: FloatArray, slack: float, side_mm: float
) -> tuple[FloatArray, FloatArray]:
    """Replace each centre by the best Voronoi vertex near it, when one is better."""
    near = tree.query_ball_point(centres, values + 2 * slack, return_sorted=False)
    idx = np.unique(np.concatenate([np.asarray(n, dtype=np.intp) for n in near]))
    if len(idx) < 3:
        return values, centres
    pts = tree.data[idx]
    try:
        tri = Delaunay(pts)
    except QhullError:  # all points on a line: no Voronoi vertex to add
        return values, centres
    a, b, c = (pts[tri.simplices[:, k]] for k in range(3))
    vertices = _circumcentres(a, b, c)
    ok = np.isfinite(vertices).all(axis=1)
    ok &= (vertices >= 0).all(axis=1) & (vertices <= side_mm).all(axis=1)
    if not ok.any():
        return values, centres
    vertices = vertices[ok]
    d, _ = tree.query(vertices)
    return np.concatenate((values, d)), np.concatenate((centres, vertices))


def _circumcentres(a: FloatArray, b: FloatArray, c: FloatArray) -> FloatArray:
    bx, by = b[:, 0] - a[:, 0], b[:, 1] - a[:, 1]
    cx, cy = c[:, 0] - a[:, 0], c[:, 1] - a[:, 1]
    d = 2 * (bx * cy - by * cx)
    with np.errstate(divide="ignore", invalid="ignore"):
        ux = (cy * (bx * bx + by * by) - by * (cx * cx + cy * cy)) / d
        uy = (bx * (cx * cx + cy * cy) - cx * (bx * bx + by * by)) / d
    return np.column_stack((a[:, 0] + ux, a[:, 1] + uy))


def measure(  # noqa: PLR0913 - each distance is a separate, named physical parameter
    field: PunctureField,
    *,
    gap_r_mm: float,
    cell_mm: float,
    rehit_distance_mm: float,
    channel_radius_mm: float,
    capture_radius_mm: float = 0.0,
    target_per_cm2: float | None = None,
    probes: int = 250_000,
    rng: np.random.Generator | int | None = 0,
    progress: Progress | None = None,
) -> FieldMetrics:
    """Measure ``field`` (see the module docstring for each metric).

    Parameters
    ----------
    gap_r_mm
        Distance r of the gap fraction, mm.
    cell_mm
        Side of the uniformity cells, mm (adjusted to tile the zone).
    rehit_distance_mm
        A puncture within this distance of an earlier one is a re-hit, mm.
    channel_radius_mm
        Radius of injured skin around a hole, mm.
    capture_radius_mm
        A puncture within this distance of an earlier one makes no new hole, mm (0: off).
    target_per_cm2
        When given, the fraction of cells below it is reported.
    probes
        Number of probe points for the gap and injured fractions.
    rng
        Seed or generator of the probe positions.
    """
    gen = np.random.default_rng(rng)
    stages = 4

    def step(done: int) -> None:
        if progress is not None:
            progress("measuring", done, stages)

    if len(field.xy) == 0:
        msg = "no puncture was laid"
        raise ValueError(msg)
    inside = field.inside()
    area_cm2 = field.side_mm**2 / 100.0
    n_in = int(np.count_nonzero(inside))
    whole = cKDTree(field.xy, balanced_tree=False, compact_nodes=False)
    captured = None
    if capture_radius_mm > 0:
        captured = earlier_within(field.xy, capture_radius_mm, tree=whole, stamp=field.stamp_size)
    holes_xy = field.xy if captured is None else field.xy[~captured]
    n_holes = n_in if captured is None else int((inside & ~captured).sum())
    grid, cell = density_grid(field.xy, field.side_mm, cell_mm, where=inside)
    mean = float(grid.mean())
    below = float((grid < target_per_cm2).mean()) if target_per_cm2 is not None else None
    step(1)
    tree = whole if captured is None else cKDTree(holes_xy, balanced_tree=False, compact_nodes=False)
    pts, h = probe_grid(field.side_mm, probes, gen)
    dist = nearest_distances(tree, pts, _PROBE_BOUND_FACTOR * max(gap_r_mm, channel_radius_mm))
    gap = float((dist > gap_r_mm).mean())
    step(2)
    largest, centre = _largest_gap(tree, pts, dist, h, field.side_mm)
    step(3)
    rehit = earlier_within(field.xy, rehit_distance_mm, tree=whole, stamp=field.stamp_size)
    step(4)
    return FieldMetrics(
        punctures=n_in,
        holes=n_holes,
        area_cm2=area_cm2,
        density_per_cm2=n_in / area_cm2,
        holes_per_cm2=n_holes / area_cm2,
        density_grid_per_cm2=grid,
        cell_mm=cell,
        density_cv=float(grid.std() / mean) if mean > 0 else math.inf,
        density_min_cell_per_cm2=float(grid.min()),
        cells_below_target_fraction=below,
        gap_r_mm=gap_r_mm,
        gap_fraction=gap,
        gap_fraction_se=math.sqrt(gap * (1 - gap) / len(pts)),
        largest_gap_mm=largest,
        largest_gap_centre_mm=centre,
        rehit_distance_mm=rehit_distance_mm,
        rehit_fraction=np.count_nonzero(rehit & inside) / n_in if n_in else 0.0,
        channel_radius_mm=channel_radius_mm,
        injured_fraction=float((dist <= channel_radius_mm).mean()),
        probes=len(pts),
    )
