"""A referral is overridden only with a physician's approval (core.records.check_override), never for oneself."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from pinpoint.core.answers import parse_answers
from pinpoint.core.errors import RefusedError
from pinpoint.core.guide import guide_for_plan
from pinpoint.core.planning import plan
from pinpoint.core.records import Override, OverrideError, check_override, screen_for_plan, see_a_doctor, start_check
from pinpoint.core.screening import Screening
from pinpoint.core.sessions import SessionRecord, signed_content
from pinpoint.evidence import Evidence

TODAY = dt.date(2026, 3, 2)
ANSWERED = dt.date(2026, 2, 16)
ANTICOAGULANT = "anticoagulant therapy"


def _screening(ev: Evidence, answers: dict[str, Any], setting: str = "clinic") -> Screening:
    p = plan(ev, "fine_lines", ("cheek",), setting, start=TODAY)
    return screen_for_plan(parse_answers({**answers, "setting": setting}, ev), p, TODAY, ev)


@pytest.fixture
def refer(ev: Evidence, safe_answers: dict[str, Any]) -> Screening:
    s = _screening(ev, {**safe_answers, "anticoagulants": True})
    assert s.verdict == "refer"
    return s


def _check(s: Screening, **given: Any) -> Override:
    args: dict[str, Any] = {
        "physician": "Dr Lin Ng",
        "approved_on": dt.date(2026, 2, 20),
        "reason": "may proceed on the cheeks",
        "answered_on": ANSWERED,
        "today": TODAY,
        "setting": "clinic",
    }
    return check_override(s, **(args | given))


def test_a_complete_approval_is_accepted_with_its_parts_tidied(refer: Screening) -> None:
    got = _check(refer, physician="  Dr   Lin Ng ", reason=" may proceed on the cheeks \n")
    assert got == Override(physician="Dr Lin Ng", approved_on=dt.date(2026, 2, 20), reason="may proceed on the cheeks")


def test_ok_alone_is_not_an_approval_and_every_missing_part_is_named(refer: Screening) -> None:
    with pytest.raises(OverrideError) as exc:
        _check(refer, physician="", approved_on=None, reason="ok")
    assert exc.value.problems == {
        "override_physician": "give the name of the physician who approved treatment despite the referral",
        "override_approved_on": "give the date of the physician's approval",
    }
    assert (exc.value.field, exc.value.message) == (
        "override_physician",
        "give the name of the physician who approved treatment despite the referral",
    )
    with pytest.raises(OverrideError) as blank:
        _check(refer, reason="   ")
    assert blank.value.problems == {
        "override_reason": "say what the physician approved: which treatment, and on what condition"
    }


def test_an_approval_dated_in_the_future_is_refused(refer: Screening) -> None:
    with pytest.raises(OverrideError) as exc:
        _check(refer, approved_on=dt.date(2026, 3, 3))
    assert exc.value.problems == {
        "override_approved_on": "approval date 2026-03-03 is in the future (after 2026-03-02); give the day the "
        "physician approved"
    }
    assert _check(refer, approved_on=TODAY).approved_on == TODAY  # today is a past day


def test_an_approval_older_than_the_answers_does_not_cover_them(refer: Screening) -> None:
    with pytest.raises(OverrideError) as exc:
        _check(refer, approved_on=dt.date(2026, 2, 15))
    assert exc.value.problems == {
        "override_approved_on": "approval date 2026-02-15 is before the questionnaire of 2026-02-16 that gave the "
        "referral; an approval covers only answers given before it: ask the physician to approve these answers"
    }
    assert _check(refer, approved_on=ANSWERED).approved_on == ANSWERED  # the same day covers them


def test_nobody_overrides_a_referral_for_themselves(refer: Screening) -> None:
    with pytest.raises(RefusedError) as own:
        _check(refer, client_is_actor=True)
    assert own.value.field == "override"
    assert own.value.message == see_a_doctor(refer, client_is_actor=True)
    assert own.value.message.startswith(f"the screening refers you to a doctor ({ANTICOAGULANT}")
    assert "a referral cannot be overridden for yourself: see a doctor before needling, and bring these findings, " in (
        own.value.message
    )
    with pytest.raises(RefusedError) as home:
        _check(refer, setting="home")
    assert home.value.message == see_a_doctor(refer, client_is_actor=False)
    assert "cannot be overridden for home treatment" in home.value.message


def test_only_a_referral_is_overridden(ev: Evidence, safe_answers: dict[str, Any]) -> None:
    pregnant = _screening(ev, {**safe_answers, "pregnant": True})
    with pytest.raises(RefusedError) as exc:
        _check(pregnant)
    assert exc.value.field == "override"
    assert exc.value.message.startswith("only a referral can be overridden; screening verdict 'contraindicated'")


def test_the_start_gate_tells_a_home_user_to_see_a_doctor(ev: Evidence, safe_answers: dict[str, Any]) -> None:
    home = _screening(ev, {**safe_answers, "anticoagulants": True}, "home")
    guide = guide_for_plan(ev, plan(ev, "fine_lines", ("cheek",), "home", start=TODAY))
    approval = Override(physician="Dr Lin Ng", approved_on=ANSWERED, reason="fine")
    check = start_check(home, guide, consent_signed=False, override=approval)
    assert (check.allowed, check.overridable, check.overridden) == (False, False, False)
    assert check.reasons == (see_a_doctor(home, client_is_actor=False),)
    own = start_check(home, guide, consent_signed=False, client_is_actor=True)
    assert own.reasons == (see_a_doctor(home, client_is_actor=True),)


def _record(**given: Any) -> SessionRecord:
    fields: dict[str, Any] = {
        "session": 1, "organization": 1, "client": 1, "course": 1, "number": 1,
        "scheduled_on": TODAY, "performed_on": TODAY, "started_at": None, "started_by": 2,
        "override_reason": "", "override_by": None, "checklist": (), "anaesthetic_started_at": None,
        "notes": "", "zones": (), "signed_at": None, "signed_by": 2,
    }  # fmt: skip
    return SessionRecord(**(fields | given))


def test_the_signature_covers_the_approval_and_old_records_keep_their_text() -> None:
    assert "override_approval" not in signed_content(_record())
    approved = signed_content(
        _record(
            override_reason="may proceed", override_by=2, override_physician="Dr Lin Ng", override_approved_on=ANSWERED
        )
    )
    assert approved["override_approval"] == {"physician": "Dr Lin Ng", "approved_on": "2026-02-16"}
    assert approved["override_reason"] == "may proceed"
