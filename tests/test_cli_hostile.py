"""Hostile input files and dates: every command that reads a file answers one line on stderr and exit 2.

Sizes, nesting, numbers, dates, types, bytes: whatever a file holds, the CLI never prints a
traceback. In-process runs for the many shapes (Hypothesis), real processes for what only a
process shows (``/dev/zero``, a FIFO that never ends, memory and time bounds).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pinpoint.cli.common import MAX_FILE_BYTES, MAX_INT_DIGITS, MAX_NESTING, one_line
from tests.cli_helpers import cli
from tests.conftest import SAFE_ANSWERS

FIVE_MB = "larger than 5 MB"


def _commands(path: Path) -> dict[str, list[str]]:
    """Every command that reads a file, reading ``path`` (the policy file is read first, then answers)."""
    plan = ["--indication", "fine_lines", "--zone", "cheek", "--setting", "clinic"]
    return {
        "screen": ["screen", str(path)],
        "plan --answers": ["plan", *plan, "--answers", str(path)],
        "guide --answers": ["guide", *plan, "--answers", str(path)],
        "hair plan --answers": ["hair", "plan", "--area", "upper_lip", "--modality", "blend", "--answers", str(path)],
        "--policy": ["plan", *plan, "--policy", str(path)],
    }


def _one_error_line(code: int, out: str, err: str, where: str) -> str:
    assert code == 2, f"{where}: exit {code}, stderr {err[:300]!r}"
    assert out == "", f"{where}: stdout {out[:300]!r}"
    assert err.startswith("pinpoint: error: "), f"{where}: {err[:300]!r}"
    assert err.endswith("\n"), where
    assert err.count("\n") == 1, f"{where}: {err[:300]!r}"
    assert "Traceback" not in err, where
    return err


def _run_all(capsys: pytest.CaptureFixture[str], path: Path) -> dict[str, str]:
    errors = {}
    for name, argv in _commands(path).items():
        code, out, err = cli(capsys, *argv, "--json")
        errors[name] = _one_error_line(code, out, err, f"{name} on {path.name}")
    return errors


# --- the shapes the issue names ------------------------------------------------------------------

SHAPES: dict[str, tuple[str, bytes, str]] = {
    # name: (suffix, content, what the message says)
    "100,000 nested brackets": (".json", b'{"zones": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "nested more than"),
    "100,000 nested TOML arrays": (".toml", b"zones = " + b"[" * 100_000 + b"]" * 100_000, "nested more than"),
    "a 5,000-digit integer": (".json", b'{"skin_type": ' + b"9" * 5000 + b"}", "more than 15 digits"),
    "a 5,000-digit TOML integer": (".toml", b"skin_type = " + b"9" * 5000, "more than 15 digits"),
    "a 4,000-digit TOML integer": (".toml", b"skin_type = " + b"9" * 4000, "more than 15 digits"),
    "an infinite float": (".json", b'{"skin_type": 1e999}', "too large"),
    "NaN": (".json", b'{"skin_type": NaN}', "NaN is not a number"),
    "TOML inf": (".toml", b"skin_type = inf", "not finite"),
    "nested 17 levels": (".json", b'{"zones": ' + b"[" * 17 + b"]" * 17 + b"}", "nested more than 16 levels"),
    "one byte over 5 MB": (".json", b" " * MAX_FILE_BYTES + b"{}", FIVE_MB),
    "not UTF-8": (".json", b'{"zones": "\xff\xfe"}', "is not UTF-8 text (byte 12 is not)"),
    "binary": (".toml", bytes(range(256)), "not UTF-8"),
    "empty JSON": (".json", b"", "line 1"),
    "a list at the top": (".json", b"[1, 2]", "expected an object"),
}


@pytest.mark.parametrize("shape", list(SHAPES))
def test_each_hostile_shape_is_one_line_naming_what_is_wrong(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, shape: str
) -> None:
    suffix, content, says = SHAPES[shape]
    path = tmp_path / f"hostile{suffix}"
    path.write_bytes(content)
    for name, err in _run_all(capsys, path).items():
        assert says in err, f"{shape}, {name}: {err[:300]!r}"


def test_the_size_limit_is_exact(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """5 MB of valid answers (padded with spaces) are read; one byte more is refused, naming the limit."""
    body = json.dumps(SAFE_ANSWERS).encode()
    at_limit = tmp_path / "at.json"
    at_limit.write_bytes(body + b" " * (MAX_FILE_BYTES - len(body)))
    code, _, err = cli(capsys, "screen", str(at_limit), "--json")
    assert (code, err) == (0, "")
    over = tmp_path / "over.json"
    over.write_bytes(body + b" " * (MAX_FILE_BYTES - len(body) + 1))
    code, _, err = cli(capsys, "screen", str(over), "--json")
    assert (code, err) == (2, f"pinpoint: error: answers file '{over}' is larger than 5 MB\n")


def test_limits_are_the_documented_ones() -> None:
    assert (MAX_FILE_BYTES, MAX_NESTING, MAX_INT_DIGITS) == (5 * 1024 * 1024, 16, 15)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("birth_date", "9999-12-31"),
        ("birth_date", "0001-01-01"),
        ("isotretinoin_last_dose", "9999-12-31"),
        ("isotretinoin_last_dose", "0001-01-01"),
        ("radiation_zones", [{"zone": "cheek", "last_date": "9999-12-31"}]),
    ],
)
def test_dates_at_the_ends_of_the_calendar_are_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, field: str, value: Any
) -> None:
    path = tmp_path / "answers.json"
    path.write_text(json.dumps({**SAFE_ANSWERS, field: value}), encoding="utf-8")
    for name in ("screen", "plan --answers", "guide --answers", "hair plan --answers"):
        code, out, err = cli(capsys, *_commands(path)[name], "--json")
        _one_error_line(code, out, err, f"{name}: {field}={value}")


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["screen", "{answers}", "--on", "9999-12-31"], "--on 9999-12-31 is more than 5 years after"),
        (["screen", "{answers}", "--on", "0001-01-01"], "--on 0001-01-01 is more than 120 years before"),
        (["plan", "--indication", "fine_lines", "--zone", "cheek", "--setting", "clinic", "--start", "9999-12-31"],
         "--start 9999-12-31 is more than 5 years after"),
        (["guide", "--indication", "fine_lines", "--zone", "cheek", "--setting", "clinic", "--on", "9999-12-31"],
         "--on 9999-12-31 is more than 5 years after"),
        (["hair", "plan", "--area", "upper_lip", "--modality", "blend", "--start", "9999-12-31"],
         "--start 9999-12-31 is more than 5 years after"),
    ],
)  # fmt: skip
def test_dates_typed_on_the_command_line_stay_in_range(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, argv: list[str], says: str
) -> None:
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps(SAFE_ANSWERS), encoding="utf-8")
    code, out, err = cli(capsys, *(a.format(answers=answers) for a in argv), "--json")
    assert says in _one_error_line(code, out, err, " ".join(argv))


def test_an_unknown_key_with_a_newline_and_a_megabyte_name_is_still_one_short_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "answers.json"
    path.write_text(json.dumps({**SAFE_ANSWERS, "bad\nkey" + "x" * 1_000_000: True}), encoding="utf-8")
    code, out, err = cli(capsys, "screen", str(path), "--json")
    _one_error_line(code, out, err, "long key")
    assert len(err) < 500
    assert "bad\\nkey" in err


def test_one_line_escapes_control_characters_and_cuts() -> None:
    assert one_line("a\nb\tc\x00") == "a\\nb\\tc\\x00"
    assert one_line("x" * 1000) == "x" * 399 + "…"


# --- Hypothesis: any shape of answers file ---------------------------------------------------------

_leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
    st.dates().map(str),
    st.sampled_from(["9999-12-31", "0001-01-01", "2026-02-30", "1900-01-01", "2100-01-01", "cheek", "III"]),
)
_value = st.recursive(
    _leaf,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=12,
)
_fields = st.sampled_from(
    ["treatment", "setting", "zones", "birth_date", "skin_type", "isotretinoin_last_dose", "radiation_zones",
     "pregnant", "diabetes", "active_acne_zones", "answered", "unknown"]
)  # fmt: skip


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(changes=st.dictionaries(_fields, _value, max_size=4), drop=st.lists(_fields, max_size=3))
def test_any_answers_file_is_a_verdict_or_one_error_line(
    capsys: pytest.CaptureFixture[str], tmp_path_factory: pytest.TempPathFactory, changes: dict[str, Any],
    drop: list[str],
) -> None:  # fmt: skip
    data = {k: v for k, v in {**SAFE_ANSWERS, **changes}.items() if k not in drop}
    path = tmp_path_factory.mktemp("h") / "answers.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    for name in ("screen", "plan --answers"):
        code, out, err = cli(capsys, *_commands(path)[name], "--json")
        if code == 0:
            assert err == ""
            json.loads(out)
        else:
            _one_error_line(code, out, err, f"{name}: {data!r}"[:500])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(content=st.one_of(st.binary(max_size=200), st.text(max_size=200).map(str.encode)), toml=st.booleans())
def test_any_bytes_are_one_error_line(
    capsys: pytest.CaptureFixture[str], tmp_path_factory: pytest.TempPathFactory, content: bytes, toml: bool
) -> None:
    path = tmp_path_factory.mktemp("b") / ("answers.toml" if toml else "answers.json")
    path.write_bytes(content)
    code, out, err = cli(capsys, "screen", str(path), "--json")
    _one_error_line(code, out, err, repr(content))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(depth=st.integers(min_value=MAX_NESTING, max_value=50_000), opener=st.sampled_from(["[", '{"a":']))
def test_any_nesting_past_the_limit_is_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path_factory: pytest.TempPathFactory, depth: int, opener: str
) -> None:
    closer = "]" if opener == "[" else "}"
    path = tmp_path_factory.mktemp("n") / "answers.json"
    inner = "" if opener == "[" else "1"
    path.write_text('{"zones": ' + opener * depth + inner + closer * depth + "}", encoding="utf-8")
    code, out, err = cli(capsys, "screen", str(path), "--json")
    assert "nested more than 16 levels" in _one_error_line(code, out, err, f"depth {depth}")


# --- the other files a command reads: a client's counts, saved chain heads ------------------------------

OTHER_READERS = {
    "hair plan --counts": ["hair", "plan", "--area", "upper_lip", "--modality", "blend", "--counts"],
    "verify --against": ["verify", "--against"],
}
NOT_FOR_BOTH = ("a list at the top", "empty JSON")  # a list of counts is allowed; empty counts read as CSV
JSON_SHAPES = [name for name, (suffix, _, _) in SHAPES.items() if suffix == ".json" and name not in NOT_FOR_BOTH]


@pytest.mark.parametrize("shape", JSON_SHAPES)
def test_counts_and_saved_heads_are_read_within_the_same_limits(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, shape: str
) -> None:
    """Both read JSON with their own checks after; the limits come first (a traceback here before)."""
    _, content, says = SHAPES[shape]
    path = tmp_path / "hostile.json"
    path.write_bytes(content)
    for name, argv in OTHER_READERS.items():
        code, out, err = cli(capsys, *argv, str(path))
        assert says in _one_error_line(code, out, err, f"{name} on {shape}"), f"{name}, {shape}: {err!r}"


def test_a_counts_csv_with_a_huge_field_is_one_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "counts.csv"
    path.write_text("date," + "x" * 200_000 + "\n")
    code, out, err = cli(capsys, *OTHER_READERS["hair plan --counts"], str(path))
    assert "not a CSV file with a header row (field larger than field limit (131072))" in _one_error_line(
        code, out, err, "csv"
    )


# --- real processes ----------------------------------------------------------------------------------


def _pinpoint(*argv: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Run ``python -m pinpoint.cli`` with its address space capped at 1 GB."""
    limit = "import resource; resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30)); "
    code = limit + "import sys; from pinpoint.cli.main import main; sys.argv[0] = 'pinpoint'; main(sys.argv[1:])"
    return subprocess.run(
        [sys.executable, "-c", code, *argv], capture_output=True, text=True, timeout=timeout, check=False
    )


def test_dev_zero_stops_at_the_limit_in_a_real_process() -> None:
    done = _pinpoint("screen", "/dev/zero", timeout=30)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == "pinpoint: error: answers file '/dev/zero' is larger than 5 MB\n"


@pytest.mark.parametrize("name", list(OTHER_READERS))
def test_dev_zero_as_counts_or_saved_heads_stops_at_the_limit(name: str) -> None:
    done = _pinpoint(*OTHER_READERS[name], "/dev/zero", timeout=30)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == f"pinpoint: error: {OTHER_READERS[name][-1]} file '/dev/zero' is larger than 5 MB\n"


def test_an_endless_fifo_stops_at_the_limit_in_a_real_process(tmp_path: Path) -> None:
    fifo = tmp_path / "answers.json"
    os.mkfifo(fifo)

    def feed() -> None:
        try:
            with fifo.open("wb") as pipe:
                while True:
                    pipe.write(b" " * 65536)
        except (BrokenPipeError, OSError):
            return

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    done = _pinpoint("screen", str(fifo), timeout=30)
    writer.join(timeout=10)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == f"pinpoint: error: answers file '{fifo}' is larger than 5 MB\n"


@pytest.mark.parametrize("shape", ["100,000 nested brackets", "a 5,000-digit integer", "not UTF-8"])
def test_hostile_files_in_a_real_process(tmp_path: Path, shape: str) -> None:
    suffix, content, says = SHAPES[shape]
    path = tmp_path / f"hostile{suffix}"
    path.write_bytes(content)
    done = _pinpoint("plan", "--indication", "fine_lines", "--zone", "cheek", "--setting", "clinic", "--answers",
                     str(path))  # fmt: skip
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.count("\n") == 1
    assert says in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["restore", "/dev/zero"], "restore: backup file /dev/zero is not a regular file"),
        (["import", "/dev/zero"], "file '/dev/zero' is not a regular file"),
    ],
)
def test_restore_and_import_name_a_device_for_what_it_is(tmp_path: Path, argv: list[str], says: str) -> None:
    """Both refuse anything but a regular file before reading it; a device was said not to exist."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"} | {"PINPOINT_DATA_DIR": str(tmp_path)}
    done = subprocess.run(
        [str(Path(sys.executable).parent / "pinpoint"), *argv], capture_output=True, text=True, timeout=60, env=env,
        check=False,
    )  # fmt: skip
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == f"pinpoint: error: {says} (a directory, a device or a pipe)\n"
