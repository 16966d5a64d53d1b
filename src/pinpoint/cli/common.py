"""What every CLI command shares: reading input files, dates, the policy file, and output.

Kept light: no numpy, no Django, so ``pinpoint plan`` starts fast.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from pinpoint.core.dates import check_future_date
from pinpoint.core.errors import InputError, PinpointError
from pinpoint.evidence.loader import Evidence, PolicyError, load_evidence

__all__ = [
    "MAX_FILE_BYTES",
    "MAX_INT_DIGITS",
    "MAX_NESTING",
    "JsonOpt",
    "console",
    "emit_json",
    "evidence_with_policy",
    "fmt_span",
    "one_line",
    "parse_date",
    "parse_json_text",
    "read_data_file",
    "read_text_file",
    "setup_records",
    "table",
    "today",
]

MAX_FILE_BYTES = 5 * 1024 * 1024
"""Largest input file read (5 MB): an answers or policy file is a few kB."""

MAX_NESTING = 16
"""Deepest nesting of lists and tables in an input file (answers nest three levels)."""

MAX_INT_DIGITS = 15
"""Most digits of an integer in an input file (no answer or policy value comes near)."""

_MAX_MESSAGE = 400
"""Longest error line printed; a hostile key or value is cut, not echoed in full."""

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON on stdout instead of tables.")]
"""The ``--json`` option every listing and planning command takes."""


def today() -> dt.date:
    """The local calendar date (the only place the CLI reads the clock)."""
    return dt.datetime.now().astimezone().date()


def parse_date(
    value: str | None, option: str, default: dt.date | None = None, *, on: dt.date | None = None
) -> dt.date | None:
    """Parse ``YYYY-MM-DD`` given to ``option``; an impossible or implausible date is an :class:`InputError`.

    Plausible is core's range for a date to plan, book or screen on, seen on ``on`` (default
    today): at most 5 years ahead, at most 120 years back.
    """
    if value is None:
        return default
    try:
        day = dt.date.fromisoformat(value.strip())
    except ValueError as exc:
        raise InputError(option, f"{option}: '{value}' is not a valid date ({exc}); use YYYY-MM-DD") from None
    return check_future_date(option, day, on or today())


def one_line(message: str) -> str:
    """``message`` as one printable line: control characters escaped, cut at 400 characters."""
    text = "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in message)
    return text if len(text) <= _MAX_MESSAGE else text[: _MAX_MESSAGE - 1] + "…"


def _line_of(text: str, key: str) -> int | None:
    pattern = re.compile(rf'(?:^|[\s{{,])(?P<key>"?{re.escape(key)}"?)\s*[:=]', re.MULTILINE)
    match = pattern.search(text)
    return text.count("\n", 0, match.start("key")) + 1 if match else None


class _TooBigError(ValueError):
    """A number in an input file beyond what any field can mean."""


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        msg = f"an integer has more than {MAX_INT_DIGITS} digits"
        raise _TooBigError(msg)
    return int(text)


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        msg = f"the number {text[:20]} is too large"
        raise _TooBigError(msg)
    return value


def _no_constant(text: str) -> float:
    msg = f"{text} is not a number a field can take"
    raise _TooBigError(msg)


def _check_shape(data: Any) -> None:
    """Nesting depth and number sizes of parsed data, walked without recursion."""
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth >= MAX_NESTING:
                msg = f"lists and tables are nested more than {MAX_NESTING} levels deep"
                raise _TooBigError(msg)
            stack.extend((v, depth + 1) for v in (item.values() if isinstance(item, dict) else item))
        elif isinstance(item, bool):
            continue
        elif isinstance(item, int) and abs(item) >= 10**MAX_INT_DIGITS:
            msg = f"an integer has more than {MAX_INT_DIGITS} digits"
            raise _TooBigError(msg)
        elif isinstance(item, float) and not math.isfinite(item):
            msg = f"the number {item} is not finite"
            raise _TooBigError(msg)


def _read_limited(path: Path, what: str) -> bytes:
    """At most :data:`MAX_FILE_BYTES` of ``path``; one byte more is an error (so endless inputs stop at once)."""
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise InputError(what, f"{what} file '{path}' does not exist") from None
    except IsADirectoryError:
        raise InputError(what, f"{what} file '{path}' is a directory") from None
    except OSError as exc:
        raise InputError(what, f"{what} file '{path}' cannot be read: {exc.strerror or exc}") from None
    if len(data) > MAX_FILE_BYTES:
        raise InputError(what, f"{what} file '{path}' is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
    return data


def read_text_file(path: Path, what: str) -> str:
    """The UTF-8 text of ``path`` (a BOM dropped), read up to :data:`MAX_FILE_BYTES`; else one :class:`InputError`."""
    raw = _read_limited(path, what)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(what, f"{what} file '{path}' is not UTF-8 text (byte {exc.start + 1} is not)") from None


def _json_loads(text: str) -> Any:
    return json.loads(text, parse_int=_bounded_int, parse_float=_finite_float, parse_constant=_no_constant)


def _parsed(loads: Callable[[str], Any], text: str, path: Path, what: str) -> Any:
    """``loads(text)`` within the limits of :func:`read_data_file`; a breach is an :class:`InputError`."""
    try:
        data = loads(text)
        _check_shape(data)
    except json.JSONDecodeError as exc:
        raise InputError(what, f"{path}: line {exc.lineno}: {exc.msg}") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(what, f"{path}: {exc}") from None
    except RecursionError:
        raise InputError(what, f"{path}: lists and tables are nested more than {MAX_NESTING} levels deep") from None
    except _TooBigError as exc:
        raise InputError(what, f"{path}: {exc}") from None
    except ValueError:  # TOML: an integer past Python's own conversion limit (4300 digits)
        raise InputError(what, f"{path}: an integer has more than {MAX_INT_DIGITS} digits") from None
    return data


def parse_json_text(text: str, path: Path, what: str) -> Any:
    """JSON ``text`` of ``path`` within the limits of :func:`read_data_file` (depth, integers, finite numbers)."""
    return _parsed(_json_loads, text, path, what)


def read_data_file(path: Path, what: str) -> tuple[dict[str, Any], str]:
    """Read a JSON or TOML file into a dict; returns the data and the raw text (for line numbers).

    The file is read up to 5 MB (:data:`MAX_FILE_BYTES`); lists and tables may nest
    :data:`MAX_NESTING` levels, integers have at most :data:`MAX_INT_DIGITS` digits and numbers
    are finite. Anything else is an :class:`InputError` naming the file.
    """
    raw = _read_limited(path, what)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(what, f"{what} file '{path}' is not UTF-8 text (byte {exc.start + 1} is not)") from None
    as_toml = path.suffix.lower() == ".toml" or (path.suffix.lower() != ".json" and not text.lstrip().startswith("{"))
    data = _parsed(tomllib.loads if as_toml else _json_loads, text, path, what)
    if not isinstance(data, dict):
        raise InputError(what, f"{path}: expected an object of fields at the top level")
    return data, text


def with_line(exc: PinpointError, path: Path, text: str) -> PinpointError:
    """The same error, its message prefixed with the file, the line of the field and the field.

    The field is named as the file spells it (``field 'sunburn_zones': sunburn date ...``) unless
    the message already names it.
    """
    line = _line_of(text, exc.field)
    where = f"{path}: line {line}: " if line else f"{path}: "
    named = exc.message if not exc.field or f"'{exc.field}" in exc.message else f"field '{exc.field}': {exc.message}"
    return InputError(exc.field, one_line(where + named))


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


def console() -> Any:
    """A rich console on stdout (rich is imported only when something is printed)."""
    from rich.console import Console

    return Console()


def table(title: str, columns: list[str], rows: list[list[str]]) -> None:
    """Print ``rows`` under ``columns`` as a table titled ``title``; long cells fold."""
    from rich.table import Table

    out = Table(title=title, show_lines=False)
    for col in columns:
        out.add_column(col, overflow="fold")
    for row in rows:
        out.add_row(*row)
    console().print(out)


def setup_records(cannot: str = "cannot read the records") -> None:
    """Load the web app's settings on the data directory and database `pinpoint serve` uses.

    One line (exit 2) when the settings refuse to load or there is no SQLite database yet;
    ``cannot`` starts the line for the first case. Django is imported here, never at start-up.
    """
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pinpoint.web.settings")
    from django.core.exceptions import ImproperlyConfigured

    try:
        import django

        django.setup()
        from django.conf import settings

        db = settings.DATABASES["default"]
        if db["ENGINE"].endswith("sqlite3") and not Path(db["NAME"]).exists():
            raise InputError("database", f"no database at {db['NAME']}; `pinpoint serve` creates it")
    except ImproperlyConfigured as exc:
        raise InputError("environment", f"{cannot}: {str(exc).splitlines()[0]}") from None
