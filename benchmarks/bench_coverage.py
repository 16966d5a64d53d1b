"""Coverage engine: a full-face roller session and an abdomen pen session, with every metric and the heatmap.

Cases (the zone's whole area is simulated, as a square, with a 4 mm band around it):

* full face (510 cm2), 192-needle roller ``roller_192_150``, 16 passes in 4 directions;
* abdomen (1,100 cm2), 14-needle pen ``pen_14`` at its default 2 cm/s, 3 passes.

Figures per case: wall time (median of the rounds) of laying the punctures, of the metrics (density
grid, gap fraction, largest gap, re-hits, injured area) and of drawing the PNG heatmap and window;
peak traced memory (tracemalloc: numpy arrays and Python objects, not the k-d tree's C++ nodes) and
the process's peak resident size; and the ratio of the metrics time to one numpy pass over the same
punctures (``xy.sum()``, measured in the same run): a floor no implementation can beat.
"""

from __future__ import annotations

import os
import resource
import statistics
import time
import tracemalloc
from typing import Any

import numpy as np

from pinpoint.core.coverage.engine import DEFAULT_PROBES, simulate
from pinpoint.core.coverage.field import lay_punctures
from pinpoint.core.coverage.figures import render
from pinpoint.core.coverage.geometry import coverage_params, geometry_of, needling_device
from pinpoint.core.coverage.treatment import make_treatment
from pinpoint.evidence import load_evidence

CASES = {
    "full_face_roller_16": {"device": "roller_192_150", "passes": 16, "zone": "full_face", "directions": "h,v,d1,d2"},
    "abdomen_pen_3": {"device": "pen_14", "passes": 3, "zone": "abdomen", "directions": None},
}
ROUNDS = {"full_face_roller_16": 5, "abdomen_pen_3": 2}


def _numpy_floor(xy: np.ndarray) -> float:
    """Median time of one numpy pass over the punctures."""
    samples = []
    for _ in range(21):
        start = time.perf_counter()
        xy.sum()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def _case(name: str, spec: dict[str, Any]) -> dict[str, Any]:
    ev = load_evidence()
    treatment = make_treatment(ev, spec["device"], spec["passes"], zone=spec["zone"], directions=spec["directions"])
    geometry = geometry_of(needling_device(ev, spec["device"]))
    circle = coverage_params(ev).pen_circle_radius_mm.value
    render(simulate(ev, treatment), "png")  # warm-up: imports, font cache
    lay, metrics, draw, total = [], [], [], []
    sim = None
    for _ in range(ROUNDS[name]):
        t0 = time.perf_counter()
        lay_punctures(treatment, geometry, circle_radius_mm=circle)
        t1 = time.perf_counter()
        sim = simulate(ev, treatment)  # lays again, then measures
        t2 = time.perf_counter()
        render(sim, "png")
        t3 = time.perf_counter()
        lay.append(t1 - t0)
        metrics.append((t2 - t1) - (t1 - t0))
        draw.append(t3 - t2)
        total.append(t3 - t1)
    assert sim is not None
    floor = _numpy_floor(sim.field.xy)
    tracemalloc.start()
    render(simulate(ev, treatment), "png")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    res = sim.result
    med = statistics.median
    return {
        "punctures_laid": len(sim.field.xy),
        "punctures_in_zone": res.punctures,
        "density_per_cm2": round(res.density_per_cm2, 1),
        "gap_fraction": round(res.gap_fraction.value, 4),
        "largest_gap_mm": round(res.largest_gap_mm, 3),
        "rehit_fraction": round(res.rehit_fraction, 4),
        "probes": DEFAULT_PROBES,
        "rounds": ROUNDS[name],
        "lay_ms": round(1000 * med(lay), 1),
        "metrics_ms": round(1000 * med(metrics), 1),
        "render_png_ms": round(1000 * med(draw), 1),
        "simulate_ms": round(1000 * (med(lay) + med(metrics)), 1),
        "total_with_heatmap_ms": round(1000 * med(total), 1),
        "numpy_one_pass_ms": round(1000 * floor, 3),
        "metrics_to_numpy_pass_ratio": round(med(metrics) / floor),
        "peak_traced_mb": round(peak / 2**20, 1),
    }


def run() -> dict[str, object]:
    out: dict[str, object] = {"cpus": os.cpu_count()}
    for name, spec in CASES.items():
        out[name] = _case(name, spec)
    out["process_peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return out


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2))
