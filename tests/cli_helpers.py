"""Run the ``pinpoint`` CLI in-process for tests: exit code, stdout and stderr."""

from __future__ import annotations

import json
from typing import Any

import pytest

from pinpoint.cli.main import main


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run ``pinpoint argv``; return (exit code, stdout, stderr)."""
    try:
        main(list(argv))
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def cli_json(capsys: pytest.CaptureFixture[str], *argv: str) -> Any:
    """Run ``pinpoint argv --json``; assert success with nothing on stderr; return the parsed JSON."""
    code, out, err = cli(capsys, *argv, "--json")
    assert (code, err) == (0, "")
    return json.loads(out)
