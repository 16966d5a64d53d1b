"""Fixtures shared by the whole suite."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from pinpoint.core.answers import NO_RISKS
from pinpoint.evidence import Evidence, load_evidence

SAFE_ANSWERS: dict[str, Any] = {
    "treatment": "microneedling",
    "setting": "clinic",
    "zones": ["cheek"],
    "birth_date": "1985-06-15",
    "skin_type": "III",
    **NO_RISKS,
}

TODAY = dt.date(2026, 11, 25)


@pytest.fixture(scope="session")
def ev() -> Evidence:
    """The packaged evidence base."""
    return load_evidence()


@pytest.fixture
def safe_answers() -> dict[str, Any]:
    """Answers of a client with nothing to report (a fresh copy per test)."""
    return {k: (list(v) if isinstance(v, list) else v) for k, v in SAFE_ANSWERS.items()}
