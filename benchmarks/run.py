"""Run every benchmark (``benchmarks/bench_*.py``, ``*_bench.py``, each with ``run() -> dict``) and write the figures.

Results go to ``benchmarks/results/latest.json`` and are printed. Figures are ratios against a
baseline measured in the same run wherever one makes sense: the machines are shared and noisy.
"""

from __future__ import annotations

import importlib.util
import json
import platform
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent
OUT = HERE / "results" / "latest.json"


def main(names: list[str]) -> None:
    results: dict[str, object] = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "python": sys.version.split()[0],
        "machine": platform.machine(),
    }
    for path in sorted([*HERE.glob("bench_*.py"), *HERE.glob("hair_fit*.py"), *HERE.glob("*_bench.py")]):
        name = path.stem.removeprefix("bench_").removesuffix("_bench")
        if names and name not in names:
            continue
        spec = importlib.util.spec_from_file_location(path.stem, path)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        print(f"== {name}", flush=True)
        figures = module.run()
        results[name] = figures
        print(json.dumps(figures, indent=2), flush=True)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"written to {OUT}")


if __name__ == "__main__":
    main(sys.argv[1:])
