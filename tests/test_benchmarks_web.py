"""The web load benchmark runs on a tiny data set (SQLite, 20 clients, a fraction of a second a URL),
so it keeps working as the pages under it change; it checks the script, not the figures."""

from __future__ import annotations

import importlib.util
from pathlib import Path

BENCHMARK = Path(__file__).parents[1] / "benchmarks" / "bench_web.py"


def test_web_benchmark_runs_tiny() -> None:
    spec = importlib.util.spec_from_file_location("bench_web", BENCHMARK)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    out = module.run(tiny=True)
    assert set(out) == {"server", "load", "goals", "sqlite"}
    sqlite = out["sqlite"]
    assert (sqlite["vendor"], sqlite["clients"], sqlite["sessions"]) == ("sqlite", 20, 1000)
    assert sqlite["timeline_bytes"] > 0 and sqlite["dashboard_bytes"] > 0
    assert sqlite["dashboard_afresh_bytes"] == sqlite["dashboard_bytes"]  # the same page, kept or computed
    assert sqlite["timeline_afresh_bytes"] == sqlite["timeline_bytes"]
    # "ok"; "ok 1" (the organization); "ok 3" (the view row it logged, after the two timelines checked first)
    assert (sqlite["trivial_bytes"], sqlite["floor_actor_bytes"], sqlite["floor_view_log_bytes"]) == (2, 4, 4)
    pages = ("floor_actor", "floor_view_log", "timeline", "timeline_afresh", "dashboard", "dashboard_afresh")
    for level in ("concurrency_4", "concurrency_20"):
        figures = sqlite[level]
        assert set(figures) == {"trivial", *pages}
        assert figures["trivial"]["req_per_s"] > 0
        for page in pages:
            row = figures[page]
            assert row["requests"] > 0
            assert row["req_per_s_pct"] == round(100 * row["req_per_s"] / figures["trivial"]["req_per_s"], 1)
            assert row["p99_ratio"] == round(row["p99_ms"] / figures["trivial"]["p99_ms"], 2)
            assert row["goal_pct_met"] is (row["req_per_s_pct"] >= module.GOAL_PCT)
            assert row["goal_p99_met"] is (row["p99_ratio"] <= module.GOAL_P99)
