"""The calibrated default forecast, and the fit of a client's own counts (core and CLI)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import statistics
from pathlib import Path

import pytest

from pinpoint.core.errors import InputError
from pinpoint.core.hair import (
    CourseOptions,
    cycle_for,
    get_area,
    get_modality,
    hair_data,
    plan_course,
    treatment_for,
)
from pinpoint.core.hair_fit import CountRow, fit_counts, parse_counts, reforecast
from pinpoint.core.hair_sim import Regimen, simulate
from pinpoint.evidence.loader import Evidence, load_evidence
from tests.cli_helpers import cli, cli_json

START = dt.date(2027, 1, 4)
PAST_START = dt.date(2025, 1, 6)  # a Monday already past: the CLI takes counts of sessions held
WEEKLY = tuple(range(0, 56, 7))  # eight weekly sessions


@pytest.fixture(scope="module")
def ev() -> Evidence:
    return load_evidence()


# ----------------------------------------------------------------------------- calibrated default

REPORTED = {"upper_lip": (4, 10), "chin_jawline": (2, 12), "underarm": (4, 12), "bikini": (8, 16)}


@pytest.mark.parametrize("area", sorted(REPORTED))
@pytest.mark.parametrize("modality", ["thermolysis", "blend"])
def test_default_hours_fall_inside_the_reported_range(ev: Evidence, area: str, modality: str) -> None:
    """With no client counts the forecast (terminal density, sourced emergence) spends the reported hours.

    On the old default (the table's 500 follicles per cm²) the upper lip took about 50 h of blend."""
    lo, hi = REPORTED[area]
    area_data = get_area(ev, area)
    assert area_data.reported_hours is not None
    assert (area_data.reported_hours.min, area_data.reported_hours.max) == (lo, hi)
    for seed in (0, 1, 2):
        plan = plan_course(ev, area, modality, start=START, options=CourseOptions(seed=seed))
        assert plan.model.emergence_days == 63  # 6-12 weeks from papilla to surface
        assert lo <= plan.hours_total <= hi, (area, modality, seed, plan.hours_total)


def test_every_area_has_a_flagged_terminal_density_within_its_follicles(ev: Evidence) -> None:
    data = hair_data(ev)
    for key, area in data.areas.items():
        band = area.terminal_density_per_cm2
        assert band.estimate, key
        assert "pinpoint-hair-terminal" in band.sources, key
        assert 0 < band.min <= band.max <= area.density_per_cm2.value, key
    lip = data.areas["upper_lip"].terminal_density_per_cm2
    assert (lip.min, lip.max, lip.mid) == (60, 92, 76)
    assert "pinpoint-hair-terminal" in plan_course(ev, "upper_lip", "blend", start=START).sources


# ----------------------------------------------------------------------------- counts in


def _rows(*seen_removed: tuple[int, int], window: float = 1.0) -> list[dict[str, object]]:
    return [
        {"date": str(START + dt.timedelta(days=7 * i)), "window_cm2": window, "hairs_seen": s, "hairs_removed": r}
        for i, (s, r) in enumerate(seen_removed)
    ]


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (_rows((40, 40), (30, 31)), "counts row 2: 31 hairs removed but only 30 seen in the window"),
        (
            _rows((40, 40), (501, 10)),
            "counts row 2: 501 hairs seen in a 1 cm² window: the window holds at most 500 (500 follicles per cm²)",
        ),
        (_rows((40, 40), (2.5, 1)), "counts row 2: hairs_seen must be a whole number of hairs, 0 or more, got 2.5"),
        (
            [{"date": "2027-01-04", "window_cm2": 1, "hairs_seen": 3}],
            "counts row 1: missing hairs_removed (each row needs date, window_cm2, hairs_seen, hairs_removed)",
        ),
        (
            [*_rows((40, 40)), {"date": "2027-01-04", "window_cm2": 1, "hairs_seen": 3, "hairs_removed": 3}],
            "counts row 2: date 2027-01-04 is not after the previous row's 2027-01-04",
        ),
        (_rows((40, 40), window=0), "counts row 1: window_cm2 must be above 0 and at most 100 cm², got 0"),
        ([], "no counts rows: give one row per counted session"),
    ],
)
def test_impossible_counts_are_refused_naming_the_row(rows: list[dict[str, object]], message: str) -> None:
    with pytest.raises(InputError) as err:
        parse_counts(rows, 500)
    assert err.value.field == "counts"
    assert err.value.message == message


# ----------------------------------------------------------------------------- the fit


def _observed(ev: Evidence, case: tuple[str, str, float, float, float], seed: int) -> tuple[CountRow, ...]:
    """Eight weekly counts of a window simulated with a known kill probability and density."""
    area, modality, p, density, window = case
    data = hair_data(ev)
    treatment = dataclasses.replace(treatment_for(data, get_modality(ev, modality)), destroy_probability=p)
    sim = simulate(
        cycle_for(data, get_area(ev, area)),
        round(density * window),
        horizon_days=WEEKLY[-1],
        treatment=treatment,
        regimen=Regimen(session_minutes=1e6, interval_days=None, days=WEEKLY, shares=(1.0,) * len(WEEKLY)),
        rng=10_000 + seed,
    )
    return tuple(
        CountRow(START + dt.timedelta(days=s.day), window, s.visible_before, s.treated_growing + s.treated_resting)
        for s in sim.sessions
    )


CASES = [
    ("upper_lip", "blend", 0.70, 76.0, 2.0),
    ("upper_lip", "thermolysis", 0.45, 76.0, 1.0),
    ("chin_jawline", "thermolysis", 0.55, 16.0, 4.0),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c[0]}-{c[1]}-p{c[2]}")
def test_the_fit_recovers_known_parameters_over_many_seeds(
    ev: Evidence, case: tuple[str, str, float, float, float]
) -> None:
    """Tolerance over 30 courses simulated with known values (each fitted with its own seed):
    the mean kill-probability error within ±0.04 and its spread (SD) under 0.13; the mean relative
    density error within ±4% and its SD under 12%; the 95% intervals hold both true values in at
    least 80% of the courses (composite likelihood: counts of the same follicles are correlated)."""
    _, _, p, density, _ = case
    dp, dd, held = [], [], 0
    for seed in range(30):
        fit = fit_counts(ev, case[0], case[1], _observed(ev, case, seed), seed=seed)
        assert fit.converged, fit.message
        assert fit.kill_probability is not None and fit.density_per_cm2 is not None
        kp, dens = fit.kill_probability, fit.density_per_cm2
        assert kp.low <= kp.value <= kp.high and dens.low <= dens.value <= dens.high
        dp.append(kp.value - p)
        dd.append(dens.value / density - 1)
        held += kp.low <= p <= kp.high and dens.low <= density <= dens.high
    assert abs(statistics.fmean(dp)) <= 0.04 and statistics.stdev(dp) < 0.13
    assert abs(statistics.fmean(dd)) <= 0.04 and statistics.stdev(dd) < 0.12
    assert held >= 24


def test_the_fit_is_reproducible_and_reports_predicted_against_observed(ev: Evidence) -> None:
    rows = _observed(ev, CASES[0], 3)
    a, b = fit_counts(ev, "upper_lip", "blend", rows, seed=5), fit_counts(ev, "upper_lip", "blend", rows, seed=5)
    assert a == b
    assert a.days == WEEKLY
    assert a.observed_per_cm2 == tuple(r.hairs_seen / 2 for r in rows)
    assert len(a.predicted_per_cm2) == len(a.prior_per_cm2) == 8
    assert a.sources == ("pinpoint-hair-fit", "pinpoint-hair-terminal", "sona-2010")


def test_a_fit_that_cannot_converge_says_so_and_keeps_the_prior_forecast(ev: Evidence) -> None:
    one = parse_counts(_rows((40, 40)), 500)
    fit = fit_counts(ev, "upper_lip", "blend", one)
    assert (fit.converged, fit.kill_probability, fit.density_per_cm2) == (False, None, None)
    assert fit.message == "the fit needs at least two counted sessions; the forecast keeps its defaults"
    assert reforecast(ev, "upper_lip", "blend", fit, START, CourseOptions()) is None
    none_seen = fit_counts(ev, "upper_lip", "blend", parse_counts(_rows((0, 0), (0, 0), (0, 0)), 500))
    assert none_seen.message == "no hair was seen in any window: nothing to fit; the forecast keeps its defaults"
    # no hair ever comes back: every kill chance near 1 fits as well, the best lies at the grid's edge
    flat = fit_counts(ev, "upper_lip", "blend", parse_counts(_rows((60, 60), (0, 0), (0, 0), (0, 0)), 500))
    assert not flat.converged
    assert flat.message.startswith("the counts do not settle the kill probability")


def test_the_reforecast_keeps_the_counted_dates_and_moves_with_the_fit(ev: Evidence) -> None:
    options = CourseOptions()
    slow = fit_counts(ev, "upper_lip", "blend", _observed(ev, ("upper_lip", "blend", 0.3, 76.0, 2.0), 1))
    fast = fit_counts(ev, "upper_lip", "blend", _observed(ev, ("upper_lip", "blend", 0.9, 76.0, 2.0), 1))
    late, early = (
        reforecast(ev, "upper_lip", "blend", slow, START, options),
        reforecast(ev, "upper_lip", "blend", fast, START, options),
    )
    assert late is not None and early is not None
    assert late.dates_to["80"] is not None and early.dates_to["80"] is not None
    assert early.dates_to["80"] < late.dates_to["80"]
    band = late.dates_band["80"]
    assert band["early"] is not None and band["early"] <= late.dates_to["80"]


# ----------------------------------------------------------------------------- CLI


def test_cli_counts_json_reports_fitted_and_reforecast(
    ev: Evidence, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = _observed(ev, CASES[0], 2)
    path = tmp_path / "counts.json"
    held = [PAST_START + (r.date - START) for r in rows]  # counts are of sessions already held
    dated = [{**dataclasses.asdict(r), "date": d.isoformat()} for r, d in zip(rows, held, strict=True)]
    path.write_text(json.dumps(dated))
    args = ["hair", "plan", "--area", "upper_lip", "--modality", "blend", "--start", "2027-01-04"]
    data = cli_json(capsys, *args, "--counts", str(path))
    assert set(data["fitted"]["kill_probability"]) == {"value", "low", "high"}
    assert set(data["fitted"]["density_per_cm2"]) == {"value", "low", "high"}
    assert set(data["reforecast"]["dates_to"]) == {"50", "80", "95"}
    assert data["density_per_cm2"] == 76  # the prior plan is unchanged beside the fit


def test_cli_counts_csv_with_an_impossible_row_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "counts.csv"
    path.write_text("date,window_cm2,hairs_seen,hairs_removed\n2025-01-06,1,40,40\n2025-01-13,1,30,31\n")
    code, _, err = cli(capsys, "hair", "plan", "--area", "upper_lip", "--modality", "blend", "--counts", str(path))
    assert code == 2
    assert err.strip() == "pinpoint: error: counts row 2: 31 hairs removed but only 30 seen in the window"


@pytest.mark.parametrize(
    ("day", "message"),
    [
        ("9999-12-31", "counts row 2: date 9999-12-31 is in the future (after {today}); it must be a past date"),
        ("1800-01-01", "counts row 2: date 1800-01-01 is more than 120 years before {today}"),
    ],
)
def test_cli_counts_dated_off_the_calendar_are_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], day: str, message: str
) -> None:
    """A count is of a session held: not after today, not more than 120 years back (the fit ran for ever on 9999)."""
    path = tmp_path / "counts.json"
    rows = [{"date": "2025-01-06", "window_cm2": 1, "hairs_seen": 40, "hairs_removed": 40}]
    rows.append({"date": day, "window_cm2": 1, "hairs_seen": 30, "hairs_removed": 30})
    path.write_text(json.dumps(rows))
    code, out, err = cli(capsys, "hair", "plan", "--area", "upper_lip", "--modality", "blend", "--counts", str(path))
    today = dt.datetime.now().astimezone().date()
    assert (code, out) == (2, "")
    assert err == f"pinpoint: error: {message.format(today=today)}\n"
