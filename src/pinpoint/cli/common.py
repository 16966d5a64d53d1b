"""What every CLI command shares: reading input files, dates, the policy file, and output.

Kept light: no numpy, no Django, so ``pinpoint plan`` starts fast.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
import tomllib
from pathlib import Path
from typing import Any

from pinpoint.core.errors import InputError, PinpointError
from pinpoint.evidence.loader import Evidence, PolicyError, load_evidence

__all__ = [
    "emit_json",
    "evidence_with_policy",
    "fmt_span",
    "parse_date",
    "read_data_file",
    "today",
]


def today() -> dt.date:
    """The local calendar date (the only place the CLI reads the clock)."""
    return dt.datetime.now().astimezone().date()


def parse_date(value: str | None, option: str, default: dt.date | None = None) -> dt.date | None:
    """Parse ``YYYY-MM-DD`` given to ``option``; an impossible date is an :class:`InputError`."""
    if value is None:
        return default
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError as exc:
        raise InputError(option, f"{option}: '{value}' is not a valid date ({exc}); use YYYY-MM-DD") from None


def _line_of(text: str, key: str) -> int | None:
    pattern = re.compile(rf'(?:^|[\s{{,])(?P<key>"?{re.escape(key)}"?)\s*[:=]', re.MULTILINE)
    match = pattern.search(text)
    return text.count("\n", 0, match.start("key")) + 1 if match else None


def read_data_file(path: Path, what: str) -> tuple[dict[str, Any], str]:
    """Read a JSON or TOML file into a dict; returns the data and the raw text (for line numbers)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(what, f"{what} file '{path}' does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(what, f"{what} file '{path}' cannot be read: {exc}") from None
    as_toml = path.suffix.lower() == ".toml" or (path.suffix.lower() != ".json" and not text.lstrip().startswith("{"))
    try:
        data: Any = tomllib.loads(text) if as_toml else json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(what, f"{path}: line {exc.lineno}: {exc.msg}") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(what, f"{path}: {exc}") from None
    if not isinstance(data, dict):
        raise InputError(what, f"{path}: expected an object of fields at the top level")
    return data, text


def with_line(exc: PinpointError, path: Path, text: str) -> PinpointError:
    """The same error, its message prefixed with the file and the line of the field."""
    line = _line_of(text, exc.field)
    where = f"{path}: line {line}: " if line else f"{path}: "
    return InputError(exc.field, where + exc.message)


def evidence_with_policy(policy_file: Path | None) -> Evidence:
    """The evidence base, with the overrides of ``policy_file`` (JSON or TOML) applied."""
    ev = load_evidence()
    if policy_file is None:
        return ev
    data, text = read_data_file(policy_file, "--policy")
    overrides = data.get("policy", data)
    if not isinstance(overrides, dict):
        raise InputError("--policy", f"{policy_file}: 'policy' must be a table of policy values")
    try:
        return ev.with_policy(overrides)
    except PolicyError as exc:
        line = _line_of(text, exc.field)
        where = f"line {line}: " if line else ""
        raise InputError("--policy", f"{policy_file}: {where}{exc}") from None


def emit_json(data: Any) -> None:
    """Write ``data`` as JSON to stdout (and nothing else)."""
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")


def fmt_span(span: Any, unit: str = "") -> str:
    """``"1-2 mm"`` or ``"1.5 mm"`` for a span with ``min``/``max``; ``"-"`` for ``None``."""
    if span is None:
        return "-"
    lo, hi = span["min"] if isinstance(span, dict) else span.min, span["max"] if isinstance(span, dict) else span.max
    text = f"{lo:g}" if lo == hi else f"{lo:g}-{hi:g}"
    return f"{text} {unit}".rstrip()
