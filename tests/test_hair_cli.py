"""`pinpoint hair`: JSON contract, plots, one-line errors with exit 2, light start-up."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli_helpers import cli, cli_json
from tests.conftest import SAFE_ANSWERS

EXE = Path(sys.executable).parent / "pinpoint"
PLAN = ["hair", "plan", "--area", "upper_lip", "--modality", "thermolysis", "--start", "2027-01-04"]
QUICK = ["--density-per-cm2", "40", "--months", "6"]


def test_plan_json_contract(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["--density-per-cm2", "40", "--months", "18", "--session-minutes", "20", "--interval-days", "7"]
    args += ["--seed", "5"]
    data = cli_json(capsys, *PLAN, *args)
    assert set(data["sessions_to"]) == {"50", "80", "95"}
    assert all(v is None or isinstance(v, int) for v in data["sessions_to"].values())
    assert data["schedule"][:3] == ["2027-01-04", "2027-01-11", "2027-01-18"]
    assert len(data["schedule"]) == data["sessions_total"] == len(data["sessions"])
    # 800 follicles at 240 a session; a new hair takes 6-12 weeks to surface, so the last follicles show late,
    # but every one is destroyed within the 18 months and the course stops before the 79 weekly dates run out
    assert data["sessions"][-1]["remaining_after"] == 0
    assert data["sessions_to"]["95"] < data["sessions_total"] < 79
    assert data["curve"][0].keys() == {"day", "visible", "remaining"}
    assert len(data["curve"]) == 548  # 2027-01-04 to 2028-07-04, both ends
    assert data["hours_total"] == pytest.approx(sum(s["minutes_used"] for s in data["sessions"]) / 60, abs=0.01)
    echoed = (data["area"], data["modality"], data["density_per_cm2"], data["session_minutes"], data["interval_days"])
    assert echoed == ("upper_lip", "thermolysis", 40, 20, 7)
    assert (data["seed"], data["months"], data["auto_interval"], data["area_cm2"]) == (5, 18, False, 20)
    assert "pinpoint-hair-latency" in data["sources"]


def test_plan_is_the_same_in_process_and_as_a_real_process(capsys: pytest.CaptureFixture[str]) -> None:
    in_process = cli_json(capsys, *PLAN, *QUICK)
    proc = subprocess.run([str(EXE), *PLAN, *QUICK, "--json"], capture_output=True, text=True, check=False)
    assert (proc.returncode, proc.stderr) == (0, "")
    assert json.loads(proc.stdout) == in_process


def test_plan_table_names_the_prediction(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(capsys, *PLAN, *QUICK)
    assert (code, err) == (0, "")
    assert "upper_lip — thermolysis: 800 follicles" in out
    assert "Predicted:" in out
    assert "2027-01-04" in out


@pytest.mark.parametrize("suffix", [".png", ".svg"])
def test_plot_is_written(capsys: pytest.CaptureFixture[str], tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"curve{suffix}"
    code, _, err = cli(capsys, *PLAN, *QUICK, "--plot", str(path), "--json")
    assert (code, err) == (0, "")
    blob = path.read_bytes()
    if suffix == ".png":
        assert blob.startswith(b"\x89PNG\r\n\x1a\n")
        assert len(blob) > 20_000  # a drawn chart, not an empty canvas
    else:
        text = blob.decode("utf-8")
        assert "<svg" in text
        assert "<!-- Predicted electrolysis course: upper_lip, thermolysis -->" in text  # the title


@pytest.mark.parametrize("command", ["areas", "modalities"])
def test_listings(capsys: pytest.CaptureFixture[str], command: str) -> None:
    rows = cli_json(capsys, "hair", command)
    ids = [r["id"] for r in rows]
    expected = {"areas": 13, "modalities": 4}[command]
    assert len(set(ids)) == len(ids) == expected
    assert all(r["sources"] for r in rows)
    code, out, err = cli(capsys, "hair", command)
    assert (code, err) == (0, "")
    assert ids[0] in out


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            ["--modality", "galvanic", "--session-minutes", "0.5"],
            "a 0.5-minute session cannot treat a single hair: galvanic takes 47.5 s per follicle (0.79 min)",
        ),
        (["--interval-days", "-3"], "the interval must be 1 to 365 days, got -3"),
        (["--area", "chin"], "unknown electrolysis area 'chin'; did you mean 'chin_jawline'?"),
        (["--modality", "laser"], "unknown modality 'laser'"),
        (["--interval-days", "7", "--auto-interval"], "give a fixed interval or the automatic one, not both"),
        (["--plot", "curve.jpg"], "--plot must end in .png or .svg, got 'curve.jpg'"),
        (["--start", "2027-02-30"], "--start: '2027-02-30' is not a valid date"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(capsys: pytest.CaptureFixture[str], extra: list[str], message: str) -> None:
    argv = ["hair", "plan", "--area", "upper_lip", "--modality", "thermolysis", *extra]
    code, out, err = cli(capsys, *argv)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith("pinpoint: error: ")
    assert message in err


def test_bad_input_in_a_real_process_has_no_traceback() -> None:
    argv = [str(EXE), "hair", "plan", "--area", "upper_lip", "--modality", "galvanic", "--session-minutes", "0.1"]
    proc = subprocess.run(argv, capture_output=True, text=True, check=False)
    assert proc.returncode == 2
    assert proc.stderr.startswith("pinpoint: error: a 0.1-minute session cannot treat a single hair")
    assert "Traceback" not in proc.stderr


def test_answers_file_screens_the_plan(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    answers = {**SAFE_ANSWERS, "treatment": "electrolysis", "zones": ["legs"], "pacemaker_or_implant": True}
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(answers), encoding="utf-8")
    argv = ["hair", "plan", "--area", "legs", "--modality", "blend", "--answers", str(path), *QUICK]
    code, out, err = cli(capsys, *argv)
    assert (code, out) == (2, "")
    assert err.startswith("pinpoint: error: screening verdict 'contraindicated' for blend: pacemaker")
    path.write_text(json.dumps({**answers, "pacemaker_or_implant": False}), encoding="utf-8")
    data = cli_json(capsys, *argv, "--no-metal-implant")
    assert data["screening"]["verdict"] == "proceed"
    assert data["modality_findings"] == []


def test_cli_start_up_does_not_import_numpy_or_matplotlib() -> None:
    code = "import sys, pinpoint.cli.main; print(sorted(m for m in ('numpy', 'matplotlib') if m in sys.modules))"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.strip() == "[]"
