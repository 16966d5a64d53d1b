"""The benchmark scripts run on tiny sizes, so they keep working as the code under them changes."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

BENCHMARKS = Path(__file__).parents[1] / "benchmarks"


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, BENCHMARKS / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_coverage_benchmark_runs_tiny() -> None:
    out = _load("bench_coverage").run(tiny=True)
    face = out["full_face_roller_16"]
    assert face["rounds"] == 1
    assert face["punctures_in_zone"] > 0
    assert face["measure_ms"] > 0
    assert face["kdtree_build_and_query_ms"] > 0
    assert face["measure_to_kdtree_ratio"] > 0
    cli = out["cli_full_face_roller_16"]
    assert set(cli) == {"rounds", "bare_numpy_matplotlib_ms", "cli_full_face_16_with_heatmap_ms", "cli_beyond_bare_ms"}
