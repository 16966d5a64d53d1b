"""Hair-cycle simulator: one million follicles over 24 months, with a daily curve.

Cases: the upper lip (shortest cycle, so the most phase changes: about 4 cycles per follicle in
two years) untreated and with weekly 10-hour sessions of thermolysis, and the legs untreated.
Figures: median and best wall time of ``ROUNDS`` runs, peak traced memory (numpy allocations,
measured in a separate run so tracing does not slow the timed ones), and the ratio of the
median to one vectorised numpy pass over the same state (counting the hairs showing on one day
across all follicles), timed in the same run. A scheme that stepped every day would cost at
least 731 such passes.
"""

from __future__ import annotations

import statistics
import time
import tracemalloc

import numpy as np

from pinpoint.core.hair import cycle_for, hair_data
from pinpoint.core.hair_sim import Regimen, Treatment, _Population, simulate
from pinpoint.evidence import load_evidence

N = 1_000_000
HORIZON_DAYS = 730
ROUNDS = 5


def _median_best(fn: object, rounds: int) -> tuple[float, float]:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return statistics.median(times), min(times)


def run() -> dict[str, object]:
    data = hair_data(load_evidence())
    lip = cycle_for(data, data.areas["upper_lip"])
    legs = cycle_for(data, data.areas["legs"])
    thermolysis = Treatment(seconds_per_follicle=5.0, destroy_probability=0.55, resting_factor=0.1)
    weekly = Regimen(session_minutes=600.0, interval_days=7)
    cases = {
        "upper_lip untreated": lambda: simulate(lip, N, horizon_days=HORIZON_DAYS, rng=1),
        "upper_lip weekly thermolysis": lambda: simulate(
            lip, N, horizon_days=HORIZON_DAYS, treatment=thermolysis, regimen=weekly, rng=1
        ),
        "legs untreated": lambda: simulate(legs, N, horizon_days=HORIZON_DAYS, rng=1),
    }
    pop = _Population(lip, N, HORIZON_DAYS, np.random.default_rng(0))
    pass_median, _ = _median_best(lambda: pop.visible_now(365.0), 21)
    out: dict[str, object] = {
        "follicles": N,
        "days": HORIZON_DAYS,
        "one_pass_ms": round(pass_median * 1000, 2),
    }
    for name, fn in cases.items():
        fn()  # warm-up
        median, best = _median_best(fn, ROUNDS)
        tracemalloc.start()
        sim = fn()
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        out[name] = {
            "median_s": round(median, 3),
            "best_s": round(best, 3),
            "peak_mb": round(peak / 2**20, 1),
            "ratio_to_one_pass": round(median / pass_median, 1),
            "sessions": len(sim.sessions),
        }
    return out


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2))
