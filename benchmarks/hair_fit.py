"""Fitting a client's counts: eight weekly counted sessions of an upper lip, blend.

Figures: median and best wall time of ``ROUNDS`` fits (``pinpoint.core.hair_fit.fit_counts``,
which runs one simulated course per kill probability of its grid), and, timed in the same run,
one forward simulation of the same size (``FIT_FOLLICLES`` follicles over the counted dates) and
one default plan's forward simulation (the whole upper lip over 24 months); the ratios of the fit
to each. The target is a fit under one second on the 2-core development machine.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import statistics
import time
from collections.abc import Callable

from pinpoint.core.hair import CourseOptions, cycle_for, get_area, get_modality, hair_data, plan_course, treatment_for
from pinpoint.core.hair_fit import FIT_FOLLICLES, KILL_GRID, CountRow, fit_counts
from pinpoint.core.hair_sim import Regimen, simulate
from pinpoint.evidence import load_evidence

ROUNDS = 7
START = dt.date(2027, 1, 4)
DAYS = tuple(range(0, 56, 7))


def _median_best(fn: Callable[[], object], rounds: int) -> tuple[float, float]:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), min(times)


def run() -> dict[str, object]:
    ev = load_evidence()
    data = hair_data(ev)
    cycle = cycle_for(data, get_area(ev, "upper_lip"))
    treatment = dataclasses.replace(treatment_for(data, get_modality(ev, "blend")), destroy_probability=0.6)
    counted = Regimen(session_minutes=1e6, interval_days=None, days=DAYS, shares=(1.0,) * len(DAYS))
    window = simulate(cycle, 152, horizon_days=DAYS[-1], treatment=treatment, regimen=counted, rng=7)
    rows = tuple(
        CountRow(START + dt.timedelta(days=s.day), 2.0, s.visible_before, s.treated_growing + s.treated_resting)
        for s in window.sessions
    )
    fit_s, fit_best = _median_best(lambda: fit_counts(ev, "upper_lip", "blend", rows, seed=0), ROUNDS)

    def one() -> object:
        return simulate(cycle, FIT_FOLLICLES, horizon_days=DAYS[-1], treatment=treatment, regimen=counted, rng=0)

    sim_s, _ = _median_best(one, ROUNDS * 5)
    plan_s, _ = _median_best(
        lambda: plan_course(ev, "upper_lip", "blend", start=START, options=CourseOptions()), ROUNDS
    )
    fit = fit_counts(ev, "upper_lip", "blend", rows, seed=0)
    return {
        "sessions_counted": len(rows),
        "simulations_per_fit": len(KILL_GRID),
        "fit_follicles": FIT_FOLLICLES,
        "fit_median_s": round(fit_s, 4),
        "fit_best_s": round(fit_best, 4),
        "one_fit_simulation_median_s": round(sim_s, 5),
        "fit_over_one_fit_simulation": round(fit_s / sim_s, 1),
        "default_plan_median_s": round(plan_s, 4),
        "fit_over_default_plan": round(fit_s / plan_s, 2),
        "under_one_second": fit_s < 1.0,
        "fitted": {
            "kill_probability": fit.kill_probability.model_dump() if fit.kill_probability else None,
            "density_per_cm2": fit.density_per_cm2.model_dump() if fit.density_per_cm2 else None,
            "true": {"kill_probability": 0.6, "density_per_cm2": 76},
        },
    }
