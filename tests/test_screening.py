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
    on_it, next_to_it = result.findings
    assert on_it.zones == ("perioral",)
    assert on_it.defer_until == TODAY + dt.timedelta(days=14)
    # the facial parts bordering the lips are deferred as well, to the same date; the neck is not
    assert next_to_it.zones == ("nose", "cheek", "chin_jawline")
    assert next_to_it.defer_until == dt.date(2026, 12, 9)
    assert next_to_it.message.startswith("next to Upper lip and perioral: active infection")


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
    assert result.verdict == "contraindicated"  # every modality is contraindicated (test_hair_modalities)
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
    "neuromodulator_zones": [{"zone": "cheek", "last_date": "2026-11-20"}],
    "filler_zones": [{"zone": "cheek", "last_date": "2026-11-01"}],
    "sunburn_zones": [{"zone": "cheek", "date": "2026-11-20"}],
    "tattoo_zones": ["cheek"],
    "koebner_condition": "vitiligo",
    "autoimmune_disease": True,
    "epilepsy": True,
    "retinoid_last_use": "2026-11-24",
    "anaesthetic_risks": ["amide_allergy"],
    "hirsutism_onset": "rapid_or_virilising",
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
    if treatment == "microneedling" and risks & {"pregnant", "anaesthetic_risks"}:
        assert result.forbidding("anaesthetic")


def test_every_risk_field_is_in_the_property_and_answered_no_in_no_risks() -> None:
    from pinpoint.core.answers import ANSWER_FIELDS, NO_RISKS

    asked = set(ANSWER_FIELDS) - {"treatment", "setting", "zones", "birth_date", "skin_type"}
    assert set(RISKS) == asked == set(NO_RISKS)


# ------------------------------------------------------------------ neighbouring zones


def test_cold_sore_on_the_upper_lip_defers_the_cheek_next_to_it(ev: Evidence, safe_answers: dict[str, Any]) -> None:
    safe_answers.update(treatment="electrolysis", zones=["cheek", "legs"], active_infection_zones=["upper_lip"])
    result = run(ev, safe_answers)
    assert (result.verdict, result.defer_until) == ("defer", dt.date(2026, 12, 9))
    (finding,) = result.findings
    assert (finding.rule, finding.zones, finding.defer_until) == (
        "active_infection_electrolysis",
        ("cheek",),
        dt.date(2026, 12, 9),
    )
    assert finding.message == (
        "next to Upper lip: active infection or cold sore in the area: postpone treating it; "
        "re-screen on or after 2026-12-09"
    )
    assert finding.sources == ("rooted", "vzbeauty", "dk-epilstudio")


def test_cold_sore_on_the_lips_defers_the_cheek_for_microneedling_too(
    ev: Evidence, safe_answers: dict[str, Any]
) -> None:
    safe_answers.update(zones=["cheek", "forehead"], active_infection_zones=["perioral"])
    result = run(ev, safe_answers)
    (finding,) = result.findings
    assert (finding.rule, finding.zones, finding.defer_until) == (
        "active_infection_microneedling",
        ("cheek",),
        dt.date(2026, 12, 9),
    )
    safe_answers["zones"] = ["forehead"]  # the forehead does not border the lips
    assert run(ev, safe_answers).verdict == "proceed"


def test_adjacency_is_symmetric_and_facial(ev: Evidence) -> None:
    from pinpoint.core.zones import neighbours

    assert neighbours(ev, "upper_lip") == {"nose", "cheek", "chin_jawline"}
    assert neighbours(ev, "perioral") == {"nose", "cheek", "chin_jawline"}
    assert neighbours(ev, "full_face") == {"eyebrows"}  # the brows are an electrolysis zone, not a part
    for key, zone in ev.zones.items():
        for other in zone.adjacent:
            assert key in ev.zones[other].adjacent
            assert ev.zones[other].region == zone.region == "face"


# ------------------------------------------------------------------ electrolysis screening


def electrolysis(answers: dict[str, Any], zones: list[str], **risk: Any) -> dict[str, Any]:
    return {**answers, "treatment": "electrolysis", "zones": zones, **risk}


def test_electrolysis_metal_allergy_asks_for_a_gold_or_insulated_probe(
    ev: Evidence, safe_answers: dict[str, Any]
) -> None:
    result = run(ev, electrolysis(safe_answers, ["upper_lip"], metal_allergy=True))
    assert result.verdict == "caution"
    (finding,) = result.findings
    assert (finding.rule, finding.message, finding.sources) == (
        "metal_allergy_electrolysis",
        "metal (nickel) allergy: use a gold-plated or insulated probe",
        ("dermaskin-course", "nyc-electrolysis"),
    )


def test_electrolysis_cold_sore_history_matters_on_and_next_to_the_lip(
    ev: Evidence, safe_answers: dict[str, Any]
) -> None:
    result = run(ev, electrolysis(safe_answers, ["upper_lip", "chin_jawline", "eyebrows", "legs"], herpes_history=True))
    assert result.verdict == "caution"
    (finding,) = result.findings
    assert (finding.rule, finding.zones) == ("herpes_history_electrolysis", ("upper_lip", "chin_jawline"))
    assert run(ev, electrolysis(safe_answers, ["legs"], herpes_history=True)).verdict == "proceed"


def test_electrolysis_active_acne_defers_the_area_and_its_neighbours(
    ev: Evidence, safe_answers: dict[str, Any]
) -> None:
    result = run(
        ev, electrolysis(safe_answers, ["chin_jawline", "upper_lip", "underarm"], active_acne_zones=["chin_jawline"])
    )
    assert (result.verdict, result.defer_until) == ("defer", dt.date(2026, 12, 9))
    on_it, next_to_it = result.findings
    assert (on_it.rule, on_it.zones) == ("active_acne_electrolysis", ("chin_jawline",))
    assert (next_to_it.rule, next_to_it.zones) == ("active_acne_electrolysis", ("upper_lip",))


def test_electrolysis_immunosuppression_epilepsy_refer(ev: Evidence, safe_answers: dict[str, Any]) -> None:
    result = run(ev, electrolysis(safe_answers, ["legs"], immunosuppressed=True))
    assert [(f.rule, f.verdict, f.sources) for f in result.findings] == [
        ("immunosuppressed_electrolysis", "refer", ("electrabeauty",))
    ]
    result = run(ev, electrolysis(safe_answers, ["legs"], epilepsy=True))
    assert [(f.rule, f.verdict) for f in result.findings] == [("epilepsy_electrolysis", "refer")]


def test_electrolysis_radiotherapy_six_weeks_ago_defers_the_area_a_year(
    ev: Evidence, safe_answers: dict[str, Any]
) -> None:
    last = TODAY - dt.timedelta(weeks=6)  # 2026-10-14
    answers = electrolysis(
        safe_answers, ["underarm", "legs"], radiation_zones=[{"zone": "underarm", "last_date": str(last)}]
    )
    result = run(ev, answers)
    assert (result.verdict, result.defer_until) == ("defer", dt.date(2027, 10, 14))
    (finding,) = result.findings
    assert (finding.rule, finding.zones) == ("radiation_electrolysis", ("underarm",))


def test_electrolysis_minor_needs_a_guardian(ev: Evidence, safe_answers: dict[str, Any]) -> None:
    result = run(ev, electrolysis(safe_answers, ["upper_lip"], birth_date="2009-06-01"))  # 17 on TODAY
    assert result.verdict == "caution"
    (finding,) = result.findings
    assert finding.rule == "age_electrolysis"
    assert finding.message == (
        "a minor: a parent's or guardian's written consent is needed (there is no universal minimum age) "
        "(age 17, below 18)"
    )
    assert run(ev, electrolysis(safe_answers, ["upper_lip"], birth_date="2008-11-25")).verdict == "proceed"


def test_electrolysis_isotretinoin_four_weeks_ago_defers(ev: Evidence, safe_answers: dict[str, Any]) -> None:
    answers = electrolysis(safe_answers, ["upper_lip"], isotretinoin_last_dose=str(TODAY - dt.timedelta(weeks=4)))
    result = run(ev, answers)
    assert (result.verdict, result.defer_until) == ("defer", dt.date(2026, 10, 28) + dt.timedelta(days=182))
    assert [f.rule for f in result.findings] == ["isotretinoin_electrolysis"]


def test_electrolysis_sunburn_defers_the_burnt_area_two_weeks(ev: Evidence, safe_answers: dict[str, Any]) -> None:
    answers = electrolysis(safe_answers, ["legs", "underarm"], sunburn_zones=[{"zone": "legs", "date": "2026-11-20"}])
    result = run(ev, answers)
    assert (result.verdict, result.defer_until) == ("defer", dt.date(2026, 12, 4))
    (finding,) = result.findings
    assert (finding.rule, finding.zones) == ("sunburn_electrolysis", ("legs",))
    assert (
        finding.message
        == "sunburn or a fresh tan on the area: postpone treating it: Legs (thighs and lower legs) on 2026-11-20, "
        "until 2026-12-04"
    )


def test_hirsutism_red_flags_refer_for_an_endocrine_work_up(ev: Evidence, safe_answers: dict[str, Any]) -> None:
    result = run(ev, electrolysis(safe_answers, ["chin_jawline"], hirsutism_onset="rapid_or_virilising"))
    assert result.verdict == "refer"
    (finding,) = result.findings
    assert finding.rule == "hirsutism_red_flags"
    assert "an endocrine work-up comes before an electrolysis course" in finding.message
    assert finding.sources == ("martin2018", "bode2012", "matheson2019")
    gradual = run(ev, electrolysis(safe_answers, ["chin_jawline"], hirsutism_onset="gradual"))
    assert [(f.rule, f.verdict) for f in gradual.findings] == [("hirsutism_gradual", "caution")]


@pytest.mark.parametrize(
    ("modality", "rule"),
    [
        ("galvanic", "galvanic_implanted_device"),
        ("thermolysis", "thermolysis_implanted_device"),
        ("flash", "flash_implanted_device"),
        ("blend", "blend_implanted_device"),
    ],
)
def test_pacemaker_contraindicates_every_modality(
    ev: Evidence, safe_answers: dict[str, Any], modality: str, rule: str
) -> None:
    from pinpoint.core.hair import screen_modality

    answers = parse_answers(electrolysis(safe_answers, ["legs"], pacemaker_or_implant=True), ev)
    findings = screen_modality(answers, modality, "legs", ev, metal_implant_in_area=False)
    assert [(f.rule, f.verdict) for f in findings] == [(rule, "contraindicated")]
    if modality != "galvanic":  # radio frequency: the pacemaker manual's diathermy warning
        assert "stjude-manual" in findings[0].sources


# ------------------------------------------------------------------ microneedling: the new questions


def test_toxin_in_a_zone_defers_that_zone_for_the_policy_period(ev: Evidence, safe_answers: dict[str, Any]) -> None:
    safe_answers.update(zones=["full_face"], neuromodulator_zones=[{"zone": "forehead", "last_date": "2026-11-10"}])
    result = run(ev, safe_answers)
    assert (result.verdict, result.defer_until) == ("defer", dt.date(2026, 12, 8))
    (finding,) = result.findings
    assert (finding.rule, finding.zones) == ("neuromodulator_microneedling", ("forehead",))
    assert finding.sources == ("browsofjoy", "balancedayspa", "esthetikmtl", "necolebitchie")
    assert run(ev, safe_answers, on=dt.date(2026, 12, 8)).verdict == "proceed"


def test_filler_in_a_zone_defers_that_zone_six_months(ev: Evidence, safe_answers: dict[str, Any]) -> None:
    safe_answers.update(zones=["cheek", "neck"], filler_zones=[{"zone": "cheek", "last_date": "2026-09-01"}])
    result = run(ev, safe_answers)
    assert (result.verdict, result.defer_until) == ("defer", dt.date(2027, 3, 2))
    assert [(f.rule, f.zones) for f in result.findings] == [("filler_microneedling", ("cheek",))]
    safe_answers["zones"] = ["neck"]
    assert run(ev, safe_answers).verdict == "proceed"


def test_sunburn_defers_the_zone_two_weeks(ev: Evidence, safe_answers: dict[str, Any]) -> None:
    safe_answers["sunburn_zones"] = [{"zone": "cheek", "date": "2026-11-22"}]
    result = run(ev, safe_answers)
    assert (result.verdict, result.defer_until) == ("defer", dt.date(2026, 12, 6))
    assert result.findings[0].sources == ("esthetikmtl", "nuance")


def test_tattoo_in_the_zone_is_a_caution_to_treat_around_it(ev: Evidence, safe_answers: dict[str, Any]) -> None:
    safe_answers.update(zones=["full_face", "neck"], tattoo_zones=["periorbital"])
    result = run(ev, safe_answers)
    assert result.verdict == "caution"
    (finding,) = result.findings
    assert (finding.rule, finding.zones, finding.sources) == (
        "tattoo_microneedling",
        ("periorbital",),
        ("kichi", "droracle"),
    )


@pytest.mark.parametrize(
    ("treatment", "zones", "condition", "verdict"),
    [
        ("microneedling", ["cheek"], "vitiligo", "refer"),
        ("microneedling", ["cheek"], "lichen_planus", "refer"),
        ("microneedling", ["cheek"], "none", "proceed"),
        ("electrolysis", ["legs"], "vitiligo", "refer"),
        ("electrolysis", ["legs"], "psoriasis", "caution"),
    ],
)
def test_koebner_prone_disease(
    ev: Evidence, safe_answers: dict[str, Any], treatment: str, zones: list[str], condition: str, verdict: str
) -> None:
    safe_answers.update(treatment=treatment, zones=zones, koebner_condition=condition)
    result = run(ev, safe_answers)
    assert result.verdict == verdict
    if condition == "lichen_planus":
        assert result.findings[0].message.endswith("(lichen planus)")


def test_autoimmune_disease_refers_microneedling(ev: Evidence, safe_answers: dict[str, Any]) -> None:
    safe_answers["autoimmune_disease"] = True
    result = run(ev, safe_answers)
    assert [(f.rule, f.verdict, f.sources) for f in result.findings] == [
        ("autoimmune_microneedling", "refer", ("renewedspirit", "sisubeauty", "dermapen4-manual"))
    ]


def test_retinoid_defers_a_week_for_microneedling_two_for_electrolysis(
    ev: Evidence, safe_answers: dict[str, Any]
) -> None:
    safe_answers["retinoid_last_use"] = "2026-11-23"
    assert run(ev, safe_answers).defer_until == dt.date(2026, 11, 30)
    assert run(ev, electrolysis(safe_answers, ["legs"])).defer_until == dt.date(2026, 12, 7)
    safe_answers["retinoid_last_use"] = None  # null answers it: not used
    assert run(ev, safe_answers).verdict == "proceed"
    safe_answers["retinoid_last_use"] = False  # so does false, which a TOML file can write
    assert run(ev, safe_answers).verdict == "proceed"


def test_anaesthetic_risks_forbid_the_anaesthetic_not_the_needling(ev: Evidence, safe_answers: dict[str, Any]) -> None:
    safe_answers["anaesthetic_risks"] = ["severe_liver_disease", "amide_allergy"]
    result = run(ev, safe_answers)
    assert result.verdict == "caution"
    (finding,) = result.forbidding("anaesthetic")
    assert finding.rule == "anaesthetic_risks"
    assert finding.message.endswith("may go ahead without it (severe liver disease, amide allergy)")
    assert finding.forbids == ("anaesthetic",)
    safe_answers["anaesthetic_risks"] = []
    assert run(ev, safe_answers).forbidding("anaesthetic") == ()


def test_pregnancy_forbids_the_anaesthetic(ev: Evidence, safe_answers: dict[str, Any]) -> None:
    safe_answers["pregnant"] = True
    assert [f.rule for f in run(ev, safe_answers).forbidding("anaesthetic")] == ["pregnancy_microneedling"]


@pytest.mark.parametrize("field", ["tattoo_zones", "koebner_condition", "anaesthetic_risks", "retinoid_last_use"])
def test_new_questions_unanswered_defer(ev: Evidence, safe_answers: dict[str, Any], field: str) -> None:
    del safe_answers[field]
    result = run(ev, safe_answers)
    assert (result.verdict, result.defer_until) == ("defer", None)
    assert [f.rule for f in result.findings] == [f"unanswered:{field}"]


def test_rule_vocabularies_are_the_answers_vocabularies(ev: Evidence) -> None:
    from pinpoint.core.answers import answer_choices

    for rule in ev.contraindications.values():
        if rule.kind in ("choice", "items"):
            assert set(rule.choices) == set(answer_choices(rule.field))


# ------------------------------------------------------------------ implausible dates


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("sunburn_zones", [{"zone": "cheek", "date": "2026-12-01"}], "sunburn date 2026-12-01 is in the future"),
        (
            "neuromodulator_zones",
            [{"zone": "cheek", "last_date": "2027-01-01"}],
            "last toxin injection 2027-01-01 is in",
        ),
        (
            "filler_zones",
            [{"zone": "cheek", "last_date": "1980-01-01"}],
            "last filler injection 1980-01-01 is before the date of birth 1985-06-15",
        ),
        ("retinoid_last_use", "2026-11-26", "last retinoid use 2026-11-26 is in the future"),
        (
            "isotretinoin_last_dose",
            "1985-06-14",
            "last isotretinoin dose 1985-06-14 is before the date of birth 1985-06-15",
        ),
        (
            "radiation_zones",
            [{"zone": "cheek", "last_date": "2027-02-01"}],
            "last radiotherapy 2027-02-01 is in the future",
        ),
    ],
)
def test_impossible_dates_name_their_field(
    ev: Evidence, safe_answers: dict[str, Any], field: str, value: Any, message: str
) -> None:
    safe_answers[field] = value
    with pytest.raises(InputError, match=message) as caught:
        run(ev, safe_answers)
    assert caught.value.field == field
    with pytest.raises(InputError, match=message):
        parse_answers(safe_answers, ev, on=TODAY)


def test_unknown_zone_in_a_dated_list_is_an_error(ev: Evidence, safe_answers: dict[str, Any]) -> None:
    safe_answers["sunburn_zones"] = [{"zone": "chek", "date": "2026-11-01"}]
    with pytest.raises(UnknownIdError, match=r"unknown zone 'chek'; did you mean 'cheek'\?") as caught:
        parse_answers(safe_answers, ev)
    assert caught.value.field == "sunburn_zones"


@pytest.mark.parametrize("name", ["client-clinic.toml", "client-home.json"])
def test_example_answer_files_answer_every_question(ev: Evidence, name: str) -> None:
    import json
    import tomllib
    from pathlib import Path

    from pinpoint.core.answers import ANSWER_FIELDS

    path = Path(__file__).parents[1] / "src" / "pinpoint" / "examples" / name
    raw = tomllib.loads(path.read_text()) if name.endswith(".toml") else json.loads(path.read_text())
    answers = parse_answers(raw, ev, on=TODAY)
    assert answers.answered == set(ANSWER_FIELDS)
    assert not [f for f in screen(answers, TODAY, ev).findings if f.rule.startswith("unanswered:")]
