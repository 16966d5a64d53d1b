"""Coverage engine: a full-face roller session and an abdomen pen session, with every metric and the heatmap.

Cases (the zone's whole area is simulated, as a square, with a 4 mm band around it):

* full face (510 cm2), 192-needle roller ``roller_192_150``, 16 passes in 4 directions;
* abdomen (1,100 cm2), 14-needle pen ``pen_14`` at its default 2 cm/s, 3 passes.

Figures per case: wall time (median of the rounds) of laying the punctures, of the metrics (density
grid, gap fraction, largest gap, re-hits, injured area) and of drawing the PNG heatmap and window;
peak traced memory (tracemalloc: numpy arrays and Python objects, not the k-d tree's C++ nodes) and
the process's peak resident size; and the ratio of the metrics time to one numpy pass over the same
punctures (``xy.sum()``, measured in the same run): a floor no implementation can beat; and the
ratio of :func:`measure` to one k-d-tree build plus one nearest-neighbour query over the same
punctures and probes (the least a distance-based measurement does; goal: at most 1.5).

The CLI case times ``pinpoint coverage simulate --device roller_192_150 --passes 16 --zone full_face
--plot face.png`` as a user types it (the console script, its table printed, the PNG heatmap
written) as a whole process, interleaved with a bare ``python -c "import numpy, matplotlib"``; the
figure is the difference of the medians (goal: under 1.0 s).

``run(tiny=True)`` runs each case once on a small area (the test suite does, so the script keeps working).
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

import numpy as np
from scipy.spatial import cKDTree

from pinpoint.core.coverage.engine import DEFAULT_PROBES, simulate
from pinpoint.core.coverage.field import lay_punctures
from pinpoint.core.coverage.figures import render
from pinpoint.core.coverage.geometry import coverage_params, geometry_of, needling_device
from pinpoint.core.coverage.metrics import measure, probe_grid
from pinpoint.core.coverage.treatment import make_treatment
from pinpoint.evidence import load_evidence

CASES = {
    "full_face_roller_16": {"device": "roller_192_150", "passes": 16, "zone": "full_face", "directions": "h,v,d1,d2"},
    "abdomen_pen_3": {"device": "pen_14", "passes": 3, "zone": "abdomen", "directions": None},
}
ROUNDS = {"full_face_roller_16": 5, "abdomen_pen_3": 3}


def _numpy_floor(xy: np.ndarray) -> float:
    """Median time of one numpy pass over the punctures."""
    samples = []
    for _ in range(21):
        start = time.perf_counter()
        xy.sum()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def _measure_vs_kdtree(sim: Any, rounds: int) -> dict[str, float]:
    """Median ms of :func:`measure` on ``sim``'s field, of one tree build plus one probe query, and their ratio."""
    m, f = sim.metrics, sim.field
    kw = {
        "gap_r_mm": m.gap_r_mm, "cell_mm": m.cell_mm, "rehit_distance_mm": m.rehit_distance_mm,
        "channel_radius_mm": m.channel_radius_mm, "capture_radius_mm": sim.result.inputs.capture_radius_mm,
        "target_per_cm2": sim.result.target_density_per_cm2.min, "probes": m.probes,
    }
    took: list[float] = []
    base: list[float] = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        measure(f, **kw)
        t1 = time.perf_counter()
        tree = cKDTree(f.xy, balanced_tree=False, compact_nodes=False)
        pts, _ = probe_grid(f.side_mm, m.probes, np.random.default_rng(0))
        tree.query(pts, workers=-1)
        t2 = time.perf_counter()
        took.append(t1 - t0)
        base.append(t2 - t1)
    med = statistics.median
    return {
        "measure_ms": round(1000 * med(took), 1),
        "kdtree_build_and_query_ms": round(1000 * med(base), 1),
        "measure_to_kdtree_ratio": round(med(took) / med(base), 2),
    }


def _case(name: str, spec: dict[str, Any], *, tiny: bool = False) -> dict[str, Any]:
    ev = load_evidence()
    where = {"area_cm2": 20.0} if tiny else {"zone": spec["zone"]}
    treatment = make_treatment(ev, spec["device"], spec["passes"], directions=spec["directions"], **where)
    geometry = geometry_of(needling_device(ev, spec["device"]))
    circle = coverage_params(ev).pen_circle_radius_mm.value
    render(simulate(ev, treatment), "png")  # warm-up: imports, font cache
    lay, metrics, draw, total = [], [], [], []
    sim = None
    rounds = 1 if tiny else ROUNDS[name]
    for _ in range(rounds):
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
        "rounds": rounds,
        "lay_ms": round(1000 * med(lay), 1),
        "metrics_ms": round(1000 * med(metrics), 1),
        "render_png_ms": round(1000 * med(draw), 1),
        "simulate_ms": round(1000 * (med(lay) + med(metrics)), 1),
        "total_with_heatmap_ms": round(1000 * med(total), 1),
        "numpy_one_pass_ms": round(1000 * floor, 3),
        "metrics_to_numpy_pass_ratio": round(med(metrics) / floor),
        "peak_traced_mb": round(peak / 2**20, 1),
        **_measure_vs_kdtree(sim, rounds),
    }


def _cli(*, tiny: bool = False) -> dict[str, Any]:
    """``pinpoint coverage simulate`` with its PNG heatmap, as a user runs it, beyond a bare numpy + matplotlib."""
    exe = str(Path(sys.executable).parent / "pinpoint")
    rounds = 1 if tiny else 9
    with tempfile.TemporaryDirectory() as tmp:
        where = ["--area-cm2", "20"] if tiny else ["--zone", "full_face"]
        cases = {
            "bare": [sys.executable, "-c", "import numpy, matplotlib"],
            "cli": [
                exe, "coverage", "simulate", "--device", "roller_192_150", "--passes", "16", *where,
                "--plot", str(Path(tmp) / "face.png"),
            ],
        }
        times: dict[str, list[float]] = {k: [] for k in cases}
        for argv in cases.values():  # warm the file and font caches once
            subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
        for _ in range(rounds):
            for k, argv in cases.items():
                t0 = time.perf_counter()
                subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
                times[k].append(time.perf_counter() - t0)
    bare, cli = statistics.median(times["bare"]), statistics.median(times["cli"])
    return {
        "rounds": rounds,
        "bare_numpy_matplotlib_ms": round(1000 * bare, 1),
        "cli_full_face_16_with_heatmap_ms": round(1000 * cli, 1),
        "cli_beyond_bare_ms": round(1000 * (cli - bare), 1),
    }


def run(*, tiny: bool = False) -> dict[str, object]:
    out: dict[str, object] = {"cpus": os.cpu_count()}
    for name, spec in CASES.items():
        out[name] = _case(name, spec, tiny=tiny)
    out["cli_full_face_roller_16"] = _cli(tiny=tiny)
    out["process_peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return out


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2))
