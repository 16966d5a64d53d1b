"""Core follow-up rules: a lot's verdict, a score against its scale, an adverse event's dates, the dose of a zone."""

from __future__ import annotations

import datetime as dt

import pytest

from pinpoint.core.adverse import check_report, check_update
from pinpoint.core.dose import Delivered, course_dose
from pinpoint.core.errors import InputError, RefusedError
from pinpoint.core.lots import Lot, check_lot, lot_verdict
from pinpoint.core.outcomes import check_score
from pinpoint.core.planning import plan
from pinpoint.evidence.loader import load_evidence

EV = load_evidence()
DAY = dt.date(2026, 6, 1)


def test_an_expired_lot_is_refused_from_the_day_after_its_expiry() -> None:
    lot = Lot(label="Box A", device="pen_14", expires_on=DAY, units_total=10)
    assert lot_verdict(EV, lot, DAY).usable
    with pytest.raises(RefusedError) as err:
        check_lot(EV, lot, DAY + dt.timedelta(days=1))
    assert (err.value.field, err.value.message) == ("device_unit", "Box A expired on 1 June 2026")


def test_a_single_use_lot_counts_down_its_units_and_a_recall_comes_first() -> None:
    lot = Lot(label="Box A", device="pen_14", units_total=3, uses=2)
    assert lot_verdict(EV, lot, DAY).summary == "1 unit left"
    used = lot_verdict(EV, lot.model_copy(update={"uses": 3}), DAY)
    assert used.reasons == ("all 3 units of Box A are used: open a new lot",)
    recalled = lot_verdict(EV, lot.model_copy(update={"recalled_on": DAY, "recall_reason": "sterility"}), DAY)
    assert recalled.reasons[0] == "Box A was recalled on 1 June 2026: sterility"


def test_a_reusable_roller_is_retired_by_the_policys_limits() -> None:
    limit = int(EV.policy_value("roller_replacement_uses"))
    roller = Lot(label="My roller", device="roller_192_025_home", uses=limit, first_used_on=DAY)
    verdict = lot_verdict(EV, roller, DAY)
    assert not verdict.usable
    assert verdict.reasons == (
        f"My roller: used {limit} times; replace after {limit} uses (policy roller_replacement_uses)",
    )


def test_scores_are_checked_against_their_scale() -> None:
    assert check_score(EV, "gais", "practitioner", 1).label == "Very much improved (optimal result)"
    with pytest.raises(InputError) as err:
        check_score(EV, "goodman_baron_grade", "practitioner", 2.5)
    assert err.value.message == "a G&B grade score is a whole number"
    with pytest.raises(InputError) as err:
        check_score(EV, "mmasi", "practitioner", components={"forehead": {"area": 7, "darkness": 1}})
    assert (err.value.field, err.value.message) == ("forehead_area", "Forehead: area is a grade from 0 to 6, got 7")
    top = {r: {"area": 6, "darkness": 4} for r in ("forehead", "right_malar", "left_malar", "chin")}
    assert check_score(EV, "mmasi", "practitioner", components=top).value == 24.0


def test_an_adverse_event_begins_after_its_session_and_resolves_after_it_began() -> None:
    with pytest.raises(InputError) as err:
        check_report(EV, "burn", "mild", DAY - dt.timedelta(days=1), "", session_on=DAY, today=DAY)
    assert err.value.field == "onset_on"
    assert check_update("resolved", DAY, onset_on=DAY, today=DAY).closes
    with pytest.raises(InputError) as err:
        check_update("ongoing", DAY, onset_on=DAY, today=DAY)
    assert err.value.message == "'Not yet better' has no resolution date; leave it empty"


def test_the_dose_of_a_zone_counts_passes_through_the_coverage_model() -> None:
    course = plan(EV, "acne_scars", ("cheek",), "clinic", device="pen_14", start=DAY)
    zp = course.zones[0]
    per_pass = zp.coverage.density_per_pass_per_cm2 if zp.coverage else None
    assert per_pass is not None
    rows = [
        Delivered(session=1, date=DAY, zone="cheek", depth_mm=zp.depth_mm.max + 0.5, passes=2, anaesthetic=True),
        Delivered(session=2, date=DAY, zone="cheek", depth_mm=zp.depth_mm.min, passes=4, device="pen_14"),
    ]
    (dose,) = course_dose(EV, course, rows)
    assert dose.sessions_done == 2
    assert dose.passes_total == 6
    assert dose.density_total_per_cm2 == pytest.approx(6 * per_pass)
    assert dose.anaesthetic_cm2 == EV.zones["cheek"].area_cm2.value
    deeper = f"needled at {zp.depth_mm.max + 0.5:g} mm, deeper than planned ({zp.depth_mm.max:g} mm at most)"
    assert deeper in dose.notes
