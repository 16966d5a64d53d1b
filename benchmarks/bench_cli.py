"""Cold start of ``pinpoint plan/screen/guide --json`` as whole processes, beside the floor their libraries set.

The baseline is ``python -c pass`` on the same interpreter, timed in the same run and interleaved
with every other case, so machine noise hits them all alike. Beside the three commands, two floors
are timed the same way: ``python -c "import typer"`` (the command-line library alone) and Typer
plus pydantic's ``BaseModel`` (what any command that keeps Typer and typed results imports before
a line of Pinpoint runs). Figures: median and best wall time in ms, the ratio of each median to the
baseline's, and whether the goal of issue 13 (a command at most ``GOAL_RATIO`` times the baseline)
is met. Each command is first run once with its output read as JSON, so a broken command fails the
benchmark instead of timing an error message. ADR 0009 explains the figures.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROUNDS = 15
GOAL_RATIO = 6.0
EXAMPLES = Path(__file__).parents[1] / "src" / "pinpoint" / "examples"
COMMANDS = ("pinpoint plan --json", "pinpoint screen --json", "pinpoint guide --json")


def _time(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def _cases() -> dict[str, list[str]]:
    exe = str(Path(sys.executable).parent / "pinpoint")
    py = sys.executable
    return {
        "python -c pass": [py, "-c", "pass"],
        "python -c 'import typer'": [py, "-c", "import typer"],
        "python -c 'import typer; from pydantic import BaseModel'": [
            py, "-c", "import typer; from pydantic import BaseModel",
        ],
        "pinpoint plan --json": [
            exe, "plan", "--indication", "acne_scars", "--zone", "full_face", "--setting", "clinic",
            "--start", "2027-01-04", "--json",
        ],
        "pinpoint screen --json": [exe, "screen", str(EXAMPLES / "client-clinic.toml"), "--on", "2027-01-04", "--json"],
        "pinpoint guide --json": [
            exe, "guide", "--indication", "acne_scars", "--zone", "full_face", "--setting", "clinic",
            "--on", "2027-01-04", "--json",
        ],
    }  # fmt: skip


def run(rounds: int = ROUNDS) -> dict[str, object]:
    # An installed package ships compiled bytecode (pip compiles it); an editable checkout run with
    # PYTHONDONTWRITEBYTECODE set would recompile every module on every start. Compile once so the
    # figure measures the program, not the checkout.
    src = Path(__file__).parents[1] / "src" / "pinpoint"
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(src)], check=True)
    cases = _cases()
    for name in COMMANDS:  # each command answers JSON (and warms the file cache)
        done = subprocess.run(cases[name], check=True, capture_output=True, text=True)
        json.loads(done.stdout)
    for argv in cases.values():
        _time(argv)
    times: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(rounds):
        for name, argv in cases.items():
            times[name].append(_time(argv))
    base = statistics.median(times["python -c pass"])
    out: dict[str, object] = {"rounds": rounds, "goal_ratio": GOAL_RATIO}
    for name, samples in times.items():
        med = statistics.median(samples)
        row: dict[str, object] = {
            "median_ms": round(med * 1000, 1),
            "best_ms": round(min(samples) * 1000, 1),
            "ratio_to_python": round(med / base, 2),
        }
        if name in COMMANDS:
            row["goal_met"] = med / base <= GOAL_RATIO
        out[name] = row
    return out
