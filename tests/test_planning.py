"""Course planning: depths within zone and home cap, intervals, schedules, refusals."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest

from pinpoint.core import InputError, RefusedError, ScreeningBlockedError, UnknownIdError, parse_answers, plan
from pinpoint.core.zones import expand, zone_name, zone_names
from pinpoint.evidence import Evidence
from tests.conftest import TODAY


def all_plans(ev: Evidence) -> list[tuple[str, str, str, Any]]:
    """Every (indication, zone, setting) the evidence supports, with its plan (None when refused)."""
    out = []
    for (ind_id, ind), setting in itertools.product(ev.indications.items(), ("home", "clinic")):
        for zone in ind.zones:
            try:
                out.append((ind_id, zone, setting, plan(ev, ind_id, (zone,), setting, start=TODAY)))
            except RefusedError:
                out.append((ind_id, zone, setting, None))
    return out


def test_planner_covers_every_indication_in_some_setting(ev: Evidence) -> None:
    plans = all_plans(ev)
    made = {(i, s) for i, _, s, p in plans if p is not None}
    assert {i for i, _ in made} == set(ev.indications)
    assert ("acne_scars", "home") not in made
    assert ("fine_lines", "home") in made


def test_home_depth_never_exceeds_the_cap(ev: Evidence) -> None:
    cap = ev.policy_value("home_depth_cap_mm")
    home = [p for _, _, s, p in all_plans(ev) if s == "home" and p is not None]
    assert len(home) >= 20
    assert max(z.depth_mm.max for p in home for z in p.zones) == cap == 0.3


def test_home_cap_override_is_obeyed_and_reported(ev: Evidence) -> None:
    strict = ev.with_policy({"home_depth_cap_mm": 0.25})
    p = plan(strict, "fine_lines", ("cheek",), "home", start=TODAY)
    assert (p.zones[0].depth_mm.min, p.zones[0].depth_mm.max) == (0.2, 0.25)
    assert "policy home_depth_cap_mm overridden: 0.25 mm (default 0.3)" in p.warnings
    with pytest.raises(RefusedError, match=r"at home needs at least 0\.2 mm, above the home cap of 0\.15 mm"):
        plan(ev.with_policy({"home_depth_cap_mm": 0.15}), "fine_lines", ("cheek",), "home", start=TODAY)


def test_deeper_home_plans_are_refused_with_the_reason(ev: Evidence) -> None:
    with pytest.raises(RefusedError) as err:
        plan(ev, "acne_scars", ("cheek",), "home", start=TODAY)
    assert str(err.value) == (
        "acne_scars on cheek has no home protocol: it needs 1-2 mm, deeper than the home cap of 0.3 mm "
        "(policy home_depth_cap_mm); plan it in a clinic"
    )


def test_depth_stays_within_each_zone_range(ev: Evidence) -> None:
    for _, _, _, p in all_plans(ev):
        for z in p.zones if p else ():
            zr = ev.zones[z.zone].depth_mm
            assert zr is not None
            assert zr.min <= z.depth_mm.min <= z.depth_mm.max <= zr.max, z


def test_thin_skin_zones_get_shallow_depths(ev: Evidence) -> None:
    p = plan(ev, "fine_lines", ("full_face",), "clinic", start=TODAY)
    depth = {z.zone: z.depth_mm.max for z in p.zones}
    assert depth == {
        "forehead": 0.75,
        "periorbital": 0.5,
        "nose": 0.75,
        "cheek": 1.0,
        "perioral": 0.75,
        "chin_jawline": 1.0,
    }
    assert all(z.part_of == "full_face" for z in p.zones)


def test_schedule_respects_the_interval_minimum_everywhere(ev: Evidence) -> None:
    checked = 0
    for _, _, _, p in all_plans(ev):
        if p is None:
            continue
        gap = max(z.interval_days.min for z in p.zones)
        assert p.schedule[0].date == TODAY
        for visit in {s.visit for s in p.schedule}:  # a split zone's portions: each on its own visit
            dates = [s.date for s in p.schedule if s.visit == visit]
            assert all((b - a).days >= gap for a, b in itertools.pairwise(dates))
            checked += len(dates) - 1
        sessions = [[s.date for s in p.schedule if s.session == n] for n in sorted({s.session for s in p.schedule})]
        assert all(max(a) < min(b) for a, b in itertools.pairwise(sessions))  # a session ends before the next
    assert checked > 200


def test_interval_depends_on_depth_and_indication(ev: Evidence) -> None:
    aga = plan(ev, "androgenetic_alopecia", ("scalp",), "clinic", start=TODAY)
    assert (aga.zones[0].interval_days.min, aga.zones[0].depth_mm.max) == (7, 1.5)
    assert [s.date for s in aga.schedule][:3] == [TODAY, TODAY + dt.timedelta(days=7), TODAY + dt.timedelta(days=14)]
    assert len(aga.schedule) == 12
    acne = plan(ev, "acne_scars", ("cheek",), "clinic", start=TODAY)
    assert (acne.zones[0].interval_days.min, acne.zones[0].interval_days.max) == (28, 42)
    assert [s.date.isoformat() for s in acne.schedule] == ["2026-11-25", "2026-12-23", "2027-01-20"]
    deep = [
        p
        for _, _, _, p in all_plans(ev)
        if p and p.indication != "androgenetic_alopecia" and p.indication != "hyperpigmentation"
    ]
    for p in deep:
        for z in p.zones:
            if z.depth_mm.max >= 1.0:
                assert z.interval_days.min >= 28


def test_device_must_fit_the_plan(ev: Evidence) -> None:
    p = plan(ev, "acne_scars", ("cheek",), "clinic", device="roller_192_150", start=TODAY)
    assert (p.zones[0].depth_mm.min, p.zones[0].depth_mm.max, p.device_kind) == (1.5, 1.5, "roller")
    assert (p.zones[0].passes.min, p.zones[0].passes.max) == (15, 20)
    with pytest.raises(RefusedError, match=r"has 0\.5 mm needles; acne_scars on cheek \(clinic\) takes 1-2 mm"):
        plan(ev, "acne_scars", ("cheek",), "clinic", device="roller_192_050", start=TODAY)
    with pytest.raises(RefusedError, match="device 'roller_192_150' is for clinic use only, not home"):
        plan(ev, "fine_lines", ("cheek",), "home", device="roller_192_150", start=TODAY)
    pen = plan(ev, "acne_scars", ("cheek",), "clinic", device="pen_6_exceed", start=TODAY)
    assert (pen.zones[0].depth_mm.min, pen.zones[0].depth_mm.max) == (1.0, 1.5)


def test_unknown_ids_and_wrong_zone(ev: Evidence) -> None:
    with pytest.raises(UnknownIdError, match=r"unknown zone 'chek'; did you mean 'cheek'\?"):
        plan(ev, "acne_scars", ("chek",), "clinic")
    with pytest.raises(UnknownIdError, match=r"unknown indication 'acne_scar'; did you mean 'acne_scars'\?"):
        plan(ev, "acne_scar", ("cheek",), "clinic")
    with pytest.raises(UnknownIdError, match=r"unknown device 'pen14'; did you mean 'pen_14'\?"):
        plan(ev, "acne_scars", ("cheek",), "clinic", device="pen14")
    with pytest.raises(InputError, match="zone 'periorbital' is not planned for acne_scars"):
        plan(ev, "acne_scars", ("periorbital",), "clinic")


def test_blocking_screening_stops_the_plan(ev: Evidence, safe_answers: dict[str, Any]) -> None:
    safe_answers["isotretinoin_last_dose"] = "2026-09-01"
    answers = parse_answers(safe_answers, ev)
    with pytest.raises(ScreeningBlockedError, match=r"screening verdict 'defer' until 2027-03-02: isotretinoin"):
        plan(ev, "acne_scars", ("cheek",), "clinic", start=TODAY, answers=answers)
    ok = plan(ev, "acne_scars", ("cheek",), "clinic", start=dt.date(2027, 3, 2), answers=answers)
    assert ok.screening is not None
    assert ok.screening.verdict == "proceed"


def test_plan_sources_exist_and_cover_each_zone(ev: Evidence) -> None:
    p = plan(ev, "striae", ("flanks", "upper_arms"), "clinic", start=TODAY, skin_type=5)
    for z in p.zones:
        assert z.sources
        assert set(z.sources) <= set(ev.sources)
    assert set(p.sources) <= set(ev.sources)
    assert any("Fitzpatrick IV-VI" in w for w in p.warnings)
    assert "estimated (not directly sourced) depth range for: upper_arms" in p.warnings
    assert p.evidence_version == ev.version


def test_expand_keeps_order_and_drops_duplicates(ev: Evidence) -> None:
    assert expand(ev, ("cheek", "full_face"), ev.indications["acne_scars"].zones) == [
        ("cheek", "cheek"),
        ("forehead", "full_face"),
        ("nose", "full_face"),
        ("perioral", "full_face"),
        ("chin_jawline", "full_face"),
    ]


def test_zones_read_by_their_names_and_a_zone_the_evidence_lacks_by_its_id_in_words(ev: Evidence) -> None:
    assert zone_name(ev, "chin_jawline") == ev.zones["chin_jawline"].name == "Chin and jawline"
    assert zone_name(ev, "inner_thigh_retired") == "inner thigh retired"
    assert zone_names(ev, ["upper_lip", "old_zone"]) == "Upper lip, old zone"
