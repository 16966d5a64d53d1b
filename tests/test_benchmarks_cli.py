"""The CLI cold-start benchmark runs one round, so it keeps working as the commands change; it checks
the script (every case timed, every command answering JSON), not the figures."""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path

BENCHMARK = Path(__file__).parents[1] / "benchmarks" / "bench_cli.py"


def test_cli_benchmark_runs_one_round() -> None:
    spec = importlib.util.spec_from_file_location("bench_cli", BENCHMARK)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    out = module.run(rounds=1)
    cases = [
        "python -c pass",
        "python -c 'import typer'",
        "python -c 'import typer; from pydantic import BaseModel'",
        "pinpoint plan --json",
        "pinpoint screen --json",
        "pinpoint guide --json",
    ]
    assert list(out) == ["rounds", "goal_ratio", *cases]
    assert (out["rounds"], out["goal_ratio"]) == (1, 6.0)
    base = out["python -c pass"]
    assert base["ratio_to_python"] == 1.0
    for name in cases:
        row = out[name]
        assert row["median_ms"] == row["best_ms"] > 0  # one round: its only sample
        # the ratio is of the unrounded times: the rounded ones give it to within 1 %
        assert math.isclose(row["ratio_to_python"], row["median_ms"] / base["median_ms"], rel_tol=0.01)
        assert ("goal_met" in row) == (name.startswith("pinpoint"))
