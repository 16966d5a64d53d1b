"""The coverage simulator against geometry, the Poisson law and brute force.

Tolerances, and why:

* density of a roller pass: 2% (the issue's figure). A pass is a whole lattice clipped to the zone,
  so the count inside differs from N / (pi D W) x area only by the lattice cells cut by the edge.
* largest gap of a jitter-free pass: 0.005 mm. The search refines probe maxima on grids that
  shrink to 0.002 mm and then snaps to the exact Voronoi vertex.
* gap fraction vs the Poisson law: 3 standard errors, where the standard error adds the probe
  sampling (binomial bound) and the variation of a Poisson field over the zone's area
  (:func:`gap_fraction_se`). With 100 passes at r = 0.12 mm the field is a superposition of 100
  lattices; its exact law (1 - lambda_1 pi r^2)^100 differs from exp(-lambda pi r^2) by 0.0012,
  under one standard error (0.0016), so the Poisson law must hold within the tolerance.
* 16 passes at r = 0.5 mm follow the superposed-lattice law, not Poisson: whole lattices interfere
  (moire), so one field varies more than a Poisson field; the mean of six seeds is compared within
  4 sample standard errors.
"""

from __future__ import annotations

import math
import statistics
from typing import Any

import numpy as np
import pytest
from scipy.spatial import Delaunay, cKDTree

from pinpoint.core.coverage import (
    coverage_params,
    gap_fraction_se,
    geometry_of,
    make_treatment,
    needling_device,
    poisson_gap_fraction,
    square_lattice_gap_fraction,
    square_lattice_largest_gap_mm,
    superposed_lattice_gap_fraction,
)
from pinpoint.core.coverage.engine import simulate
from pinpoint.core.coverage.field import PunctureField, lattice_field, lay_punctures
from pinpoint.core.coverage.geometry import PenGeometry, RollerGeometry
from pinpoint.core.coverage.metrics import earlier_within, measure
from pinpoint.evidence import Evidence

STILL: dict[str, Any] = {"lateral_jitter_mm": 0.0, "angle_jitter_deg": 0.0}


def roller(ev: Evidence) -> RollerGeometry:
    g = geometry_of(needling_device(ev, "roller_192_150"))
    assert isinstance(g, RollerGeometry)
    return g


def pen(ev: Evidence) -> PenGeometry:
    g = geometry_of(needling_device(ev, "pen_14"))
    assert isinstance(g, PenGeometry)
    return g


@pytest.mark.parametrize(("direction", "jitter"), [("h", STILL), ("d1", STILL), ("v", {})])
def test_one_roller_pass_lays_15_3_per_cm2(ev: Evidence, direction: str, jitter: dict[str, Any]) -> None:
    res = simulate(ev, make_treatment(ev, "roller_192_150", 1, directions=direction, **jitter)).result
    expected = roller(ev).density_per_pass_per_cm2
    assert res.density_per_cm2 == pytest.approx(expected, rel=0.02)
    assert res.density_per_cm2_expected == pytest.approx(expected)
    assert res.rehit_fraction == 0.0  # one lattice never touches itself (pitch 2.5 mm > 0.25 mm needles)


def test_fifteen_roller_passes_give_about_229_per_cm2(ev: Evidence) -> None:
    res = simulate(ev, make_treatment(ev, "roller_192_150", 15, seed=3)).result
    assert res.density_per_cm2 == pytest.approx(15 * roller(ev).density_per_pass_per_cm2, rel=0.02)
    assert round(res.density_per_cm2_expected) == 229
    assert res.passes_per_direction == {"h": 4, "v": 4, "d1": 4, "d2": 3}


@pytest.mark.parametrize("direction", ["h", "d2"])
def test_a_single_pass_is_a_lattice_with_its_half_diagonal_as_largest_gap(ev: Evidence, direction: str) -> None:
    res = simulate(ev, make_treatment(ev, "roller_192_150", 1, directions=direction, **STILL)).result
    half = roller(ev).lattice_half_diagonal_mm
    assert res.largest_gap_mm == pytest.approx(half, abs=0.005)
    assert round(res.largest_gap_mm, 1) == 1.8
    # every point of the zone is within the half-diagonal of a puncture
    again = simulate(ev, make_treatment(ev, "roller_192_150", 1, directions=direction, **STILL), gap_r_mm=half)
    assert again.result.gap_fraction.value == 0.0


def test_regular_lattice_has_no_gap_larger_than_its_half_diagonal() -> None:
    density = 245.0
    half = square_lattice_largest_gap_mm(density)
    field = lattice_field(density, 60.0)
    m = measure(field, gap_r_mm=half, cell_mm=5, rehit_distance_mm=0.25, channel_radius_mm=0.1, probes=40_000)
    assert half - 0.005 <= m.largest_gap_mm <= half + 1e-9
    assert m.gap_fraction == 0.0
    for r in (0.2, 0.35, 0.42):  # the closed form of the lattice's gap fraction, within 4 probe errors
        m = measure(field, gap_r_mm=r, cell_mm=5, rehit_distance_mm=0.25, channel_radius_mm=0.1, probes=40_000)
        expected = square_lattice_gap_fraction(density, r)
        assert abs(m.gap_fraction - expected) <= 4 * math.sqrt(expected * (1 - expected) / m.probes)


def test_many_randomised_passes_follow_the_poisson_empty_space_law(ev: Evidence) -> None:
    r, passes, area = 0.12, 100, 100.0
    res = simulate(ev, make_treatment(ev, "roller_192_150", passes, area_cm2=area, seed=11), gap_r_mm=r).result
    lam = res.holes_per_cm2
    poisson = poisson_gap_fraction(lam, r)
    se = gap_fraction_se(lam, r, area, res.probes)
    bias = abs(superposed_lattice_gap_fraction(passes, lam / passes, r) - poisson)
    assert bias < se  # 100 passes are close enough to Poisson for the check to be fair
    assert abs(res.gap_fraction.value - poisson) <= 3 * se
    assert res.gap_fraction.poisson == pytest.approx(poisson)


def test_sixteen_passes_follow_the_superposed_lattice_law(ev: Evidence) -> None:
    r = 0.5
    values = [
        simulate(ev, make_treatment(ev, "roller_192_150", 16, seed=s, lateral_jitter_mm=0.0), gap_r_mm=r)
        .result.gap_fraction.value
        for s in range(6)
    ]
    mean, sem = statistics.fmean(values), statistics.stdev(values) / math.sqrt(len(values))
    per_pass = roller(ev).density_per_pass_per_cm2
    exact = superposed_lattice_gap_fraction(16, per_pass, r)
    assert abs(mean - exact) <= 4 * sem
    assert abs(mean - poisson_gap_fraction(16 * per_pass, r)) > 4 * sem  # fewer gaps than a random field


def test_rolling_is_more_even_than_a_random_field(ev: Evidence) -> None:
    res = simulate(ev, make_treatment(ev, "roller_192_150", 16)).result
    per_cell = res.density_per_cm2 * (res.cell_mm / 10) ** 2
    assert 0 < res.density_cv < 1 / math.sqrt(per_cell)


@pytest.mark.parametrize("speed", [1.0, 2.0, 5.0])
def test_pen_density_per_pass_and_channel_rate(ev: Evidence, speed: float) -> None:
    t = make_treatment(ev, "pen_14", 1, directions="h", area_cm2=25, speed_cm_s=speed, **STILL)
    res = simulate(ev, t).result
    g = pen(ev)
    assert res.density_per_cm2 == pytest.approx(g.needles * g.frequency_hz / (speed * g.field_width_mm / 10), rel=0.01)
    # the simulated punctures over the treatment time are needles x frequency
    assert res.punctures / res.seconds == pytest.approx(g.channels_per_s, rel=0.01)


def test_slow_glide_overlaps_punctures_along_a_track(ev: Evidence) -> None:
    g = pen(ev)
    fast = simulate(ev, make_treatment(ev, "pen_14", 1, directions="h", area_cm2=25, speed_cm_s=5, **STILL)).result
    slow = simulate(ev, make_treatment(ev, "pen_14", 1, directions="h", area_cm2=25, speed_cm_s=1, **STILL)).result
    assert g.stamp_spacing_mm(5) > g.needle_diameter_mm > g.stamp_spacing_mm(1)
    assert fast.rehit_fraction == 0.0  # tracks 0.43 mm apart, stamps 0.43 mm apart: nothing touches
    # at 1 cm/s every puncture but the first of each track lands on the one before
    tracks = math.sqrt(25 * 100) / g.track_pitch_mm
    assert slow.rehit_fraction == pytest.approx(1 - tracks / slow.punctures, abs=0.002)
    rates = [
        simulate(ev, make_treatment(ev, "pen_14", 3, area_cm2=25, speed_cm_s=v, seed=2)).result.rehit_fraction
        for v in (1.0, 2.0, 3.0, 5.0)
    ]
    assert rates == sorted(rates, reverse=True)
    assert rates[0] > rates[-1]


def test_small_circles_spend_longer_per_lane(ev: Evidence) -> None:
    # loops crowd punctures at the edges of their 12 mm lane, so the zone must hold several lanes
    # for the count inside to approach the closed form (3%: the share of the one lane cut by the edge)
    lines = simulate(ev, make_treatment(ev, "pen_14", 1, area_cm2=100, directions="h", **STILL)).result
    circles = simulate(ev, make_treatment(ev, "pen_14", 1, area_cm2=100, pattern="circles", **STILL)).result
    assert circles.density_per_cm2 == pytest.approx(circles.density_per_cm2_expected, rel=0.03)
    assert circles.density_per_cm2 > 2 * lines.density_per_cm2
    assert circles.punctures / circles.seconds == pytest.approx(pen(ev).channels_per_s, rel=0.03)
    assert circles.density_cv > 2 * lines.density_cv


def test_capture_merges_punctures_into_earlier_holes(ev: Evidence) -> None:
    d = roller(ev).needle_diameter_mm
    plain = simulate(ev, make_treatment(ev, "roller_192_150", 16, area_cm2=50, seed=4)).result
    merged = simulate(ev, make_treatment(ev, "roller_192_150", 16, area_cm2=50, seed=4, capture_radius_mm=d)).result
    assert merged.density_per_cm2 == plain.density_per_cm2
    assert merged.holes_per_cm2 == pytest.approx(plain.density_per_cm2 * (1 - plain.rehit_fraction))
    assert merged.gap_fraction.value > plain.gap_fraction.value


def test_same_seed_same_result_other_seed_other_field(ev: Evidence) -> None:
    t = make_treatment(ev, "roller_192_150", 4, area_cm2=20, seed=7)
    a, b = simulate(ev, t).result, simulate(ev, t).result
    c = simulate(ev, t.model_copy(update={"seed": 8})).result
    assert a == b
    assert a.gap_fraction.value != c.gap_fraction.value


@pytest.mark.parametrize("channel_radius_mm", [None, 0.3])
def test_injured_fraction_matches_the_boolean_model(ev: Evidence, channel_radius_mm: float | None) -> None:
    t = make_treatment(ev, "roller_192_150", 100, area_cm2=50, seed=5)
    res = simulate(ev, t, channel_radius_mm=channel_radius_mm).result
    a = res.channel_radius_mm
    margin = coverage_params(ev).injury_margin_mm.value
    assert a == (channel_radius_mm or roller(ev).needle_diameter_mm / 2 + margin)
    expected = 1 - poisson_gap_fraction(res.holes_per_cm2, a)
    assert res.injured_fraction == pytest.approx(expected, abs=4 * math.sqrt(expected * (1 - expected) / res.probes))
    assert res.reference.boolean_injured_fraction == pytest.approx(expected)


def _brute_force_earlier(xy: np.ndarray, r: float) -> np.ndarray:
    d = np.hypot(xy[:, None, 0] - xy[None, :, 0], xy[:, None, 1] - xy[None, :, 1])
    earlier = np.tril(np.ones_like(d, dtype=bool), k=-1)
    found: np.ndarray = ((d <= r) & earlier).any(axis=1)
    return found


@pytest.mark.parametrize("seed", [0, 1])
def test_earlier_within_matches_brute_force(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    import pinpoint.core.coverage.metrics as metrics

    monkeypatch.setattr(metrics, "_BLOCK_POINTS", 150)  # many blocks on a small set
    rng = np.random.default_rng(seed)
    xy = rng.random((1200, 2)) * 30
    xy[5::9] = xy[::9][: len(xy[5::9])] + 0.1  # some points just after a close earlier one
    for r in (0.3, 0.8):
        expected = _brute_force_earlier(xy, r)
        for stamp in (0, 1, 5, 9):
            assert np.array_equal(earlier_within(xy, r, stamp=stamp, workers=2), expected)


@pytest.mark.parametrize("sparse_below", [0.0, math.inf])
def test_earlier_within_pairs_and_blocks_give_the_same_answer(
    sparse_below: float, monkeypatch: pytest.MonkeyPatch
) -> None:
    """All close pairs at once (sparse fields) and block by block (dense ones) both match brute force."""
    import pinpoint.core.coverage.metrics as metrics

    monkeypatch.setattr(metrics, "_SPARSE_PAIRS_PER_POINT", sparse_below)
    rng = np.random.default_rng(7)
    xy = rng.random((1500, 2)) * 25
    for r in (0.2, 0.6, 1.5):
        expected = _brute_force_earlier(xy, r)
        assert 0 < expected.sum() < len(xy)
        assert np.array_equal(earlier_within(xy, r, stamp=3, workers=2), expected)


def test_sparse_fields_list_close_pairs_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    import pinpoint.core.coverage.metrics as metrics

    calls: list[float] = []
    real = cKDTree.query_pairs

    class Counting(cKDTree):
        def query_pairs(self, r: float, *args: Any, **kwargs: Any) -> Any:
            calls.append(r)
            return real(self, r, *args, **kwargs)

    monkeypatch.setattr(metrics, "cKDTree", Counting)
    xy = np.random.default_rng(3).random((2000, 2)) * 100  # 0.2 per mm2
    expected = 1999 * math.pi * 0.0625 / 1e4
    assert metrics._expected_neighbours(len(xy), np.ptp(xy, axis=0), 0.25) == pytest.approx(expected, rel=0.01)
    earlier_within(xy, 0.25)  # ~0.04 neighbours per point: sparse
    earlier_within(xy, 5.0)  # ~16 neighbours per point: block by block
    assert calls == [0.25]


def _earlier_by_close_pairs(xy: np.ndarray, r: float) -> np.ndarray:
    """Reference for fields too large for brute force: every pair within r from scipy's pair listing."""
    out = np.zeros(len(xy), dtype=bool)
    out[cKDTree(xy).query_pairs(r, output_type="ndarray")[:, 1]] = True
    return out


@pytest.mark.parametrize("stamp", [0, 3])
def test_dense_re_hits_count_a_distance_of_exactly_the_radius(stamp: int) -> None:
    """Points exactly r apart touch (a re-hit); points a hair farther apart do not, on the dense path."""
    import pinpoint.core.coverage.metrics as metrics

    r = 0.25  # exact in binary, as are the coordinates below, so the distances are exact
    ticks = np.arange(40) * r
    gx, gy = np.meshgrid(ticks, ticks, indexing="ij")
    grid = np.column_stack((gx.ravel(), gy.ravel()))  # each point r from its grid neighbours
    apart = grid * (1 + 2.0**-40) + [10.5, 0.0]  # neighbours a hair beyond r (exact), 0.75 mm from the grid
    xy = np.concatenate((grid, apart))
    tree = cKDTree(xy)
    assert metrics._expected_neighbours(len(xy), tree.maxes - tree.mins, r) > 1  # the dense path
    assert earlier_within(xy, r, stamp=stamp, workers=2).sum() == len(grid) - 1  # all but the first
    assert not earlier_within(xy, r, stamp=stamp, workers=2)[len(grid) :].any()
    assert np.array_equal(earlier_within(xy, r, stamp=stamp, workers=2), _brute_force_earlier(xy, r))


def test_dense_re_hits_look_past_the_nearest_neighbours() -> None:
    """A point whose only earlier neighbour is farther than 40 later ones is still a re-hit."""
    rng = np.random.default_rng(4)
    filler = rng.random((400, 2)) * 10  # dense: about 13 neighbours per point within 1 mm
    filler = filler[np.hypot(filler[:, 0] - 5.5, filler[:, 1] - 5.0) > 2.5]  # none near the cluster
    cluster = np.array([5.0, 5.0]) + rng.random((41, 2)) * 0.01
    first = np.array([[5.0 + 0.99, 5.0]])  # 0.98-0.99 mm from the cluster's first point
    xy = np.concatenate((filler, first, cluster))
    expected = _brute_force_earlier(xy, 1.0)
    assert expected[len(filler) + 1]  # the cluster's first point: its only earlier neighbour is `first`
    assert np.array_equal(earlier_within(xy, 1.0, workers=2), expected)


def test_dense_re_hits_of_a_pen_field_match_every_close_pair(ev: Evidence) -> None:
    """A slow pen clipped at the zone's edge (stamps cut short) on the dense path, against scipy's pair listing."""
    import pinpoint.core.coverage.metrics as metrics

    t = make_treatment(ev, "pen_14", 2, area_cm2=4, speed_cm_s=2.5, seed=3)
    field = lay_punctures(t, pen(ev), circle_radius_mm=3, rng=3)
    r = pen(ev).needle_diameter_mm
    tree = cKDTree(field.xy)
    assert metrics._expected_neighbours(len(field.xy), tree.maxes - tree.mins, r) > 1  # the dense path
    expected = _earlier_by_close_pairs(field.xy, r)
    assert 0 < expected.sum() < len(field.xy)
    assert np.array_equal(earlier_within(field.xy, r, stamp=field.stamp_size, workers=2), expected)


def test_three_by_three_maximum_matches_scipy() -> None:
    from scipy.ndimage import maximum_filter

    from pinpoint.core.coverage.metrics import _max3

    grid = np.random.default_rng(11).random((37, 41))
    grid[5, 5] = grid[5, 6]  # ties
    assert np.array_equal(_max3(grid), maximum_filter(grid, size=3, mode="nearest"))


def test_nearest_distances_are_exact_past_the_first_bound() -> None:
    from pinpoint.core.coverage.metrics import nearest_distances

    rng = np.random.default_rng(5)
    xy = rng.random((4000, 2)) * 50
    xy = xy[np.hypot(xy[:, 0] - 25, xy[:, 1] - 25) > 8]  # a hole of radius 8 mm in the middle
    tree = cKDTree(xy)
    probes = rng.random((3000, 2)) * 50
    expected = tree.query(probes)[0]
    assert expected.max() > 5
    for bound in (0.05, 1.0, 100.0):
        assert np.array_equal(nearest_distances(tree, probes, bound), expected)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_largest_gap_equals_the_best_voronoi_vertex(seed: int) -> None:
    rng = np.random.default_rng(seed)
    side, pad = 40.0, 4.0
    xy = rng.random((3000, 2)) * (side + 2 * pad) - pad
    field = PunctureField(xy=xy, pass_index=np.zeros(len(xy), dtype=np.int32), side_mm=side, pad_mm=pad)
    m = measure(field, gap_r_mm=0.5, cell_mm=5, rehit_distance_mm=0.1, channel_radius_mm=0.1, probes=20_000)
    tri = Delaunay(xy)
    a, b, c = (xy[tri.simplices[:, k]] for k in range(3))
    centres = (a + b + c) / 3  # start from the centroid, then solve the circumcentre exactly
    mat = np.stack((b - a, c - a), axis=1)
    rhs = 0.5 * np.stack(((b - a) ** 2, (c - a) ** 2), axis=1).sum(axis=2)
    centres = a + np.linalg.solve(mat, rhs[..., None])[..., 0]
    inside = ((centres >= 0) & (centres <= side)).all(axis=1)
    best = cKDTree(xy).query(centres[inside])[0].max()
    assert m.largest_gap_mm == pytest.approx(best, abs=1e-9)


def test_punctures_are_laid_in_time_order_and_inside_the_padded_zone(ev: Evidence) -> None:
    t = make_treatment(ev, "roller_192_150", 3, area_cm2=30)
    field = lay_punctures(t, roller(ev), circle_radius_mm=3)
    assert np.all(np.diff(field.pass_index) >= 0)
    assert field.xy.min() >= -field.pad_mm
    assert field.xy.max() < field.side_mm + field.pad_mm
