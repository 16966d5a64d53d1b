"""The CLI contract: JSON shapes, exit codes, one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli_helpers import cli, cli_json
from tests.conftest import SAFE_ANSWERS

EXAMPLES = Path(__file__).parents[1] / "src" / "pinpoint" / "examples"


@pytest.fixture
def answers_file(tmp_path: Path) -> Path:
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(SAFE_ANSWERS), encoding="utf-8")
    return path


@pytest.mark.parametrize("command", ["zones", "indications", "devices", "sources"])
def test_listings_are_json_lists_with_ids(capsys: pytest.CaptureFixture[str], command: str) -> None:
    data = cli_json(capsys, command)
    assert isinstance(data, list)
    assert len({row["id"] for row in data}) == len(data) > 5


def test_zone_listing_carries_area_and_sources(capsys: pytest.CaptureFixture[str]) -> None:
    zones = {z["id"]: z for z in cli_json(capsys, "zones")}
    assert zones["full_face"]["area_cm2"]["value"] == 510
    assert zones["periorbital"]["depth_mm"]["max"] == 0.5
    assert zones["periorbital"]["depth_mm"]["sources"] == ["mnbeforeafter", "drpen-net", "glow-refinery"]


def test_screen_json_contract(capsys: pytest.CaptureFixture[str], answers_file: Path) -> None:
    data = cli_json(capsys, "screen", str(answers_file), "--on", "2026-11-25")
    assert {"verdict", "defer_until", "findings"} <= set(data)
    assert (data["verdict"], data["defer_until"], data["findings"]) == ("proceed", None, [])


def test_screen_defer_json(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "a.toml"
    lines = [f"{k} = {json.dumps(v)}" for k, v in SAFE_ANSWERS.items() if v is not None and k != "radiation_zones"]
    path.write_text(
        "\n".join([*lines, "isotretinoin_last_dose = 2026-09-01", "radiation_zones = []"]), encoding="utf-8"
    )
    data = cli_json(capsys, "screen", str(path), "--on", "2026-11-25")
    assert (data["verdict"], data["defer_until"]) == ("defer", "2027-03-02")
    (finding,) = data["findings"]
    assert {k: finding[k] for k in ("rule", "verdict", "zones", "sources")} == {
        "rule": "isotretinoin",
        "verdict": "defer",
        "zones": ["cheek"],
        "sources": ["projectlead", "skinpen-labelling"],
    }


def test_plan_json_contract(capsys: pytest.CaptureFixture[str]) -> None:
    data = cli_json(
        capsys,
        "plan",
        "--indication",
        "acne_scars",
        "--zone",
        "cheek",
        "--zone",
        "forehead",
        "--setting",
        "clinic",
        "--start",
        "2027-01-04",
    )
    assert {"indication", "setting", "zones", "schedule", "aftercare", "warnings", "sources"} <= set(data)
    cheek = data["zones"][0]
    assert {"zone", "depth_mm", "passes", "interval_days", "sessions", "endpoint", "sources"} <= set(cheek)
    assert (cheek["zone"], cheek["depth_mm"], cheek["interval_days"]) == (
        "cheek",
        {"min": 1.0, "max": 2.0},
        {"min": 28.0, "max": 42.0},
    )
    parts = [
        {"zone": "cheek", "portion": 1, "portions": 1, "area_cm2": 180.0, "numbed": True, "label": "Cheeks (both)"},
        {"zone": "forehead", "portion": 1, "portions": 1, "area_cm2": 110.0, "numbed": False, "label": "Forehead"},
    ]
    assert data["schedule"] == [
        {"session": n, "date": day, "visit": 1, "zones": ["cheek", "forehead"], "parts": parts}
        for n, day in ((1, "2027-01-04"), (2, "2027-02-01"), (3, "2027-03-01"))
    ]
    assert [r["id"] for r in data["rules"]] == ["anaesthetic_area_per_visit"]


def test_plan_with_policy_file_shows_the_override(capsys: pytest.CaptureFixture[str]) -> None:
    data = cli_json(
        capsys,
        "plan",
        "--indication",
        "fine_lines",
        "--zone",
        "cheek",
        "--setting",
        "home",
        "--policy",
        str(EXAMPLES / "policy-strict.toml"),
        "--start",
        "2027-01-04",
    )
    assert data["zones"][0]["depth_mm"] == {"min": 0.2, "max": 0.25}
    assert {"policy": "home_depth_cap_mm", "value": 0.25, "default": 0.3, "unit": "mm"} in data["policy_overrides"]


def test_guide_json_contract(capsys: pytest.CaptureFixture[str]) -> None:
    data = cli_json(capsys, "guide", "--indication", "acne_scars", "--zone", "cheek", "--setting", "clinic")
    for step in data["steps"]:
        assert {"kind", "title", "minutes", "zones", "sources"} <= set(step)
    apply = next(s for s in data["steps"] if s["kind"] == "anaesthetic-apply")
    assert apply["minutes"] == {"min": 30.0, "max": 30.0}
    for item in data["aftercare"]:
        assert {"kind", "text", "hours", "sources"} <= set(item)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["plan", "--indication", "acne_scars", "--zone", "chek", "--setting", "clinic"],
            "pinpoint: error: unknown zone 'chek'; did you mean 'cheek'?",
        ),
        (
            ["plan", "--indication", "acne_scars", "--zone", "cheek", "--setting", "clinic", "--start", "2026-02-30"],
            "pinpoint: error: --start: '2026-02-30' is not a valid date (day is out of range for month); "
            "use YYYY-MM-DD",
        ),
        (
            ["plan", "--indication", "acne_scars", "--zone", "cheek", "--setting", "home"],
            "pinpoint: error: acne_scars on cheek has no home protocol: it needs 1-2 mm, deeper than the home cap "
            "of 0.3 mm (policy home_depth_cap_mm); plan it in a clinic",
        ),
        (
            ["plan", "--indication", "acne_scars", "--zone", "cheek", "--setting", "spa"],
            "pinpoint: error: --setting must be 'home' or 'clinic', got 'spa'",
        ),
        (
            ["plan", "--indication", "acne_scars", "--zone", "cheek", "--setting", "clinic", "--skin-type", "VII"],
            "pinpoint: error: --skin-type must be a Fitzpatrick type I to VI, got 'VII'",
        ),
        (
            ["guide", "--indication", "acne", "--zone", "cheek", "--setting", "clinic"],
            "pinpoint: error: unknown indication 'acne'; did you mean 'acne_scars'?",
        ),
        (
            ["screen", "/nonexistent/answers.json"],
            "pinpoint: error: answers file '/nonexistent/answers.json' does not exist",
        ),
        (["plan", "--indication", "acne_scars", "--setting", "clinic"], "pinpoint: error: Missing option '--zone'."),
    ],
)
def test_errors_are_one_line_on_stderr_with_exit_2(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, out, err = cli(capsys, *argv)
    assert (code, out, err) == (2, "", message + "\n")


def test_malformed_answers_name_field_and_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    body = json.dumps({**SAFE_ANSWERS, "pregnent": False}, indent=2)
    path.write_text(body, encoding="utf-8")
    code, _, err = cli(capsys, "screen", str(path))
    line = body.splitlines().index('  "pregnent": false') + 1
    assert (code, err) == (
        2,
        f"pinpoint: error: {path}: line {line}: unknown field 'pregnent'; did you mean 'pregnant'?\n",
    )
    path.write_text('{"treatment": "microneedling",\n "zones": [,]}', encoding="utf-8")
    code, _, err = cli(capsys, "screen", str(path))
    assert (code, err) == (2, f"pinpoint: error: {path}: line 2: Expecting value\n")


def test_bad_policy_file(capsys: pytest.CaptureFixture[str], tmp_path: Path, answers_file: Path) -> None:
    policy = tmp_path / "p.toml"
    policy.write_text("[policy]\nhome_depth_cap_mm = 3.0\n", encoding="utf-8")
    code, _, err = cli(capsys, "screen", str(answers_file), "--policy", str(policy))
    assert (code, err) == (
        2,
        f"pinpoint: error: {policy}: line 2: policy 'home_depth_cap_mm' = 3 mm is outside the allowed 0.1-1 mm\n",
    )


def test_plan_blocked_by_screening(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    path.write_text(json.dumps({**SAFE_ANSWERS, "pregnant": True}), encoding="utf-8")
    code, out, err = cli(
        capsys,
        "plan",
        "--indication",
        "acne_scars",
        "--zone",
        "cheek",
        "--setting",
        "clinic",
        "--answers",
        str(path),
        "--start",
        "2026-12-01",
    )
    assert (code, out) == (2, "")
    assert err.startswith("pinpoint: error: screening verdict 'contraindicated': pregnancy")


def test_real_process_prints_only_json_on_stdout() -> None:
    exe = Path(sys.executable).parent / "pinpoint"
    done = subprocess.run(
        [
            str(exe),
            "plan",
            "--indication",
            "androgenetic_alopecia",
            "--zone",
            "scalp",
            "--setting",
            "home",
            "--start",
            "2027-01-01",
            "--json",
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert (done.returncode, done.stderr) == (0, "")
    data = json.loads(done.stdout)
    assert data["zones"][0]["depth_mm"] == {"min": 0.2, "max": 0.3}
    bad = subprocess.run([str(exe), "zones", "--jsn"], capture_output=True, text=True, check=False, timeout=60)
    assert (bad.returncode, bad.stdout) == (2, "")
    assert bad.stderr.count("\n") == 1
    assert "Traceback" not in bad.stderr


def test_human_output_shows_sources(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "plan", "--indication", "acne_scars", "--zone", "cheek", "--setting", "clinic")
    assert code == 0
    assert "harris2015" in out
    assert "Aftercare" in out


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("koebner", "koebner_condition"),
        ("sunburn", "sunburn_zones"),
        ("tattoo", "tattoo_zones"),
        ("retinoid", "retinoid_last_use"),
        ("anaesthetic", "anaesthetic_risks"),
    ],
)
def test_an_answers_field_typed_short_is_suggested_in_full(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, typed: str, meant: str
) -> None:
    path = tmp_path / "a.json"
    path.write_text(json.dumps({**SAFE_ANSWERS, typed: None}), encoding="utf-8")
    code, out, err = cli(capsys, "screen", str(path), "--on", "2026-11-25")
    assert (code, out, err) == (
        2,
        "",
        f"pinpoint: error: {path}: line 1: unknown field '{typed}'; did you mean '{meant}'?\n",
    )


@pytest.mark.parametrize("command", ["screen", "plan", "guide"])
@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        (
            "sunburn_zones",
            [{"zone": "cheek", "date": "2026-12-01"}],
            "field 'sunburn_zones': sunburn date 2026-12-01 is in the future (after 2026-11-25); "
            "it must be a past date",
        ),
        (
            "neuromodulator_zones",
            [{"zone": "cheek", "last_date": "1970-01-01"}],
            "field 'neuromodulator_zones': last toxin injection 1970-01-01 is before the date of birth 1985-06-15",
        ),
        (
            "retinoid_last_use",
            "2026-11-26",
            "field 'retinoid_last_use': last retinoid use 2026-11-26 is in the future (after 2026-11-25); "
            "it must be a past date",
        ),
    ],
)
def test_an_impossible_answer_date_names_file_and_field_for_every_command(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, command: str, field: str, value: object, message: str
) -> None:
    path = tmp_path / "a.json"
    path.write_text(json.dumps({**SAFE_ANSWERS, field: value}), encoding="utf-8")
    day = {"screen": ["--on"], "plan": ["--start"], "guide": ["--on"]}[command] + ["2026-11-25"]
    plan_args = ["--indication", "fine_lines", "--zone", "cheek", "--setting", "clinic", "--answers", str(path)]
    argv = [command, str(path), *day] if command == "screen" else [command, *plan_args, *day]
    code, out, err = cli(capsys, *argv)
    assert (code, out, err) == (2, "", f"pinpoint: error: {path}: line 1: {message}\n")
