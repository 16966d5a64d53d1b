"""Hair evidence, course planning and modality screening."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from pinpoint.core.answers import parse_answers
from pinpoint.core.errors import InputError, ScreeningBlockedError, UnknownIdError
from pinpoint.core.hair import (
    CourseOptions,
    area_summaries,
    auto_steps,
    cycle_for,
    hair_data,
    modality_summaries,
    plan_course,
    screen_modality,
)
from pinpoint.evidence import Evidence
from pinpoint.evidence.loader import EvidenceError, load_from
from pinpoint.evidence.schema_hair import HairRange, HairValue

START = dt.date(2027, 1, 4)
SMALL = CourseOptions(density_per_cm2=50, months=6)


def electrolysis_answers(raw: dict[str, Any], ev: Evidence, **changes: Any) -> Any:
    return parse_answers({**raw, "treatment": "electrolysis", "zones": ["upper_lip"], **changes}, ev)


# ----------------------------------------------------------------------------- evidence


def test_every_electrolysis_zone_has_an_area_and_every_area_is_such_a_zone(ev: Evidence) -> None:
    data = hair_data(ev)
    electrolysis_zones = {k for k, z in ev.zones.items() if "electrolysis" in z.treatments}
    assert set(data.areas) == electrolysis_zones
    assert set(data.modalities) == {"galvanic", "thermolysis", "flash", "blend"}


def test_latency_reconciles_each_area_with_its_anagen_share(ev: Evidence) -> None:
    data = hair_data(ev)
    for area in data.areas.values():
        shares = cycle_for(data, area).stationary_shares()
        assert shares["anagen"] == pytest.approx(area.anagen_fraction.mid, abs=0.001)


def test_legs_need_38_weeks_of_latency_as_the_evidence_derives(ev: Evidence) -> None:
    legs = hair_data(ev).areas["legs"]
    assert legs.latency_days.value / 7 == pytest.approx(37.5)
    assert cycle_for(hair_data(ev), legs).cycle_days / 7 == pytest.approx(80)


def test_every_flagged_value_says_why(ev: Evidence) -> None:
    data = hair_data(ev)
    flagged = 0
    for area in data.areas.values():
        for name in type(area).model_fields:
            value = getattr(area, name)
            if isinstance(value, (HairValue, HairRange)) and (value.estimate or not value.verified):
                flagged += 1
                assert value.note.strip(), name
    assert flagged > 50
    assert not data.areas["upper_lip"].anagen_days.verified
    assert data.areas["cheek"].anagen_days.estimate
    assert all(m.regrowth_fraction.estimate for m in data.modalities.values())


def test_a_latency_that_does_not_reconcile_fails_loudly(ev: Evidence, tmp_path: Any) -> None:
    from pinpoint.evidence.loader import DATA_DIR

    for path in DATA_DIR.glob("*.toml"):
        text = path.read_text(encoding="utf-8")
        if path.name == "hair.toml":
            text = text.replace('latency_days = { value = 262.5,', 'latency_days = { value = 100,')
        (tmp_path / path.name).write_text(text, encoding="utf-8")
    with pytest.raises(EvidenceError, match=r"area 'legs': latency_days 100 .* it should be 262\.5"):
        load_from(tmp_path)


def test_new_hairs_take_the_sourced_6_to_12_weeks_to_surface(ev: Evidence) -> None:
    """Papilla to surface takes 6-12 weeks (silhouet-5hd, milica), not depth / growth rate (4.6 days on the lip)."""
    data = hair_data(ev)
    for key, area in data.areas.items():
        if key == "eyebrows":
            continue
        assert (area.emergence_days.min, area.emergence_days.max) == (42, 84), key
        assert area.emergence_days.sources == ("silhouet-5hd", "milica"), key
        assert not area.emergence_days.estimate, key
    lip = cycle_for(data, data.areas["upper_lip"])
    assert lip.emergence_days == 63
    assert lip.anagen_days - lip.emergence_days == 49  # days a growing lip hair shows before its anagen ends
    # the brow's whole anagen (4-8 weeks) is shorter than 6-12 weeks: an estimate, flagged and explained
    brow = data.areas["eyebrows"].emergence_days
    assert (brow.min, brow.max, brow.estimate) == (15, 15, True)
    assert "longer than the whole brow anagen" in brow.note


def test_an_emergence_not_shorter_than_anagen_fails_loudly(ev: Evidence, tmp_path: Any) -> None:
    from pinpoint.evidence.loader import DATA_DIR

    for path in DATA_DIR.glob("*.toml"):
        text = path.read_text(encoding="utf-8")
        if path.name == "hair.toml":
            text = text.replace("emergence_days = { min = 15, max = 15,", "emergence_days = { min = 42, max = 84,")
        (tmp_path / path.name).write_text(text, encoding="utf-8")
    with pytest.raises(EvidenceError) as err:
        load_from(tmp_path)
    assert str(err.value) == (
        "hair.toml, entry 'areas', field 'eyebrows': Value error, emergence_days 63 (mid) is not shorter than "
        "the mean anagen 42 days: no growing hair of the area would ever show"
    )


def test_modalities_rank_as_the_evidence_ranks_them(ev: Evidence) -> None:
    rows = {m.id: m for m in modality_summaries(ev)}
    kill = {k: r.destroy_probability for k, r in rows.items()}
    assert kill["blend"] > kill["galvanic"] > kill["thermolysis"] == kill["flash"]
    assert rows["galvanic"].seconds_per_follicle > rows["blend"].seconds_per_follicle
    assert rows["blend"].seconds_per_follicle > rows["thermolysis"].seconds_per_follicle
    assert rows["thermolysis"].seconds_per_follicle > rows["flash"].seconds_per_follicle
    # current mid + handling mid (2.5 s): 45 + 2.5, 2.5 + 2.5, 10.5 + 2.5
    assert (rows["galvanic"].seconds_per_follicle, rows["thermolysis"].seconds_per_follicle) == (47.5, 5.0)
    assert rows["blend"].seconds_per_follicle == 13.0


def test_area_listing_carries_sources_and_flags(ev: Evidence) -> None:
    rows = {a.id: a for a in area_summaries(ev)}
    assert rows["legs"].anagen_fraction == 0.2
    assert rows["legs"].density_per_cm2 == 60
    assert "richards-meharg-1991" in rows["legs"].sources
    assert rows["arms"].depth_mm is None
    assert "anagen_days" in rows["chest"].estimates
    assert all(s in ev.sources for r in rows.values() for s in r.sources)


def test_auto_steps_never_exceed_the_time_a_growing_hair_shows(ev: Evidence) -> None:
    data = hair_data(ev)
    assert auto_steps(data, cycle_for(data, data.areas["upper_lip"])) == (7, 14, 21, 28)
    assert auto_steps(data, cycle_for(data, data.areas["eyebrows"])) == (7, 14, 21)  # 42 - 15 = 27 days


# ----------------------------------------------------------------------------- planning


def test_plan_contract(ev: Evidence) -> None:
    plan = plan_course(ev, "upper_lip", "thermolysis", start=START, options=SMALL)
    assert set(plan.sessions_to) == {"50", "80", "95"}
    assert plan.model.follicles == 20 * 50
    assert plan.schedule[0] == START
    assert plan.schedule == tuple(s.date for s in plan.sessions)
    assert plan.end == dt.date(2027, 7, 4)
    assert len(plan.curve) == (plan.end - START).days + 1
    assert plan.hours_total == pytest.approx(sum(s.minutes_used for s in plan.sessions) / 60, abs=0.01)
    assert plan.sessions_total == len(plan.sessions)
    for key, n in plan.sessions_to.items():
        if n is not None:
            assert plan.sessions[n - 1].reduction >= int(key) / 100
            assert n == 1 or plan.sessions[n - 2].reduction < int(key) / 100
            assert plan.dates_to[key] == plan.sessions[n - 1].date
    assert all(s in ev.sources for s in plan.sources)
    assert {"richards-meharg-1991", "pinpoint-hair-latency", "pinpoint-hair-regrowth", "jillheath"} <= set(plan.sources)
    assert any(a.text.startswith("Between sessions shave or clip") for a in plan.aftercare)


def test_plan_defaults_come_from_the_evidence(ev: Evidence) -> None:
    plan = plan_course(ev, "upper_lip", "flash", start=START, options=CourseOptions(months=1))
    # the midpoint of the upper lip's estimated terminal density (60-92 per cm²), not the table's 500 follicles
    assert (plan.area_cm2, plan.density_per_cm2, plan.session_minutes) == (20, 76, 30)
    assert plan.auto_interval
    assert plan.model.interval_steps_days == (7, 14, 21, 28)
    assert plan.model.destroy_probability == 0.55
    assert plan.reported_hours is not None
    assert (plan.reported_hours.min, plan.reported_hours.max) == (4, 10)
    assert (
        "the density is an estimate of terminal hairs (60-92 per cm², calibrated to reported course hours): count "
        "the client's hairs in a marked window for their own forecast"
    ) in plan.warnings
    assert any("not checked against the original" in w for w in plan.warnings)


def test_upper_lip_first_visits_are_capped_at_30_minutes(ev: Evidence) -> None:
    opts = CourseOptions(density_per_cm2=500, session_minutes=60, interval_days=7, months=2)
    plan = plan_course(ev, "upper_lip", "thermolysis", start=START, options=opts)
    assert [s.minutes_budget for s in plan.sessions[:5]] == [30, 30, 30, 60, 60]
    assert any("capped at 30 minutes" in w for w in plan.warnings)


def test_a_long_fixed_interval_is_flagged(ev: Evidence) -> None:
    opts = CourseOptions(density_per_cm2=50, interval_days=30, months=3)
    plan = plan_course(ev, "eyebrows", "blend", start=START, options=opts)
    assert [s.day for s in plan.sessions] == [0, 30, 60, 90]
    assert any("under 14 days" in w for w in plan.warnings)
    assert any("longer than the 27 days a growing hair" in w for w in plan.warnings)


def test_plan_is_reproducible_and_the_seed_matters(ev: Evidence) -> None:
    a = plan_course(ev, "chin_jawline", "blend", start=START, options=CourseOptions(density_per_cm2=40, seed=3))
    b = plan_course(ev, "chin_jawline", "blend", start=START, options=CourseOptions(density_per_cm2=40, seed=3))
    c = plan_course(ev, "chin_jawline", "blend", start=START, options=CourseOptions(density_per_cm2=40, seed=4))
    assert a == b
    assert a.curve != c.curve


@pytest.mark.parametrize(
    ("area", "modality", "options", "field", "message"),
    [
        ("upper_lips", "flash", SMALL, "area", "unknown electrolysis area 'upper_lips'; did you mean 'upper_lip'?"),
        ("upper_lip", "thermolisis", SMALL, "modality", "unknown modality 'thermolisis'; did you mean 'thermolysis'?"),
        ("forehead", "blend", SMALL, "area", "unknown electrolysis area 'forehead'"),
        (
            "upper_lip",
            "galvanic",
            CourseOptions(session_minutes=0.5),
            "session_minutes",
            "a 0.5-minute session cannot treat a single hair: galvanic takes 47.5 s per follicle (0.79 min)",
        ),
        (
            "upper_lip",
            "thermolysis",
            CourseOptions(interval_days=-7),
            "interval_days",
            "the interval must be 1 to 365 days, got -7",
        ),
        (
            "upper_lip",
            "thermolysis",
            CourseOptions(interval_days=7, auto_interval=True),
            "interval_days",
            "give a fixed interval or the automatic one, not both",
        ),
        (
            "legs",
            "flash",
            CourseOptions(density_per_cm2=-1),
            "density_per_cm2",
            "density_per_cm2 must be positive, got -1",
        ),
        ("upper_lip", "thermolysis", CourseOptions(months=0), "months", "months must be 1 to 120, got 0"),
    ],
)
def test_plan_rejects_bad_input_with_an_actionable_message(
    ev: Evidence, area: str, modality: str, options: CourseOptions, field: str, message: str
) -> None:
    with pytest.raises((InputError, UnknownIdError)) as exc:
        plan_course(ev, area, modality, start=START, options=options)
    assert (exc.value.field, exc.value.message) == (field, message)


def test_plan_refuses_a_population_too_large_to_simulate(ev: Evidence) -> None:
    message = r"5780 cm² x 1000 per cm² = 5780000 follicles; the simulator takes 1 to 2,000,000"
    with pytest.raises(InputError, match=message):
        plan_course(ev, "legs", "flash", start=START, options=CourseOptions(density_per_cm2=1000))


# ----------------------------------------------------------------------------- screening


def test_galvanic_and_blend_are_contraindicated_with_an_implanted_device(ev: Evidence, safe_answers: Any) -> None:
    answers = electrolysis_answers(safe_answers, ev, pacemaker_or_implant=True)
    for modality in ("galvanic", "blend"):
        findings = screen_modality(answers, modality, "legs", ev, metal_implant_in_area=False)
        assert [f.verdict for f in findings] == ["contraindicated"]
        assert findings[0].rule == f"{modality}_implanted_device"
        assert findings[0].zones == ("legs",)


def test_thermolysis_with_an_implant_is_contraindicated_and_on_the_face_names_the_implant_team(
    ev: Evidence, safe_answers: Any
) -> None:
    answers = electrolysis_answers(safe_answers, ev, pacemaker_or_implant=True)
    legs = screen_modality(answers, "thermolysis", "legs", ev, metal_implant_in_area=False)
    face = screen_modality(answers, "thermolysis", "upper_lip", ev, metal_implant_in_area=False)
    assert [(f.rule, f.verdict) for f in legs] == [("thermolysis_implanted_device", "contraindicated")]
    assert [(f.rule, f.verdict) for f in face] == [
        ("thermolysis_implanted_device", "contraindicated"),
        ("thermolysis_head_implant", "refer"),
    ]


def test_a_metal_implant_is_a_relative_contraindication_and_asked_for(ev: Evidence, safe_answers: Any) -> None:
    answers = electrolysis_answers(safe_answers, ev)
    assert screen_modality(answers, "flash", "arms", ev, metal_implant_in_area=False) == ()
    yes = screen_modality(answers, "flash", "arms", ev, metal_implant_in_area=True)
    unknown = screen_modality(answers, "flash", "arms", ev)
    assert [(f.rule, f.verdict) for f in yes] == [("flash_metal_implant", "caution")]
    assert [(f.rule, f.verdict) for f in unknown] == [("unanswered:flash_metal_implant", "caution")]
    assert unknown[0].message.startswith("not answered, ask before treating — metal implant")


def test_a_plan_with_answers_screens_first_and_blocks(ev: Evidence, safe_answers: Any) -> None:
    implant = electrolysis_answers(safe_answers, ev, pacemaker_or_implant=True)
    with pytest.raises(ScreeningBlockedError) as exc:
        plan_course(ev, "upper_lip", "galvanic", start=START, options=SMALL, answers=implant)
    assert exc.value.message.startswith("screening verdict 'contraindicated' for galvanic: pacemaker, ICD")
    pregnant = electrolysis_answers(safe_answers, ev, pregnant=True)
    with pytest.raises(ScreeningBlockedError, match="verdict 'refer' for blend: pregnancy"):
        plan_course(ev, "upper_lip", "blend", start=START, options=SMALL, answers=pregnant)
    fine = electrolysis_answers(safe_answers, ev)
    plan = plan_course(ev, "upper_lip", "blend", start=START, options=SMALL, answers=fine)
    assert plan.screening is not None
    assert plan.screening.verdict == "proceed"
    assert plan.screening.zones == ("upper_lip",)
    assert [f.verdict for f in plan.modality_findings] == ["caution"]


def test_microneedling_answers_are_refused_for_an_electrolysis_plan(ev: Evidence, safe_answers: Any) -> None:
    answers = parse_answers(safe_answers, ev)
    with pytest.raises(InputError, match="the answers are for microneedling"):
        plan_course(ev, "cheek", "blend", start=START, options=SMALL, answers=answers)


# ----------------------------------------------------------------------------- course aim


def test_an_eyebrow_course_removes_strays_not_the_brow(ev: Evidence) -> None:
    opts = CourseOptions(months=6)
    brows = plan_course(ev, "eyebrows", "thermolysis", start=START, options=opts)
    # 10 cm² x 76 terminal hairs per cm² = 760 brow hairs; the course treats the strays, a fifth of them
    assert (brows.area_cm2, brows.density_per_cm2, brows.treated_share) == (10, 76, 0.2)
    assert brows.model.follicles == 152
    assert brows.aim == "stray hairs around the brows (between them and below the arch); the brow itself is kept"
    assert brows.warnings[0] == (
        "the course removes stray hairs around the brows (between them and below the arch); the brow itself "
        "is kept: it treats 20% of the area's follicles, and the reductions are shares of those"
    )
    assert "pinpoint-brow-strays" in brows.sources
    assert hair_data(ev).areas["eyebrows"].treated_share is not None


def test_other_areas_are_cleared_whole(ev: Evidence) -> None:
    data = hair_data(ev)
    assert [k for k, a in data.areas.items() if a.treated_share is not None] == ["eyebrows"]
    lip = plan_course(ev, "upper_lip", "thermolysis", start=START, options=SMALL)
    assert (lip.treated_share, lip.model.follicles, lip.aim) == (1.0, 20 * 50, "every hair of the upper lip")
