"""Cold start of ``pinpoint plan --json`` and ``pinpoint screen --json`` as whole processes.

The baseline is ``python -c pass`` on the same interpreter, timed in the same run and
interleaved with the commands, so machine noise hits all three alike. Figures: median and
best wall time in ms, and the ratio of each command's median to the baseline's.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

ROUNDS = 15
EXAMPLES = Path(__file__).parents[1] / "src" / "pinpoint" / "examples"


def _time(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def run() -> dict[str, object]:
    # An installed package ships compiled bytecode (pip compiles it); an editable checkout run with
    # PYTHONDONTWRITEBYTECODE set would recompile every module on every start. Compile once so the
    # figure measures the program, not the checkout.
    src = Path(__file__).parents[1] / "src" / "pinpoint"
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(src)], check=True)
    exe = str(Path(sys.executable).parent / "pinpoint")
    cases = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "pinpoint plan --json": [
            exe, "plan", "--indication", "acne_scars", "--zone", "full_face", "--setting", "clinic",
            "--start", "2027-01-04", "--json",
        ],
        "pinpoint screen --json": [exe, "screen", str(EXAMPLES / "client-clinic.toml"), "--on", "2027-01-04", "--json"],
    }
    for argv in cases.values():  # warm the file cache once
        _time(argv)
    times: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(ROUNDS):
        for name, argv in cases.items():
            times[name].append(_time(argv))
    base = statistics.median(times["python -c pass"])
    out: dict[str, object] = {"rounds": ROUNDS}
    for name, samples in times.items():
        med = statistics.median(samples)
        out[name] = {
            "median_ms": round(med * 1000, 1),
            "best_ms": round(min(samples) * 1000, 1),
            "ratio_to_python": round(med / base, 2),
        }
    return out
