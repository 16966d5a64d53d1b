"""Coverage closed forms: device geometry, published figures, gap laws, passes for the plan."""

from __future__ import annotations

import math
import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pinpoint.core.coverage import (
    coverage_params,
    density_for_gap,
    geometry_of,
    needling_device,
    parse_directions,
    passes_for_density,
    poisson_gap_fraction,
    split_passes,
    square_lattice_gap_fraction,
    square_lattice_largest_gap_mm,
    superposed_lattice_gap_fraction,
    zone_coverage,
)
from pinpoint.core.coverage.geometry import PenGeometry, RollerGeometry, motion_of
from pinpoint.core.errors import InputError, UnknownIdError
from pinpoint.core.planning import plan
from pinpoint.evidence import Evidence


def roller(ev: Evidence, device: str = "roller_192_150") -> RollerGeometry:
    g = geometry_of(needling_device(ev, device))
    assert isinstance(g, RollerGeometry)
    return g


def pen(ev: Evidence, device: str = "pen_14") -> PenGeometry:
    g = geometry_of(needling_device(ev, device))
    assert isinstance(g, PenGeometry)
    return g


def test_one_roller_pass_is_the_published_15_3_per_cm2(ev: Evidence) -> None:
    g = roller(ev)
    assert (g.needles, g.rings, g.needles_per_ring, g.drum_diameter_mm, g.drum_width_mm) == (192, 8, 24, 20, 20)
    assert round(g.density_per_pass_per_cm2, 1) == 15.3
    assert round(15 * g.density_per_pass_per_cm2) == 229  # the "about 250 holes/cm2 after 15 rolls"


def test_roller_lattice_pitches_and_largest_gap(ev: Evidence) -> None:
    g = roller(ev)
    assert round(g.circumferential_pitch_mm, 2) == 2.62
    assert g.axial_pitch_mm == 2.5
    assert round(g.lattice_half_diagonal_mm, 1) == 1.8


@pytest.mark.parametrize(
    ("depth_mm", "tilt_deg", "slot_mm"),
    [(0.25, 12.7, 0.07), (0.5, 17.8, 0.21), (1.0, 24.6, 0.57), (1.5, 29.6, 1.03), (2.5, 36.9, 2.13)],
)
def test_rolling_needle_tilt_and_slot_match_the_trochoid_table(
    ev: Evidence, depth_mm: float, tilt_deg: float, slot_mm: float
) -> None:
    g = roller(ev)  # a 20 mm drum, R = 10 mm, as in the coverage evidence table
    assert round(g.entry_tilt_deg(depth_mm), 1) == tilt_deg
    assert round(g.slot_mm(depth_mm), 2) == slot_mm
    small = (2 / 3) * (2 * depth_mm) ** 1.5 / math.sqrt(10)  # the small-depth approximation
    assert g.slot_mm(depth_mm) == pytest.approx(small, rel=0.12)


def test_pen_channels_per_second_is_needles_times_frequency(ev: Evidence) -> None:
    for device, needles, hz in (("pen_14", 14, 116.7), ("pen_11", 11, 90), ("pen_6_exceed", 6, 125)):
        g = pen(ev, device)
        assert (g.needles, g.frequency_hz) == (needles, hz)
        assert g.channels_per_s == pytest.approx(needles * hz)
    assert round(pen(ev, "pen_11").channels_per_s) == 990  # "almost 1,000 microwounds/s"


def test_pen_density_per_pass_and_stamp_spacing(ev: Evidence) -> None:
    g = pen(ev)
    # the coverage evidence's worked example: 2 cm/s over a 6 mm field gives about 1,360/cm2
    assert round(g.density_per_pass_per_cm2(2.0), -1) == 1360
    assert g.density_per_pass_per_cm2(4.0) == pytest.approx(g.density_per_pass_per_cm2(2.0) / 2)
    # spacing along a track v / f: 86-430 um for 1-5 cm/s at 116.7 Hz
    assert round(1000 * g.stamp_spacing_mm(1.0)) == 86
    assert round(1000 * g.stamp_spacing_mm(5.0)) == 428


def test_motion_rates_give_the_same_density_as_the_formulas(ev: Evidence) -> None:
    r, p = roller(ev), pen(ev)
    rm = motion_of(r, "lines", 3.0, 3.0)
    assert rm.density_per_pass_per_cm2 == pytest.approx(r.density_per_pass_per_cm2)
    pm = motion_of(p, "lines", 3.0, 3.0)
    assert pm.punctures_per_s == p.channels_per_s
    assert pm.density_per_pass_per_cm2 == pytest.approx(p.density_per_pass_per_cm2(3.0))
    # time: lanes of total length area / width, travelled at the forward speed
    assert rm.seconds(510, 16) == pytest.approx(16 * 51_000 / 20 / 30)


@pytest.mark.parametrize(
    ("density", "r_mm", "percent"),
    [(15.3, 0.5, 88.7), (15.3, 1.0, 61.8), (100, 0.5, 45.6), (100, 1.0, 4.3), (250, 0.5, 14.0), (300, 0.5, 9.5)],
)
def test_poisson_empty_space_law_matches_the_evidence_table(density: float, r_mm: float, percent: float) -> None:
    assert round(100 * poisson_gap_fraction(density, r_mm), 1) == percent


def test_density_needed_for_a_gap_criterion() -> None:
    assert round(density_for_gap(0.5, 0.05)) == 381
    assert round(density_for_gap(1.0, 0.01)) == 147
    assert poisson_gap_fraction(density_for_gap(0.7, 0.02), 0.7) == pytest.approx(0.02)


def test_square_lattice_has_no_gap_beyond_its_half_diagonal() -> None:
    # at 250/cm2 the pitch is 0.63 mm and no point is farther than 0.45 mm from a hole
    assert round(square_lattice_largest_gap_mm(250), 2) == 0.45
    half = square_lattice_largest_gap_mm(250)
    assert square_lattice_gap_fraction(250, half) == 0.0
    assert square_lattice_gap_fraction(250, half * 0.99) > 0.0
    pitch = 10 / math.sqrt(250)
    assert square_lattice_gap_fraction(250, pitch / 2) == pytest.approx(1 - math.pi / 4)


def test_superposed_lattices_tend_to_the_poisson_law() -> None:
    total, r = 245.0, 0.3
    gaps = [abs(superposed_lattice_gap_fraction(k, total / k, r) - poisson_gap_fraction(total, r)) for k in (4, 16, 64)]
    assert gaps[0] > gaps[1] > gaps[2] > 0
    assert gaps[2] < 0.005


@pytest.mark.parametrize(("target", "passes"), [(250, 17), (300, 20), (229, 15)])
def test_passes_for_a_target_density(ev: Evidence, target: float, passes: int) -> None:
    assert passes_for_density(target, roller(ev).density_per_pass_per_cm2) == passes


def test_target_density_is_sourced(ev: Evidence) -> None:
    target = coverage_params(ev).target_density_per_cm2
    assert (target.min, target.max, target.unit) == (250, 300, "per_cm2")
    assert set(target.sources) == {"prime2015", "doddaballapur2009"}
    k = coverage_params(ev).penetration_fraction
    assert (k.min, k.max, k.unit) == (0.2, 0.77, "fraction")


def test_directions_parse_and_split() -> None:
    assert parse_directions("h, v,D1,d2") == ("h", "v", "d1", "d2")
    assert parse_directions(("horizontal", "diagonal-2")) == ("h", "d2")
    with pytest.raises(UnknownIdError, match="did you mean 'd1'"):
        parse_directions("h,d11")
    with pytest.raises(InputError):
        parse_directions(())
    assert split_passes(17, ("h", "v", "d1", "d2")) == {"h": 5, "v": 4, "d1": 4, "d2": 4}


DIRECTION_LISTS = st.lists(st.sampled_from(["h", "v", "d1", "d2"]), min_size=1, max_size=4, unique=True)


@given(st.integers(min_value=1, max_value=200), DIRECTION_LISTS)
def test_split_passes_is_even_and_complete(passes: int, directions: list[str]) -> None:
    counts = split_passes(passes, tuple(directions))
    assert sum(counts.values()) == passes
    assert max(counts.values()) - min(counts.values()) <= 1


def test_zone_coverage_states_passes_for_the_device(ev: Evidence) -> None:
    cov = zone_coverage(ev, "roller_192_150", 510)
    assert (cov.passes, cov.target_density_per_cm2, cov.within_published_passes) == (17, 250, True)
    assert cov.passes_per_direction == {"h": 5, "v": 4, "d1": 4, "d2": 4}
    speed = coverage_params(ev).roller_speed_cm_s.value
    assert cov.seconds == pytest.approx(17 * (51_000 / 20) / (10 * speed))
    assert {"prime2015", "doddaballapur2009"} <= set(cov.sources)
    pen_cov = zone_coverage(ev, "pen_14", 510)
    assert pen_cov.passes == 1  # one glide at 2 cm/s already lays about 1,360/cm2
    assert not pen_cov.within_published_passes
    assert pen_cov.estimate


def test_plan_states_coverage_per_zone_only_with_a_device(ev: Evidence) -> None:
    with_device = plan(ev, "acne_scars", ("cheek",), "clinic", device="roller_192_150")
    without = plan(ev, "acne_scars", ("cheek",), "clinic")
    (zone,) = with_device.zones
    assert zone.passes.min == ev.technique.passes_roller.min  # the literature range is kept
    assert zone.coverage is not None
    assert zone.coverage.passes == 17
    area = ev.zones["cheek"].area_cm2.value
    assert zone.coverage.seconds == pytest.approx(zone_coverage(ev, "roller_192_150", area).seconds)
    assert all(z.coverage is None for z in without.zones)
    keys = set(without.model_dump()["zones"][0])
    assert keys | {"coverage"} == set(with_device.model_dump()["zones"][0])


def test_plan_and_cli_import_no_numpy() -> None:
    code = (
        "import sys, pinpoint.core.planning, pinpoint.cli.main;"
        "print(sorted(m for m in ('numpy', 'scipy', 'matplotlib', 'rich') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
