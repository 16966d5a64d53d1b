"""Screening verdicts: washouts, local rules, referrals, unanswered fields, monotonicity."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pinpoint.core import InputError, UnknownIdError, parse_answers, screen
from pinpoint.core.screening import VERDICTS, severity
from pinpoint.evidence import Evidence
from tests.conftest import SAFE_ANSWERS, TODAY


def run(ev: Evidence, answers: dict[str, Any], on: dt.date = TODAY) -> Any:
    return screen(parse_answers(answers, ev), on, ev)


def test_all_clear_proceeds(ev: Evidence, safe_answers: dict[str, Any]) -> None:
    result = run(ev, safe_answers)
    assert (result.verdict, result.defer_until, result.findings) == ("proceed", None, ())


def test_isotretinoin_within_washout_defers_until_last_dose_plus_washout(
    ev: Evidence, safe_answers: dict[str, Any]
) -> None:
    safe_answers["isotretinoin_last_dose"] = "2026-09-01"
    result = run(ev, safe_answers)
    assert result.verdict == "defer"
    assert result.defer_until == dt.date(2026, 9, 1) + dt.timedelta(days=182) == dt.date(2027, 3, 2)
    (finding,) = result.findings
    assert finding.rule == "isotretinoin"
    assert finding.sources == ("projectlead", "skinpen-labelling")


def test_isotretinoin_washout_follows_the_policy(ev: Evidence, safe_answers: dict[str, Any]) -> None:
    safe_answers["isotretinoin_last_dose"] = "2026-09-01"
    shorter = ev.with_policy({"isotretinoin_washout_days": 90})
    result = run(shorter, safe_answers)
    assert (result.verdict, result.defer_until) == ("defer", dt.date(2026, 11, 30))
    assert [(n.policy, n.value, n.default) for n in result.policy_overrides] == [("isotretinoin_washout_days", 90, 182)]
    assert run(shorter, safe_answers, on=dt.date(2026, 11, 30)).verdict == "proceed"


def test_isotretinoin_after_washout_proceeds(ev: Evidence, safe_answers: dict[str, Any]) -> None:
    safe_answers["isotretinoin_last_dose"] = "2026-05-27"  # + 182 days = 2026-11-25: today is the first allowed day
    assert run(ev, safe_answers).verdict == "proceed"


def test_active_infection_defers_only_the_zones_it_affects(ev: Evidence, safe_answers: dict[str, Any]) -> None:
    safe_answers["active_infection_zones"] = ["perioral"]
    safe_answers["zones"] = ["abdomen"]
    assert run(ev, safe_answers).verdict == "proceed"
    safe_answers["zones"] = ["full_face", "neck"]
    result = run(ev, safe_answers)
    assert result.verdict == "defer"
    (finding,) = result.findings
    assert finding.zones == ("perioral",)
    assert finding.defer_until == TODAY + dt.timedelta(days=14)


def test_active_skin_cancer_in_treated_zone_contraindicates(ev: Evidence, safe_answers: dict[str, Any]) -> None:
    safe_answers["skin_cancer_zones"] = ["cheek"]
    result = run(ev, safe_answers)
    assert result.verdict == "contraindicated"
    assert result.findings[0].zones == ("cheek",)
    safe_answers["zones"] = ["thighs"]
    assert run(ev, safe_answers).verdict == "proceed"


@pytest.mark.parametrize("field", ["anticoagulants", "bleeding_disorder"])
@pytest.mark.parametrize("treatment", ["microneedling", "electrolysis"])
def test_anticoagulants_or_bleeding_disorder_refer(
    ev: Evidence, safe_answers: dict[str, Any], field: str, treatment: str
) -> None:
    safe_answers.update({field: True, "treatment": treatment})
    assert run(ev, safe_answers).verdict == "refer"


def test_pregnancy_is_never_proceed(ev: Evidence, safe_answers: dict[str, Any]) -> None:
    safe_answers["pregnant"] = True
    assert run(ev, safe_answers).verdict == "contraindicated"
    safe_answers["treatment"] = "electrolysis"
    assert run(ev, safe_answers).verdict == "refer"


def test_electrolysis_with_pacemaker_is_never_proceed(ev: Evidence, safe_answers: dict[str, Any]) -> None:
    safe_answers.update(treatment="electrolysis", zones=["upper_lip"], pacemaker_or_implant=True)
    result = run(ev, safe_answers)
    assert result.verdict == "refer"
    assert result.findings[0].rule == "pacemaker_electrolysis"
    safe_answers.update(treatment="microneedling", zones=["cheek"])
    assert run(ev, safe_answers).verdict == "proceed"  # a needle roller passes no current


def test_radiation_defers_the_irradiated_zone_until_washout(ev: Evidence, safe_answers: dict[str, Any]) -> None:
    safe_answers["radiation_zones"] = [{"zone": "decolletage", "last_date": "2026-03-01"}]
    safe_answers["zones"] = ["decolletage", "cheek"]
    result = run(ev, safe_answers)
    assert (result.verdict, result.defer_until) == ("defer", dt.date(2027, 3, 1))
    assert result.findings[0].zones == ("decolletage",)


def test_age_bands(ev: Evidence, safe_answers: dict[str, Any]) -> None:
    safe_answers["birth_date"] = "2010-11-26"  # 15 years old on TODAY
    assert run(ev, safe_answers).verdict == "refer"
    safe_answers["birth_date"] = "2006-01-01"  # 20: below the FDA-authorised 22
    result = run(ev, safe_answers)
    assert result.verdict == "caution"
    assert "age 20, below 22" in result.findings[0].message


def test_herpes_history_matters_on_the_face_only(ev: Evidence, safe_answers: dict[str, Any]) -> None:
    safe_answers["herpes_history"] = True
    safe_answers["zones"] = ["abdomen"]
    assert run(ev, safe_answers).verdict == "proceed"
    safe_answers["zones"] = ["full_face", "abdomen"]
    result = run(ev, safe_answers)
    assert result.verdict == "caution"
    assert result.findings[0].zones == ("full_face",)


def test_unanswered_field_is_a_finding_never_safe(ev: Evidence, safe_answers: dict[str, Any]) -> None:
    del safe_answers["anticoagulants"]
    result = run(ev, safe_answers)
    assert result.verdict == "defer"
    assert result.defer_until is None
    assert [f.rule for f in result.findings] == ["unanswered:anticoagulants"]
    safe_answers["anticoagulants"] = None
    assert [f.rule for f in run(ev, safe_answers).findings] == ["unanswered:anticoagulants"]


def test_unknown_field_is_an_error(ev: Evidence, safe_answers: dict[str, Any]) -> None:
    safe_answers["pregnent"] = False
    with pytest.raises(InputError, match=r"unknown field 'pregnent'; did you mean 'pregnant'\?"):
        parse_answers(safe_answers, ev)


def test_unknown_zone_and_impossible_date_are_errors(ev: Evidence, safe_answers: dict[str, Any]) -> None:
    with pytest.raises(UnknownIdError, match=r"unknown zone 'chek'; did you mean 'cheek'\?"):
        parse_answers({**safe_answers, "active_acne_zones": ["chek"]}, ev)
    with pytest.raises(InputError, match=r"field 'birth_date': .*day value is outside expected range"):
        parse_answers({**safe_answers, "birth_date": "1990-02-30"}, ev)
    with pytest.raises(InputError, match="zone 'upper_lip' is not treated with microneedling"):
        parse_answers({**safe_answers, "zones": ["upper_lip"]}, ev)


# Answers that can only add risk: each flips one field from its safe value.
RISKS: dict[str, Any] = {
    "pregnant": True,
    "breastfeeding": True,
    "isotretinoin_last_dose": "2026-10-01",
    "anticoagulants": True,
    "bleeding_disorder": True,
    "keloid_history": True,
    "herpes_history": True,
    "active_infection_zones": ["cheek"],
    "active_acne_zones": ["cheek"],
    "eczema_psoriasis_zones": ["cheek"],
    "skin_cancer_zones": ["cheek"],
    "radiation_zones": [{"zone": "cheek", "last_date": "2026-06-01"}],
    "diabetes": "uncontrolled",
    "immunosuppressed": True,
    "metal_allergy": True,
    "pacemaker_or_implant": True,
}


@settings(max_examples=60, deadline=None)
@given(
    risks=st.sets(st.sampled_from(sorted(RISKS))),
    extra=st.sampled_from(sorted(RISKS)),
    treatment=st.sampled_from(["microneedling", "electrolysis"]),
)
def test_verdict_is_the_most_severe_finding_and_risk_never_lowers_it(
    ev: Evidence, risks: set[str], extra: str, treatment: str
) -> None:
    base = {**SAFE_ANSWERS, "treatment": treatment, **{k: RISKS[k] for k in risks}}
    result = run(ev, base)
    assert result.verdict == max((f.verdict for f in result.findings), key=severity, default="proceed")
    assert result.verdict in VERDICTS
    more = run(ev, {**base, extra: RISKS[extra]})
    assert severity(more.verdict) >= severity(result.verdict)
    if "pregnant" in risks or (treatment == "electrolysis" and "pacemaker_or_implant" in risks):
        assert result.verdict != "proceed"
