"""The area of an electrolysis course is bounded in core: a huge area is one clear line, never an overflow."""

from __future__ import annotations

import datetime as dt

import pytest

from pinpoint.core.errors import InputError
from pinpoint.core.hair import MAX_AREA_CM2, CourseOptions, plan_course
from pinpoint.evidence import Evidence
from tests.cli_helpers import cli

START = dt.date(2026, 11, 25)


@pytest.mark.parametrize("area_cm2", [1e308, float("inf"), MAX_AREA_CM2 * 1.000001])
def test_an_area_above_the_bound_is_refused_naming_the_field(ev: Evidence, area_cm2: float) -> None:
    with pytest.raises(InputError) as err:
        plan_course(ev, "upper_lip", "blend", start=START, options=CourseOptions(area_cm2=area_cm2))
    assert err.value.field == "area_cm2"
    assert str(err.value) == (
        f"area_cm2 (the area treated) must be at most 100,000 cm² (10 m²), got {area_cm2:g} cm²"
    )


def test_an_area_at_the_bound_reaches_the_follicle_limit_not_an_overflow(ev: Evidence) -> None:
    with pytest.raises(InputError) as err:
        plan_course(ev, "upper_lip", "blend", start=START, options=CourseOptions(area_cm2=MAX_AREA_CM2))
    assert err.value.field == "density_per_cm2"
    assert str(err.value).endswith("follicles; the simulator takes 1 to 2,000,000")


def test_a_huge_density_is_too_many_follicles_not_an_overflow(ev: Evidence) -> None:
    with pytest.raises(InputError) as err:
        plan_course(ev, "upper_lip", "blend", start=START, options=CourseOptions(density_per_cm2=1e308))
    assert str(err.value) == "20 cm² x 1e+308 per cm² = too many follicles; the simulator takes 1 to 2,000,000"


def test_the_cli_prints_one_line_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(capsys, "hair", "plan", "--area", "upper_lip", "--modality", "blend", "--area-cm2", "1e308")
    assert (code, out) == (2, "")
    assert err == "pinpoint: error: area_cm2 (the area treated) must be at most 100,000 cm² (10 m²), got 1e+308 cm²\n"
