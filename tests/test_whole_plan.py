"""Whole-plan rules: every plan and guide safe as a whole (anaesthetic per visit, home frequency,
devices by setting, authorised depth, skin type), exhaustively over the evidence base, plus scenarios."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from pathlib import Path
from typing import Any

import pytest

from pinpoint.core.answers import parse_answers
from pinpoint.core.errors import PinpointError, RefusedError
from pinpoint.core.guide import guide, guide_for_plan
from pinpoint.core.planning import Plan, plan
from pinpoint.core.screening import screen_for
from pinpoint.core.whole_plan import Span, anaesthetic_limit_cm2, min_spacing_days
from pinpoint.evidence import Evidence
from pinpoint.evidence.schema import PenDevice
from tests.cli_helpers import cli, cli_json
from tests.conftest import TODAY

START = dt.date(2027, 1, 4)
SKIN_TYPES = (None, 1, 3, 4, 5, 6)


def _zone_sets(ev: Evidence, indication: str) -> list[tuple[str, ...]]:
    zones = ev.indications[indication].zones
    return [(z,) for z in zones] + [tuple(zones)]


def _all_plans(ev: Evidence) -> list[Plan]:
    """Every indication x zone set (each zone, and all) x setting x device (none or each) x skin type."""
    out = []
    devices = (None, *ev.devices)
    for ind in ev.indications:
        if ev.indications[ind].treatment != "microneedling":
            continue
        for zones, setting, device, skin in itertools.product(
            _zone_sets(ev, ind), ("home", "clinic"), devices, SKIN_TYPES
        ):
            try:
                out.append(plan(ev, ind, zones, setting, device=device, start=START, skin_type=skin))  # type: ignore[arg-type]
            except PinpointError:
                continue
    return out


@pytest.fixture(scope="module")
def plans(ev: Evidence) -> list[Plan]:
    return _all_plans(ev)


def test_the_property_sweep_covers_every_setting_and_device(ev: Evidence, plans: list[Plan]) -> None:
    assert {p.setting for p in plans} == {"home", "clinic"}
    assert {p.device for p in plans} >= {None, "roller_192_025_home", "roller_192_050", "pen_14", "pen_6_exceed"}
    assert len(plans) > 500


def test_no_visit_puts_anaesthetic_on_more_skin_than_its_label_allows(ev: Evidence, plans: list[Plan]) -> None:
    numbed = 0
    for p in plans:
        for v in p.visits:
            if not v.anaesthetic_zones:
                continue
            numbed += 1
            assert p.anaesthetic is not None
            limit = anaesthetic_limit_cm2(ev.anaesthetics[p.anaesthetic])
            assert limit is not None
            numbed_parts = [part for part in v.parts if part.numbed]
            assert v.area_cm2 == sum(part.area_cm2 for part in numbed_parts) <= limit[0] + 1e-9
            assert tuple(part.zone for part in numbed_parts) == v.anaesthetic_zones
            for part in numbed_parts:  # the fewest equal portions within the label
                whole = ev.zones[part.zone].area_cm2.value
                assert part.area_cm2 == whole / part.portions
                assert (part.portions - 1) * limit[0] < whole <= part.portions * limit[0]
            g = guide_for_plan(ev, p, visit=v.visit)
            (apply,) = [s for s in g.steps if s.kind == "anaesthetic-apply"]
            assert apply.area_cm2 == v.area_cm2 <= limit[0]
            assert apply.amount_g == v.amount_g
            assert set(apply.zones) == set(v.anaesthetic_zones)
    assert numbed > 50


def test_no_home_schedule_has_more_sessions_in_7_days_than_the_rule(ev: Evidence, plans: list[Plan]) -> None:
    home = [p for p in plans if p.setting == "home"]
    assert home
    for p in home:
        band = next(b for b in ev.technique.home_frequency if b.depth_from_mm <= p.deepest_mm < b.depth_to_mm)
        allowed = ev.policy_value(band.per_week_policy)
        days = [s.date for s in p.schedule]
        for d in days:
            assert sum(d <= other < d + dt.timedelta(days=7) for other in days) <= allowed
        assert min(z.interval_days.min for z in p.zones) >= min_spacing_days(int(allowed))


def test_no_clinic_plan_uses_a_reusable_or_non_sterile_unit(ev: Evidence, plans: list[Plan]) -> None:
    clinic = [p for p in plans if p.setting == "clinic" and p.device]
    assert clinic
    for p in clinic:
        d = ev.devices[p.device or ""]
        assert (d.reuse, d.sterile) == ("single-use", True)
        assert "device-clean" not in {s.kind for s in guide_for_plan(ev, p).steps}


def test_no_plan_goes_deeper_than_a_device_is_authorised_without_the_rule(ev: Evidence, plans: list[Plan]) -> None:
    capped = 0
    for p in plans:
        d = ev.devices.get(p.device or "")
        if isinstance(d, PenDevice) and d.authorised_depth_mm is not None:
            assert p.deepest_mm <= d.authorised_depth_mm.value
            if "authorised_depth" in {r.id for r in p.rules}:
                capped += 1
    assert capped > 0


def test_every_home_plan_says_the_roller_is_for_one_person(ev: Evidence, plans: list[Plan]) -> None:
    for p in (p for p in plans if p.setting == "home"):
        assert "home_one_person" in {r.id for r in p.rules}
        titles = [s.title for s in guide_for_plan(ev, p).steps]
        assert "This roller is yours alone: never share it or lend it, even to someone you live with" in titles


def test_skin_types_iv_to_vi_never_bleed_and_wait_28_days(ev: Evidence, plans: list[Plan]) -> None:
    for p in plans:
        if p.skin_type in (4, 5, 6):
            for z in p.zones:
                if z.depth_mm.max >= 0.5:
                    assert z.endpoint.startswith("even pinkness (erythema) only")
                    assert z.interval_days.min >= 28


def test_each_schedule_day_names_its_zones_and_covers_every_zone_each_session(ev: Evidence, plans: list[Plan]) -> None:
    split = 0
    for p in plans:
        for n in {s.session for s in p.schedule}:
            days = [s for s in p.schedule if s.session == n]
            assert all(s.zones == tuple(part.zone for part in s.parts) for s in days)
            assert sum(len(s.parts) for s in days) == sum(len(v.parts) for v in p.visits)
            for z in p.zones:  # every portion once per session; together they cover the whole zone
                mine = [part for s in days for part in s.parts if part.zone == z.zone]
                k = mine[0].portions
                assert sorted((part.portion, part.portions) for part in mine) == [(i, k) for i in range(1, k + 1)]
                assert sum(part.area_cm2 for part in mine) == pytest.approx(ev.zones[z.zone].area_cm2.value, abs=1e-9)
                split += k > 1
    assert split > 100


def _answers(ev: Evidence, safe_answers: dict[str, Any], **changes: Any) -> Any:
    return parse_answers({**safe_answers, **changes}, ev)


def test_a_finding_that_forbids_the_anaesthetic_removes_it_everywhere(
    ev: Evidence, safe_answers: dict[str, Any]
) -> None:
    for ind, zones in (
        ("acne_scars", ("cheek", "forehead")),
        ("striae", ("flanks",)),
        ("hyperpigmentation", ("cheek",)),
    ):
        answers = _answers(ev, safe_answers, zones=list(zones), breastfeeding=True)
        p = plan(ev, ind, zones, "clinic", start=TODAY, answers=answers)
        g = guide_for_plan(ev, p)
        kinds = [s.kind for s in g.steps]
        assert "anaesthetic-apply" not in kinds and "anaesthetic-remove" not in kinds
        assert g.anaesthetic is None and p.anaesthetic is None
        assert "needling" in kinds
        assert [r.id for r in p.rules if r.id == "screening_no_anaesthetic"] == ["screening_no_anaesthetic"]


def test_breastfeeding_guide_shows_the_caution_at_the_needling(ev: Evidence, safe_answers: dict[str, Any]) -> None:
    answers = _answers(ev, safe_answers, zones=["cheek", "forehead"], breastfeeding=True)
    g = guide(ev, "acne_scars", ("cheek", "forehead"), "clinic", device="pen_14", answers=answers, on=TODAY)
    needling = {s.zones[0]: s.cautions for s in g.steps if s.kind == "needling"}
    message = next(f.message for f in (g_plan_screening(ev, answers)).findings if "anaesthetic" in f.forbids)
    assert needling == {"cheek": (f"no topical anaesthetic: {message}",), "forehead": ()}


def g_plan_screening(ev: Evidence, answers: Any) -> Any:
    p = plan(ev, "acne_scars", ("cheek", "forehead"), "clinic", start=TODAY, answers=answers)
    assert p.screening is not None
    return p.screening


# --- scenarios ------------------------------------------------------------------------------------


STRIAE = ("abdomen", "thighs", "buttocks", "flanks")


def test_striae_on_four_body_zones_splits_large_zones_into_portions_within_the_label(ev: Evidence) -> None:
    """Abdomen 1,100, thighs 3,570, buttocks 935 cm² each exceed LMX4's 900 cm²: equal portions, one per visit."""
    p = plan(ev, "striae", STRIAE, "clinic", start=START)
    assert [
        (v.visit, v.zones, [(x.zone, x.portion, x.portions, x.area_cm2, x.numbed) for x in v.parts], v.area_cm2)
        for v in p.visits
    ] == [
        (1, ("thighs",), [("thighs", 1, 4, 892.5, True)], 892.5),
        (2, ("thighs",), [("thighs", 2, 4, 892.5, True)], 892.5),
        (3, ("thighs",), [("thighs", 3, 4, 892.5, True)], 892.5),
        (4, ("thighs",), [("thighs", 4, 4, 892.5, True)], 892.5),
        (5, ("flanks",), [("flanks", 1, 1, 600.0, True)], 600.0),
        (6, ("abdomen",), [("abdomen", 1, 2, 550.0, True)], 550.0),
        (7, ("abdomen",), [("abdomen", 2, 2, 550.0, True)], 550.0),
        (8, ("buttocks",), [("buttocks", 1, 2, 467.5, True)], 467.5),
        (9, ("buttocks",), [("buttocks", 2, 2, 467.5, True)], 467.5),
    ]
    assert [x.label for v in p.visits for x in v.parts] == [
        "Thighs, part 1 of 4 (about 893 cm²)",
        "Thighs, part 2 of 4 (about 893 cm²)",
        "Thighs, part 3 of 4 (about 893 cm²)",
        "Thighs, part 4 of 4 (about 893 cm²)",
        "Flanks",
        "Abdomen, part 1 of 2 (550 cm²)",
        "Abdomen, part 2 of 2 (550 cm²)",
        "Buttocks, part 1 of 2 (about 468 cm²)",
        "Buttocks, part 2 of 2 (about 468 cm²)",
    ]
    assert [(v.amount_g.min, v.amount_g.max) for v in p.visits if v.amount_g] == [
        (133.9, 178.5),
        (133.9, 178.5),
        (133.9, 178.5),
        (133.9, 178.5),
        (90.0, 120.0),
        (82.5, 110.0),
        (82.5, 110.0),
        (70.1, 93.5),
        (70.1, 93.5),
    ]
    # 4 sessions 28 days apart, each of 9 visits a day apart; every portion's own sessions stay 28 days apart
    assert len(p.schedule) == 36
    assert [(s.session, s.visit, s.date.isoformat(), s.zones) for s in p.schedule if s.visit in (1, 9)] == [
        (1, 1, "2027-01-04", ("thighs",)),
        (1, 9, "2027-01-12", ("buttocks",)),
        (2, 1, "2027-02-01", ("thighs",)),
        (2, 9, "2027-02-09", ("buttocks",)),
        (3, 1, "2027-03-01", ("thighs",)),
        (3, 9, "2027-03-09", ("buttocks",)),
        (4, 1, "2027-03-29", ("thighs",)),
        (4, 9, "2027-04-06", ("buttocks",)),
    ]
    assert p.schedule[1].parts[0].label == "Thighs, part 2 of 4 (about 893 cm²)"
    rule = next(r for r in p.rules if r.id == "anaesthetic_area_per_visit")
    assert rule.effect == (
        "Liposomal lidocaine 4% (LMX4) on at most 900 cm² in one visit (label); 6205 cm² to numb is split into "
        "9 visits 1 day(s) apart; zones larger than one application in equal portions, each numbed and needled on "
        "its own visit: Abdomen in 2 of 550 cm², Thighs in 4 of about 893 cm², Buttocks in 2 of about 468 cm² "
        "(policy anaesthetic_split_gap_days; splitting is a planning policy, no label addresses it)"
    )
    assert rule.sources == (
        "lmx4-smpc",
        "fda-anaesthetic-advisories",
        "emla-uk-pil",
        "cincinnati-childrens",
        "empowerpharmacy",
    )


def test_the_guide_of_a_split_visit_covers_exactly_its_portion(ev: Evidence) -> None:
    p = plan(ev, "striae", STRIAE, "clinic", start=START)
    g = guide_for_plan(ev, p, visit=2)
    assert (g.visit, g.visits, [x.label for x in g.parts]) == (2, 9, ["Thighs, part 2 of 4 (about 893 cm²)"])
    (apply,) = [s for s in g.steps if s.kind == "anaesthetic-apply"]
    assert (apply.zones, apply.area_cm2, apply.amount_g) == (("thighs",), 892.5, Span(min=133.9, max=178.5))
    assert apply.detail == (
        "Liposomal lidocaine 4% (LMX4) on Thighs, part 2 of 4 (about 893 cm²) only, about 133.9-178.5 g on "
        "892.5 cm² (label: at most 900 cm² at a time), occlusion optional; never on broken skin, never after needling"
    )
    (needling,) = [s for s in g.steps if s.kind == "needling"]
    assert needling.detail.startswith("Thighs, part 2 of 4 (about 893 cm²) only: 1.5-2 mm; 4-10 passes with the pen")
    flanks = guide_for_plan(ev, p, visit=5)
    (apply,) = [s for s in flanks.steps if s.kind == "anaesthetic-apply"]
    assert (apply.zones, apply.area_cm2) == (("flanks",), 600.0)
    assert apply.detail.startswith("Liposomal lidocaine 4% (LMX4), about 90-120 g on 600 cm² (label")


def test_a_split_whose_visits_reach_the_next_session_is_refused(ev: Evidence) -> None:
    """Thighs, abdomen and buttocks: 8 visits. 4 days apart they span 28 days, the course's interval: refused."""
    zones = ("abdomen", "thighs", "buttocks")
    fits = plan(ev.with_policy({"anaesthetic_split_gap_days": 3}), "striae", zones, "clinic", start=START)
    assert (len(fits.visits), fits.schedule[7].date.isoformat(), fits.schedule[8].date.isoformat()) == (
        8,
        "2027-01-25",
        "2027-02-01",
    )
    with pytest.raises(RefusedError) as exc:
        plan(ev.with_policy({"anaesthetic_split_gap_days": 4}), "striae", zones, "clinic", start=START)
    assert (exc.value.field, exc.value.message) == (
        "zone",
        "each session needs 8 visits 4 day(s) apart (policy anaesthetic_split_gap_days) to keep Liposomal "
        "lidocaine 4% (LMX4) within its label, 28 days from first to last, but the next session comes 28 days "
        "after the first; no split of visits fits this course: plan fewer zones in it (rule "
        "anaesthetic_area_per_visit: lmx4-smpc, emla-uk-pil, cincinnati-childrens, empowerpharmacy)",
    )


def test_striae_on_the_flanks_numbs_600_cm2_with_90_to_120_g(ev: Evidence) -> None:
    g = guide(ev, "striae", ("flanks",), "clinic")
    (apply,) = [s for s in g.steps if s.kind == "anaesthetic-apply"]
    assert (apply.zones, apply.area_cm2, apply.amount_g.model_dump() if apply.amount_g else None) == (
        ("flanks",),
        600.0,
        {"min": 90.0, "max": 120.0},
    )
    assert apply.detail.startswith("Liposomal lidocaine 4% (LMX4), about 90-120 g on 600 cm² (label: at most 900 cm²")


def test_a_session_too_large_for_one_application_splits_into_visits_a_day_apart(ev: Evidence) -> None:
    low = ev.with_policy({"anaesthetic_above_depth_mm": 0.25})  # a clinic that numbs from 0.25 mm
    p = plan(low, "fine_lines", ("full_face", "neck", "decolletage", "hands"), "clinic", start=START)
    assert [(v.visit, v.zones, v.anaesthetic_zones, v.area_cm2) for v in p.visits] == [
        (1, ("perioral", "neck", "decolletage"), ("perioral", "neck", "decolletage"), 890.0),
        (
            2,
            ("forehead", "periorbital", "nose", "cheek", "chin_jawline", "hands"),
            ("forehead", "periorbital", "nose", "cheek", "chin_jawline", "hands"),
            875.0,
        ),
    ]
    assert [(s.session, s.visit, s.date.isoformat()) for s in p.schedule[:4]] == [
        (1, 1, "2027-01-04"),
        (1, 2, "2027-01-05"),
        (2, 1, "2027-02-01"),
        (2, 2, "2027-02-02"),
    ]
    rule = next(r for r in p.rules if r.id == "anaesthetic_area_per_visit")
    assert rule.effect == (
        "Liposomal lidocaine 4% (LMX4) on at most 900 cm² in one visit (label); 1765 cm² to numb is split into "
        "2 visits 1 day(s) apart (policy anaesthetic_split_gap_days; splitting is a planning policy, no label "
        "addresses it)"
    )
    assert guide_for_plan(low, p, visit=2).steps[4].area_cm2 == 875.0


def test_the_025_mm_home_plan_is_every_5_days_not_daily(ev: Evidence) -> None:
    p = plan(ev, "fine_lines", ("full_face",), "home", device="roller_192_025_home", start=START)
    days = [s.date.isoformat() for s in p.schedule]
    assert (len(days), days[:4], days[-1]) == (
        24,
        ["2027-01-04", "2027-01-09", "2027-01-14", "2027-01-19"],
        "2027-04-29",
    )
    assert [r.id for r in p.rules] == ["home_one_person", "home_sessions_per_week", "aftercare_spacing"]
    assert {z.interval_days.min for z in p.zones} == {5.0}
    assert min_spacing_days(2) == 4 and min_spacing_days(3) == 3 and min_spacing_days(1) == 7


def test_a_reusable_roller_in_a_clinic_is_refused_with_the_rule_and_sources(ev: Evidence) -> None:
    with pytest.raises(RefusedError) as exc:
        plan(ev, "fine_lines", ("full_face",), "clinic", device="roller_192_020")
    assert exc.value.message == (
        "Cosmetic roller, 192 x 0.2 mm (the '250 holes/cm2 after 15 rolls' roller) is reusable and not sterile: "
        "a clinic needles only with sterile single-use units (roller or pen cartridge), opened for one client and "
        "discarded (rule clinic_sterile_single_use: cdc-disinfection-2008, doddaballapur2009, cdc-mmwr-2024)"
    )


def test_a_skinpen_type_pen_is_capped_at_its_authorised_15_mm(ev: Evidence) -> None:
    p = plan(ev, "acne_scars", ("cheek",), "clinic", device="pen_14", start=START)
    assert (p.zones[0].depth_mm.min, p.zones[0].depth_mm.max) == (1.0, 1.5)
    rule = next(r for r in p.rules if r.id == "authorised_depth")
    assert rule.sources == ("fda-den160029", "skinpen-labelling")
    assert rule.effect.startswith("depth capped at 1.5 mm on Cheeks (both): the authorisation of the Pen")
    free = plan(ev, "acne_scars", ("cheek",), "clinic", device="pen_11", start=START)
    assert (free.zones[0].depth_mm.max, "authorised_depth" in {r.id for r in free.rules}) == (2.0, False)


def test_type_v_melasma_is_shallow_pink_monthly_with_sun_protection_for_the_course(ev: Evidence) -> None:
    p = plan(ev, "hyperpigmentation", ("cheek",), "clinic", start=START, skin_type=5)
    z = p.zones[0]
    assert (z.depth_mm.min, z.depth_mm.max, z.interval_days.min) == (0.5, 1.0, 28.0)
    assert [s.date.isoformat() for s in p.schedule] == ["2027-01-04", "2027-02-01"]
    assert [r.id for r in p.rules] == ["skin_type_conservative", "melasma_sun_protection", "skin_type_sun_protection"]
    assert any(a.text.startswith("Broad-spectrum sunscreen every day through the whole course") for a in p.aftercare)
    assert p.anaesthetic is None  # 1.0 mm is not above the numbing threshold
    three = plan(ev, "hyperpigmentation", ("cheek",), "clinic", start=START, skin_type=3)
    assert (three.zones[0].depth_mm.max, three.zones[0].interval_days.min) == (1.5, 14.0)
    assert [r.id for r in three.rules] == ["melasma_sun_protection", "anaesthetic_area_per_visit"]


WHOLE_COURSE_SUN = (
    "Protect the skin from the sun every day through the whole course (broad-spectrum sunscreen, shade, a hat): "
    "darker skin can darken where it was needled"
)


def test_skin_types_iv_to_vi_keep_sun_protection_for_the_whole_course(ev: Evidence, plans: list[Plan]) -> None:
    darker = [p for p in plans if p.skin_type in (4, 5, 6)]
    assert {p.setting for p in darker} == {"home", "clinic"}
    for p in plans:
        said = [a for a in p.aftercare if a.text == WHOLE_COURSE_SUN]
        rule = [r for r in p.rules if r.id == "skin_type_sun_protection"]
        if p.skin_type in (4, 5, 6):
            assert [(a.kind, a.hours, a.sources) for a in said] == [
                ("do", None, ("psk-skin-of-color", "hou2017", "gul2023"))
            ]
            assert [(r.effect, r.sources) for r in rule] == [
                (WHOLE_COURSE_SUN, ("psk-skin-of-color", "hou2017", "gul2023"))
            ]
        else:
            assert (said, rule) == ([], [])


def test_a_type_vi_home_plan_gets_the_whole_course_sun_line_and_its_guide_says_it(ev: Evidence) -> None:
    p = plan(ev, "fine_lines", ("cheek",), "home", device="roller_192_025_home", start=START, skin_type=6)
    assert [r.id for r in p.rules] == [
        "home_one_person",
        "skin_type_sun_protection",
        "home_sessions_per_week",
        "aftercare_spacing",
    ]
    assert WHOLE_COURSE_SUN in [a.text for a in guide_for_plan(ev, p).aftercare]
    type_ii = plan(ev, "fine_lines", ("cheek",), "home", device="roller_192_025_home", start=START, skin_type=2)
    assert WHOLE_COURSE_SUN not in [a.text for a in type_ii.aftercare]


def test_an_unlabelled_anaesthetic_is_never_planned(ev: Evidence) -> None:
    from dataclasses import replace

    blt = replace(ev, technique=ev.technique.model_copy(update={"anaesthetic_default": "blt_compounded"}))
    with pytest.raises(RefusedError, match=r"has no label giving a maximum area, so no plan puts it on skin"):
        plan(blt, "striae", ("flanks",), "clinic")


# --- CLI --------------------------------------------------------------------------------------------


def test_cli_guide_plans_the_striae_example_visit_by_visit(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["--indication", "striae", "--zone", "abdomen", "--zone", "thighs", "--zone", "buttocks"]
    args += ["--zone", "flanks", "--setting", "clinic"]
    g = cli_json(capsys, "guide", *args, "--visit", "6")
    (apply,) = [s for s in g["steps"] if s["kind"] == "anaesthetic-apply"]
    assert (g["visit"], g["visits"], apply["zones"], apply["area_cm2"], apply["amount_g"]) == (
        6,
        9,
        ["abdomen"],
        550.0,
        {"min": 82.5, "max": 110.0},
    )
    assert g["parts"] == [
        {
            "zone": "abdomen",
            "portion": 1,
            "portions": 2,
            "area_cm2": 550.0,
            "numbed": True,
            "label": "Abdomen, part 1 of 2 (550 cm²)",
        }
    ]
    data = cli_json(capsys, "plan", *args, "--start", "2027-01-04")
    assert data["schedule"][1] == {
        "session": 1,
        "date": "2027-01-05",
        "visit": 2,
        "zones": ["thighs"],
        "parts": [
            {
                "zone": "thighs",
                "portion": 2,
                "portions": 4,
                "area_cm2": 892.5,
                "numbed": True,
                "label": "Thighs, part 2 of 4 (about 893 cm²)",
            }
        ],
    }
    code, out, err = cli(capsys, "plan", *args, "--start", "2027-01-04")
    assert (code, err) == (0, "")
    assert "Thighs, part 2 of 4 (about 893 cm²)" in out


def test_cli_refuses_a_split_that_cannot_fit_the_course_in_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    policy = tmp_path / "policy.toml"
    policy.write_text("anaesthetic_split_gap_days = 14\n", encoding="utf-8")
    args = ["--indication", "striae", "--zone", "thighs", "--setting", "clinic", "--policy", str(policy)]
    code, out, err = cli(capsys, "guide", *args)
    assert (code, out) == (2, "")
    assert err == (
        "pinpoint: error: each session needs 4 visits 14 day(s) apart (policy anaesthetic_split_gap_days) to keep "
        "Liposomal lidocaine 4% (LMX4) within its label, 42 days from first to last, but the next session comes "
        "28 days after the first; no split of visits fits this course: plan fewer zones in it (rule "
        "anaesthetic_area_per_visit: lmx4-smpc, emla-uk-pil, cincinnati-childrens, empowerpharmacy)\n"
    )


def test_cli_plan_refuses_a_reusable_roller_in_a_clinic(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = cli(
        capsys,
        "plan",
        "--indication",
        "fine_lines",
        "--zone",
        "cheek",
        "--setting",
        "clinic",
        "--device",
        "roller_192_020",
    )
    assert code == 2
    assert err.count("\n") == 1
    assert err.endswith("(rule clinic_sterile_single_use: cdc-disinfection-2008, doddaballapur2009, cdc-mmwr-2024)\n")


def test_cli_guide_takes_answers_and_drops_the_anaesthetic(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, safe_answers: dict[str, Any]
) -> None:
    path = tmp_path / "answers.json"
    path.write_text(json.dumps({**safe_answers, "zones": ["flanks"], "breastfeeding": True}), encoding="utf-8")
    base = ["guide", "--indication", "striae", "--zone", "flanks", "--setting", "clinic", "--on", "2026-11-25"]
    with_numbing = cli_json(capsys, *base)
    without = cli_json(capsys, *base, "--answers", str(path))
    assert [s["area_cm2"] for s in with_numbing["steps"] if s["kind"] == "anaesthetic-apply"] == [600.0]
    assert [s["kind"] for s in without["steps"] if s["kind"].startswith("anaesthetic")] == []
    (needling,) = [s for s in without["steps"] if s["kind"] == "needling"]
    assert needling["cautions"][0].startswith("no topical anaesthetic: breastfeeding")


def test_cli_guide_and_plan_take_a_skin_type(capsys: pytest.CaptureFixture[str]) -> None:
    base = ["--indication", "hyperpigmentation", "--zone", "cheek", "--setting", "clinic", "--skin-type", "V"]
    data = cli_json(capsys, "plan", *base, "--start", "2027-01-04")
    assert [r["id"] for r in data["rules"]] == [
        "skin_type_conservative",
        "melasma_sun_protection",
        "skin_type_sun_protection",
    ]
    assert data["schedule"][1] == {
        "session": 2,
        "date": "2027-02-01",
        "visit": 1,
        "zones": ["cheek"],
        "parts": [
            {"zone": "cheek", "portion": 1, "portions": 1, "area_cm2": 180.0, "numbed": False, "label": "Cheeks (both)"}
        ],
    }
    g = cli_json(capsys, "guide", *base)
    (needling,) = [s for s in g["steps"] if s["kind"] == "needling"]
    assert needling["detail"].startswith("0.5-1 mm")
    code, _, err = cli(capsys, "guide", *base[:-1], "VII")
    assert code == 2 and err.count("\n") == 1 and "--skin-type" in err


def test_an_approved_referral_plans_without_the_anaesthetic_a_finding_forbids(
    ev: Evidence, safe_answers: dict[str, Any]
) -> None:
    answers = parse_answers(safe_answers | {"anticoagulants": True, "breastfeeding": True}, ev)
    unscreened = plan(ev, "acne_scars", ("back",), "clinic", start=START)
    assert (unscreened.anaesthetic, len(unscreened.visits)) == ("lmx4", 3)
    screening = screen_for(answers, "microneedling", ("back",), START, ev)
    assert screening.verdict == "refer"
    with pytest.raises(PinpointError, match="no plan made"):
        plan(ev, "acne_scars", ("back",), "clinic", start=START, answers=answers)
    approved = plan(ev, "acne_scars", ("back",), "clinic", start=START, approved=screening)
    assert (approved.anaesthetic, approved.screening) == (None, screening)
    assert [(v.visit, v.zones, v.anaesthetic_zones, v.area_cm2) for v in approved.visits] == [(1, ("back",), (), 0.0)]
    assert [r.id for r in approved.rules] == ["screening_no_anaesthetic"]
    assert [s.date.isoformat() for s in approved.schedule] == ["2027-01-04", "2027-02-01", "2027-03-01"]
    kinds = [s.kind for s in guide_for_plan(ev, approved).steps]
    assert "anaesthetic-apply" not in kinds and "needling" in kinds
    with pytest.raises(PinpointError, match="an approved screening is a referral a physician approved"):
        plan(ev, "acne_scars", ("back",), "clinic", start=START, answers=answers, approved=screening)


def test_an_amide_allergy_takes_the_anaesthetic_out_and_the_needling_says_why_once(
    ev: Evidence, safe_answers: dict[str, Any]
) -> None:
    answers = parse_answers(safe_answers | {"anaesthetic_risks": ["amide_allergy"]}, ev)
    p = plan(ev, "acne_scars", ("cheek",), "clinic", start=START, answers=answers)
    g = guide_for_plan(ev, p, screening=p.screening)
    assert "anaesthetic-apply" not in [s.kind for s in g.steps]
    (needling,) = [s for s in g.steps if s.kind == "needling"]
    why = (
        "a condition that rules out topical anaesthetic: the creams' labels contraindicate it or ask for close "
        "monitoring, and the pen's manual says not to use one; the needling itself may go ahead without it "
        "(amide allergy)"
    )
    assert needling.cautions == (f"no topical anaesthetic: {why}",)
    assert [(r.id, r.effect) for r in p.rules] == [("screening_no_anaesthetic", f"no topical anaesthetic: {why}")]
    unanswered = {k: v for k, v in safe_answers.items() if k != "anaesthetic_risks"}
    screening = screen_for(parse_answers(unanswered, ev), "microneedling", ("cheek",), START, ev)
    assert [f.message for f in screening.findings] == [
        "not answered (a condition that rules out topical anaesthetic): ask before treatment"
    ]


def test_a_clinic_session_cannot_choose_a_reusable_roller_unit_but_a_home_one_can(ev: Evidence) -> None:
    from pinpoint.core.lots import Lot, check_lot, lot_verdict

    roller = Lot(label="Shelf roller", device="roller_192_025_home")
    refusal = (
        "Shelf roller: Home roller, 192 x 0.25 mm is reusable and not sterile: a clinic needles only with "
        "sterile single-use units (roller or pen cartridge), opened for one client and discarded"
    )
    assert lot_verdict(ev, roller, START, "clinic").reasons == (refusal,)
    with pytest.raises(RefusedError) as err:
        check_lot(ev, roller, START, setting="clinic")
    assert (err.value.field, err.value.message) == ("device_unit", refusal)
    assert lot_verdict(ev, roller, START, "home").usable
    assert lot_verdict(ev, Lot(label="Box A", device="pen_14", units_total=10), START, "clinic").usable


def test_type_v_melasma_warns_once_of_pigment_and_once_of_the_melasma_depth_view(ev: Evidence) -> None:
    p = plan(ev, "hyperpigmentation", ("cheek",), "clinic", start=START, skin_type=5)
    assert p.warnings == (
        "used with a triple-combination cream and daily sunscreen in the trials; needling alone is not the protocol",
        "herpes simplex flared in 3 patients after needling in a melasma trial: ask about cold sores; with a "
        "history, a doctor may give antiviral cover",
        "melasma on Fitzpatrick IV-VI: inflammation can worsen the pigment, so some dermatologists keep needling at "
        "1 mm or less; on the darkest skin it may darken before it lightens",
        "Fitzpatrick IV-VI: post-inflammatory hyperpigmentation is the adverse event reported most often; it is "
        "tied to over-treatment",
        "schedule shows the first 2 sessions; review then: the evidence supports up to 6",
    )


def test_every_finding_that_forbids_the_anaesthetic_removes_it_from_every_numbed_plan(
    ev: Evidence, plans: list[Plan], safe_answers: dict[str, Any]
) -> None:
    """Each numbed plan of the sweep, re-planned with one of the answers that forbid the anaesthetic
    (breastfeeding, each anaesthetic risk, in turn): no visit numbs, no guide has an anaesthetic step,
    and every zone that would have been numbed says why at its needling."""
    from pinpoint.core.answers import answer_choices

    forbidding = [{"breastfeeding": True}, *({"anaesthetic_risks": [r]} for r in answer_choices("anaesthetic_risks"))]
    numbed = [p for p in plans if p.anaesthetic is not None]
    assert len(numbed) > 300
    for i, p in enumerate(numbed):
        zones = tuple(dict.fromkeys(z.part_of for z in p.zones))
        answers = parse_answers(safe_answers | forbidding[i % len(forbidding)] | {"zones": list(zones)}, ev)
        q = plan(
            ev, p.indication, zones, p.setting, device=p.device, start=START, skin_type=p.skin_type, answers=answers
        )
        assert q.anaesthetic is None
        assert [(v.anaesthetic_zones, v.area_cm2, v.amount_g) for v in q.visits] == [((), 0.0, None)]
        assert [r.id for r in q.rules if r.id.startswith(("screening_", "anaesthetic_"))] == [
            "screening_no_anaesthetic"
        ]
        g = guide_for_plan(ev, q, screening=q.screening)
        assert not {"anaesthetic-apply", "anaesthetic-remove"} & {s.kind for s in g.steps}
        was_numbed = {part.zone for v in p.visits for part in v.parts if part.numbed}
        for step in g.steps:
            if step.kind == "needling" and step.zones[0] in was_numbed:
                assert len([c for c in step.cautions if c.startswith("no topical anaesthetic: ")]) == 1


def test_a_clinic_plan_naming_no_pen_says_when_it_goes_deeper_than_an_authorisation_evaluated(
    ev: Evidence, plans: list[Plan]
) -> None:
    warned = 0
    for p in plans:
        said = [w for w in p.warnings if w.startswith("no pen named:")]
        if p.device is None and p.device_kind == "pen" and p.deepest_mm > 1.5:
            warned += 1
            assert said == [
                f"no pen named: the plan reaches {p.deepest_mm:g} mm, deeper than the 1.5 mm whose safety the "
                "authorisations of some pens evaluated (Pen, 14-needle cartridge at 7,000 rpm (SkinPen-type); "
                "Pen, 6-needle cartridge at 100-150 Hz (Exceed-type)); name the pen to plan within its authorised depth"
            ]
            assert {"fda-den160029", "fda-k182407"} <= set(p.sources)
        else:
            assert said == []
    assert warned > 20
