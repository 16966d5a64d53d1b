"""pinpoint.core.records: the record rules the web app calls (pure functions, no database)."""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pinpoint.core.answers import parse_answers
from pinpoint.core.errors import InputError, RefusedError, UnknownIdError
from pinpoint.core.guide import guide_for_plan
from pinpoint.core.planning import Plan, interval_rule, plan
from pinpoint.core.records import (
    BookedSession,
    Override,
    canonical_json,
    check_session_date,
    check_zone_record,
    content_sha256,
    min_gaps,
    roller_status,
    screen_for_plan,
    start_check,
)
from pinpoint.core.screening import screen
from pinpoint.evidence import Evidence

DAY = dt.date(2026, 3, 2)


@pytest.fixture(scope="module")
def acne(ev: Evidence) -> Plan:
    """Acne scars on the cheek in a clinic with a pen: 1-1.5 mm (the pen is capped at its authorised 1.5 mm)."""
    return plan(ev, "acne_scars", ("cheek",), "clinic", device="pen_14", start=DAY)


@pytest.fixture(scope="module")
def home(ev: Evidence) -> Plan:
    """Fine lines on the cheek at home with the 0.25 mm roller."""
    return plan(ev, "fine_lines", ("cheek",), "home", device="roller_192_025_home", start=DAY)


def _band_days(ev: Evidence, depth: float) -> int:
    rule = next(r for r in ev.technique.intervals if r.depth_from_mm <= depth < r.depth_to_mm)
    return math.ceil(rule.interval_days.min)


def test_min_gap_uses_the_planned_depth_or_the_recorded_one(ev: Evidence, acne: Plan) -> None:
    planned = min_gaps(ev, acne)
    assert [(g.zone, g.depth_mm) for g in planned] == [("cheek", 1.5)]
    assert planned[0].interval_days == _band_days(ev, 1.5) == 28
    recorded = min_gaps(ev, acne, {"cheek": 0.5})
    assert recorded[0].interval_days == _band_days(ev, 0.5)
    assert recorded[0].interval_days < planned[0].interval_days
    assert recorded[0].sources == interval_rule(ev, ev.indications["acne_scars"], 0.5).interval_days.sources


def test_a_date_too_close_to_the_previous_session_is_refused_with_the_reason(ev: Evidence, acne: Plan) -> None:
    others = [BookedSession(number=1, date=DAY), BookedSession(number=2, date=DAY + dt.timedelta(days=28))]
    with pytest.raises(RefusedError) as exc:
        check_session_date(ev, acne, 2, DAY + dt.timedelta(days=27), others)
    assert exc.value.field == "date"
    assert "27 days after session 1" in exc.value.message
    assert "cheek at 1.5 mm (planned) needs at least 28 days" in exc.value.message
    check_session_date(ev, acne, 2, DAY + dt.timedelta(days=28), others)  # exactly the interval is fine


def test_the_recorded_depth_of_a_signed_session_sets_the_spacing(ev: Evidence, acne: Plan) -> None:
    others = [BookedSession(number=1, date=DAY, depths_mm={"cheek": 1.0})]
    days = _band_days(ev, 1.0)
    check_session_date(ev, acne, 2, DAY + dt.timedelta(days=days), others)
    with pytest.raises(RefusedError, match=r"cheek at 1 mm \(recorded\)"):
        check_session_date(ev, acne, 2, DAY + dt.timedelta(days=days - 1), others)


def test_moving_a_session_too_close_to_the_next_one_is_refused(ev: Evidence, acne: Plan) -> None:
    others = [BookedSession(number=1, date=DAY), BookedSession(number=2, date=DAY + dt.timedelta(days=56))]
    with pytest.raises(RefusedError, match=r"session 2 on .* is 10 days after session 1"):
        check_session_date(ev, acne, 1, DAY + dt.timedelta(days=46), others)
    with pytest.raises(RefusedError):
        check_session_date(ev, acne, 3, DAY + dt.timedelta(days=56), others)  # same day as session 2


# --- the whole-plan spacing rules hold when a booked session is moved -------------------------------


def _refusal(ev: Evidence, p: Plan, number: int, on: dt.date, others: list[BookedSession]) -> str:
    with pytest.raises(RefusedError) as exc:
        check_session_date(ev, p, number, on, others)
    assert exc.value.field == "date"
    return exc.value.message


def test_a_home_session_keeps_the_aftercare_spacing_of_the_plan(ev: Evidence, home: Plan) -> None:
    """0.25 mm at home: the depth band allows 3 days, 2 a week allows 4; the plan keeps 5 (its own aftercare)."""
    assert home.zones[0].interval_days.min == 5.0
    others = [BookedSession(number=1, date=DAY), BookedSession(number=2, date=dt.date(2026, 3, 7))]
    assert _refusal(ev, home, 2, dt.date(2026, 3, 6), others) == (
        "session 2 on 2026-03-06 is 4 days after session 1 on 2026-03-02; cheek at 0.25 mm (planned) needs at "
        "least 5 days between sessions (rule aftercare_spacing: sessions at least 5 days apart: the aftercare says "
        "'No retinoids, AHA/BHA acids or vitamin C on the treated skin' for at least 5 days after each session; "
        "sources: fifthelement, monarch, goldencoast)"
    )
    check_session_date(ev, home, 2, dt.date(2026, 3, 7), others)
    # the next neighbour too: session 1 moved to 2026-03-03 leaves session 2 only 4 days after it
    assert _refusal(ev, home, 1, dt.date(2026, 3, 3), others).startswith(
        "session 2 on 2026-03-07 is 4 days after session 1 on 2026-03-03; cheek at 0.25 mm (planned) needs at "
        "least 5 days between sessions (rule aftercare_spacing:"
    )
    check_session_date(ev, home, 1, dt.date(2026, 3, 2), others)


def test_a_home_session_keeps_the_sessions_per_week_policy(ev: Evidence) -> None:
    once_a_week = ev.with_policy({"home_sessions_per_week_to_0_25_mm": 1})
    p = plan(once_a_week, "fine_lines", ("cheek",), "home", device="roller_192_025_home", start=DAY)
    others = [BookedSession(number=1, date=DAY, depths_mm={"cheek": 0.25}, signed=True)]
    assert _refusal(once_a_week, p, 2, dt.date(2026, 3, 8), others) == (
        "session 2 on 2026-03-08 is 6 days after session 1 on 2026-03-02; cheek at 0.25 mm (recorded) needs at "
        "least 7 days between sessions (rule home_sessions_per_week: at home with 0.25 mm needles: at most 1 "
        "session in any 7 days, so at least 7 days apart (policy home_sessions_per_week_to_0_25_mm); sources: "
        "ansvers, allure-marchbein, sugarleaf-frequency, trendingindia, necolebitchie)"
    )
    check_session_date(once_a_week, p, 2, dt.date(2026, 3, 9), others)


def test_fitzpatrick_iv_to_vi_keeps_the_28_day_wait_when_a_session_is_moved(ev: Evidence) -> None:
    """Hyperpigmentation on type V: the depth band allows 14 days at 1 mm; the skin-type rule 28."""
    p = plan(ev, "hyperpigmentation", ("cheek",), "clinic", start=DAY, skin_type=5)
    assert (p.zones[0].depth_mm.max, p.zones[0].interval_days.min) == (1.0, 28.0)
    assert interval_rule(ev, ev.indications["hyperpigmentation"], 1.0).interval_days.min == 14
    others = [BookedSession(number=1, date=DAY), BookedSession(number=2, date=dt.date(2026, 3, 30))]
    assert _refusal(ev, p, 2, dt.date(2026, 3, 29), others) == (
        "session 2 on 2026-03-29 is 27 days after session 1 on 2026-03-02; cheek at 1 mm (planned) needs at least "
        "28 days between sessions (rule skin_type_conservative: Fitzpatrick type 5: sessions at least 28 days apart "
        "(policy pigment_risk_interval_days); sources: setterfield-apan2021, dermapen4-manual, psk-skin-of-color, "
        "hou2017, dogra2014, gul2023)"
    )
    check_session_date(ev, p, 2, dt.date(2026, 3, 30), others)
    assert _refusal(ev, p, 1, dt.date(2026, 3, 3), others).startswith(
        "session 2 on 2026-03-30 is 27 days after session 1 on 2026-03-03; cheek at 1 mm (planned) needs at least "
        "28 days between sessions (rule skin_type_conservative: Fitzpatrick type 5"
    )
    # a session recorded shallower than 0.5 mm is outside the skin-type rule: its depth band sets the wait
    shallow = [BookedSession(number=1, date=DAY, depths_mm={"cheek": 0.25}, signed=True)]
    assert [(g.interval_days, g.rule) for g in min_gaps(ev, p, {"cheek": 0.25})] == [(14, None)]
    check_session_date(ev, p, 2, dt.date(2026, 3, 16), shallow)
    assert "needs at least 14 days between sessions (sources: " in _refusal(ev, p, 2, dt.date(2026, 3, 15), shallow)


def test_the_booked_spacing_is_the_planned_spacing_for_every_plan(ev: Evidence) -> None:
    """One place per rule: at the planned depths, the minimum gap is the plan's own interval, zone by zone."""
    checked = 0
    for ind, zones, setting, device, skin in (
        ("fine_lines", ("full_face",), "home", "roller_192_025_home", None),
        ("fine_lines", ("cheek", "neck"), "home", None, 5),
        ("fine_lines", ("full_face",), "clinic", None, 4),
        ("acne_scars", ("cheek", "forehead"), "clinic", "pen_14", 6),
        ("hyperpigmentation", ("cheek",), "clinic", None, 3),
        ("striae", ("flanks",), "clinic", None, None),
        ("androgenetic_alopecia", ("scalp",), "clinic", None, 5),
    ):
        p = plan(ev, ind, zones, setting, device=device, start=DAY, skin_type=skin)  # type: ignore[arg-type]
        gaps = {g.zone: g.interval_days for g in min_gaps(ev, p)}
        assert gaps == {z.zone: math.ceil(z.interval_days.min) for z in p.zones}, (ind, zones, setting, skin)
        assert max(gaps.values()) == (p.schedule[1].date - p.schedule[0].date).days
        checked += len(gaps)
    assert checked == 19


def test_a_recorded_depth_within_plan_zone_and_device_passes_with_no_warning(ev: Evidence, acne: Plan) -> None:
    check = check_zone_record(ev, acne, "cheek", depth_mm=1.5, passes=6, device="pen_14")
    assert check.warnings == ()


@pytest.mark.parametrize(
    ("depth", "field", "fragment"),
    [
        (2.5, "depth_mm", "outside the range of zone cheek (0.13-2 mm"),
        (0.1, "depth_mm", "outside the range of zone cheek"),
    ],
)
def test_a_depth_outside_the_zone_range_is_refused(
    ev: Evidence, acne: Plan, depth: float, field: str, fragment: str
) -> None:
    with pytest.raises(RefusedError) as exc:
        check_zone_record(ev, acne, "cheek", depth_mm=depth, passes=6, device=None)
    assert exc.value.field == field
    assert fragment in exc.value.message


def test_deeper_than_planned_is_refused_shallower_is_a_warning(ev: Evidence) -> None:
    fine = plan(ev, "fine_lines", ("cheek",), "clinic", start=DAY)
    top = fine.zones[0].depth_mm
    assert top.max + 0.05 < ev.zones["cheek"].depth_mm.max  # type: ignore[union-attr]
    with pytest.raises(RefusedError, match="deeper than the plan allows"):
        check_zone_record(ev, fine, "cheek", depth_mm=top.max + 0.05, passes=5, device=None)
    check = check_zone_record(ev, fine, "cheek", depth_mm=top.min - 0.05, passes=5, device=None)
    assert check.warnings == (f"cheek: {top.min - 0.05:g} mm is shallower than planned ({top.min:g} mm at least)",)


def test_at_home_a_depth_above_the_home_cap_is_refused_even_if_the_policy_is_lower(ev: Evidence, home: Plan) -> None:
    cap = ev.policy_value("home_depth_cap_mm")
    with pytest.raises(RefusedError, match=r"above the home cap of 0\.3 mm"):
        check_zone_record(ev, home, "cheek", depth_mm=cap + 0.1, passes=10, device=None)
    strict = ev.with_policy({"home_depth_cap_mm": 0.2})
    with pytest.raises(RefusedError, match=r"home cap of 0\.2 mm"):
        check_zone_record(strict, home, "cheek", depth_mm=0.25, passes=10, device=None)


def test_a_roller_records_its_own_needle_length_only(ev: Evidence, home: Plan) -> None:
    assert check_zone_record(ev, home, "cheek", depth_mm=0.25, passes=15, device="roller_192_025_home").warnings == ()
    with pytest.raises(RefusedError, match=r"has 0\.25 mm needles; 0\.2 mm was recorded"):
        check_zone_record(ev, home, "cheek", depth_mm=0.2, passes=15, device="roller_192_025_home")
    with pytest.raises(RefusedError, match="is for clinic use, not home") as exc:
        check_zone_record(ev, home, "cheek", depth_mm=0.25, passes=15, device="roller_192_050")
    assert exc.value.field == "device"
    with pytest.raises(UnknownIdError, match="did you mean 'pen_14'"):
        check_zone_record(ev, home, "cheek", depth_mm=0.25, passes=15, device="pen_41")


def test_passes_and_malformed_values(ev: Evidence, acne: Plan) -> None:
    check = check_zone_record(ev, acne, "cheek", depth_mm=1.0, passes=25, device=None)
    assert check.warnings == ("cheek: 25 passes, outside the planned 4-10",)
    with pytest.raises(InputError) as exc:
        check_zone_record(ev, acne, "cheek", depth_mm=1.0, passes=0, device=None)
    assert exc.value.field == "passes"
    for bad in (math.nan, -1.0, 0.0, math.inf):
        with pytest.raises(InputError):
            check_zone_record(ev, acne, "cheek", depth_mm=bad, passes=5, device=None)
    with pytest.raises(InputError, match="not in this plan"):
        check_zone_record(ev, acne, "forehead", depth_mm=0.5, passes=5, device=None)


def _screening(ev: Evidence, answers: dict[str, Any], p: Plan) -> Any:
    return screen_for_plan(parse_answers(answers, ev), p, DAY, ev)


def test_start_gate(ev: Evidence, acne: Plan, home: Plan, safe_answers: dict[str, Any]) -> None:
    clinic_guide, home_guide = guide_for_plan(ev, acne), guide_for_plan(ev, home)
    ok = _screening(ev, safe_answers, acne)
    assert start_check(ok, clinic_guide, consent_signed=True).allowed
    no_consent = start_check(ok, clinic_guide, consent_signed=False)
    assert (no_consent.allowed, no_consent.overridable, no_consent.consent_needed) == (False, False, True)
    assert no_consent.reasons == ("no signed consent for microneedling is in force on the session date",)
    at_home = start_check(_screening(ev, {**safe_answers, "setting": "home"}, home), home_guide, consent_signed=False)
    assert (at_home.allowed, at_home.consent_needed) == (True, False)
    assert not start_check(None, clinic_guide, consent_signed=True).allowed


APPROVAL = Override(physician="Dr Lin Ng", approved_on=dt.date(2026, 2, 20), reason="may proceed at 1.0 mm")


def test_a_referral_blocks_unless_overridden_with_a_physicians_approval(
    ev: Evidence, acne: Plan, safe_answers: dict[str, Any]
) -> None:
    guide = guide_for_plan(ev, acne)
    refer = _screening(ev, {**safe_answers, "anticoagulants": True}, acne)
    assert refer.verdict == "refer"
    blocked = start_check(refer, guide, consent_signed=True)
    assert (blocked.allowed, blocked.overridable, blocked.overridden) == (False, True, False)
    assert blocked.reasons[0].startswith("screening verdict 'refer': anticoagulant therapy")
    passed = start_check(refer, guide, consent_signed=True, override=APPROVAL)
    assert (passed.allowed, passed.overridden) == (True, True)
    both = start_check(refer, guide, consent_signed=False, override=APPROVAL)
    assert (both.allowed, both.overridable, both.overridden) == (False, False, False)


@pytest.mark.parametrize(
    ("change", "verdict"),
    [({"pregnant": True}, "contraindicated"), ({"isotretinoin_last_dose": "2026-02-01"}, "defer")],
)
def test_defer_and_contraindicated_cannot_be_overridden(
    ev: Evidence, acne: Plan, safe_answers: dict[str, Any], change: dict[str, Any], verdict: str
) -> None:
    s = _screening(ev, {**safe_answers, **change}, acne)
    assert s.verdict == verdict
    check = start_check(s, guide_for_plan(ev, acne), consent_signed=True, override=APPROVAL)
    assert (check.allowed, check.overridable, check.overridden) == (False, False, False)


def test_screening_uses_the_plan_parts(ev: Evidence, safe_answers: dict[str, Any]) -> None:
    face = plan(ev, "fine_lines", ("full_face",), "clinic", start=DAY)
    answers = {**safe_answers, "zones": ["full_face"], "herpes_history": True}
    direct = screen(parse_answers(answers, ev), DAY, ev)
    by_plan = screen_for_plan(parse_answers(answers, ev), face, DAY, ev)
    assert by_plan.zones == tuple(z.zone for z in face.zones)
    assert by_plan.verdict == direct.verdict
    with pytest.raises(InputError, match="electrolysis"):
        screen_for_plan(parse_answers({**answers, "treatment": "electrolysis", "zones": ["cheek"]}, ev), face, DAY, ev)


def test_roller_wear_by_uses_and_by_days(ev: Evidence) -> None:
    uses = int(ev.policy_value("roller_replacement_uses"))
    days = int(ev.policy_value("roller_replacement_days"))
    fresh = roller_status(ev, "roller_192_025_home", uses - 1, DAY, DAY + dt.timedelta(days=days - 1))
    assert (fresh.replace, fresh.uses_limit, fresh.days_limit, fresh.days_in_use) == (False, uses, days, days - 1)
    worn = roller_status(ev, "roller_192_025_home", uses, DAY, DAY)
    assert worn.replace
    assert worn.reasons == (f"used {uses} times; replace after {uses} uses (policy roller_replacement_uses)",)
    old = roller_status(ev, "roller_192_025_home", 1, DAY, DAY + dt.timedelta(days=days))
    assert old.reasons == (f"first used {days} days ago; replace after {days} days (policy roller_replacement_days)",)
    stricter = roller_status(ev.with_policy({"roller_replacement_uses": 3}), "roller_192_025_home", 3, DAY, DAY)
    assert stricter.replace
    single = roller_status(ev, "pen_14", 1, DAY, DAY)
    assert (single.reusable, single.replace) == (False, True)
    with pytest.raises(UnknownIdError):
        roller_status(ev, "roller", 1, None, DAY)


def test_canonical_json_and_its_hash() -> None:
    assert canonical_json({"b": 1, "a": "é"}) == '{"a":"é","b":1}'
    assert content_sha256({}) == hashlib.sha256(b"{}").hexdigest()
    assert content_sha256({"a": 1, "b": 2}) != content_sha256({"a": 1, "b": 3})
    with pytest.raises(ValueError, match="Out of range float"):
        canonical_json({"x": math.nan})


@given(st.dictionaries(st.text(max_size=5), st.integers() | st.text(max_size=5), max_size=6))
def test_the_hash_does_not_depend_on_key_order(content: dict[str, Any]) -> None:
    reordered = dict(reversed(list(content.items())))
    assert content_sha256(reordered) == content_sha256(content)
