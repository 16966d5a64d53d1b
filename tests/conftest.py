"""Fixtures shared by the whole suite."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from pinpoint.evidence import Evidence, load_evidence

SAFE_ANSWERS: dict[str, Any] = {
    "treatment": "microneedling",
    "setting": "clinic",
    "zones": ["cheek"],
    "birth_date": "1985-06-15",
    "skin_type": "III",
    "pregnant": False,
    "breastfeeding": False,
    "isotretinoin_last_dose": None,
    "anticoagulants": False,
    "bleeding_disorder": False,
    "keloid_history": False,
    "herpes_history": False,
    "active_infection_zones": [],
    "active_acne_zones": [],
    "eczema_psoriasis_zones": [],
    "skin_cancer_zones": [],
    "radiation_zones": [],
    "diabetes": "none",
    "immunosuppressed": False,
    "metal_allergy": False,
    "pacemaker_or_implant": False,
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
