"""Overriding a referral takes a physician's approval (name, date, reason), on pages and in the API; not for oneself."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from pinpoint.core.errors import RefusedError
from pinpoint.web.accounts.actions import set_policy_overrides
from pinpoint.web.audit.models import AuditEvent
from pinpoint.web.clients.actions import record_questionnaire
from pinpoint.web.clients.models import Questionnaire
from pinpoint.web.exports.erasure import erase_client
from pinpoint.web.treatments.actions import OverrideInput, start_session
from pinpoint.web.treatments.models import Course, Session
from pinpoint.web.treatments.signing import signed_content, verify
from tests.web.conftest import World, fingerprint
from tests.web.test_api import VIEW_LOG, call, token
from tests.web.test_web_sessions import runner_post

pytestmark = pytest.mark.django_db

PLAN = {"indication": "fine_lines", "zones": ["cheek"], "setting": "clinic", "start_on": "2027-01-04"}
PHYSICIAN_MISSING = "give the name of the physician who approved treatment despite the referral"
DATE_MISSING = "give the date of the physician's approval"
REFERRAL = (
    "screening verdict 'refer': anticoagulant therapy: labelled caution; needs the prescribing physician's approval"
)


def _approval(world: World, **changes: str) -> dict[str, str]:
    return {
        "override_physician": "Dr Lin Ng",
        "override_approved_on": world.today.isoformat(),
        "override_reason": "Letter: may proceed on the cheeks",
    } | changes


def test_ok_is_not_an_approval_each_missing_part_is_named_beside_its_field(world: World) -> None:
    client = world.login(world.practitioner)
    url = reverse("treatments:course_new", args=[world.grace.pk])
    before = fingerprint()
    page = client.post(url, PLAN | {"action": "create", "override_reason": "ok"})
    form = page.context["form"]
    assert form.errors == {
        "__all__": [REFERRAL],
        "override_physician": [PHYSICIAN_MISSING],
        "override_approved_on": [DATE_MISSING],
    }
    html = page.content.decode()
    assert f'<a href="#id_override_physician">Approving physician</a>: {PHYSICIAN_MISSING}' in html
    assert (
        '<a href="#id_override_approved_on">Date of the approval</a>: give the date of the physician&#x27;s approval'
        in html
    )
    assert fingerprint() == before


def test_a_future_approval_date_is_refused_beside_the_field(world: World) -> None:
    client = world.login(world.practitioner)
    url = reverse("treatments:course_new", args=[world.grace.pk])
    tomorrow = world.today + dt.timedelta(days=1)
    before = fingerprint()
    page = client.post(url, PLAN | _approval(world, override_approved_on=tomorrow.isoformat()) | {"action": "create"})
    assert page.context["form"].errors == {
        "__all__": [REFERRAL],
        "override_approved_on": [
            f"approval date {tomorrow} is in the future (after {world.today}); give the day the physician approved"
        ],
    }
    assert fingerprint() == before


def test_an_approval_older_than_the_questionnaire_does_not_cover_it(world: World) -> None:
    client = world.login(world.practitioner)
    url = reverse("treatments:course_new", args=[world.grace.pk])
    day_before = world.today - dt.timedelta(days=1)  # Grace answered today
    page = client.post(url, PLAN | _approval(world, override_approved_on=day_before.isoformat()) | {"action": "create"})
    assert page.context["form"].errors["override_approved_on"] == [
        f"approval date {day_before} is before the questionnaire of {world.today} that gave the referral; an "
        "approval covers only answers given before it: ask the physician to approve these answers"
    ]


def test_a_complete_approval_plans_the_course_keeps_it_shows_it_and_audits_it(world: World) -> None:
    client = world.login(world.practitioner)
    url = reverse("treatments:course_new", args=[world.grace.pk])
    created = client.post(url, PLAN | _approval(world, override_physician="  Dr  Lin Ng ") | {"action": "create"})
    course = Course.objects.filter(client=world.grace).latest("pk")
    assert created["Location"] == reverse("treatments:course", args=[course.pk])
    assert (course.override_physician, course.override_approved_on, course.override_reason) == (
        "Dr Lin Ng",
        world.today,
        "Letter: may proceed on the cheeks",
    )
    event = AuditEvent.objects.get(action="screening.override_refer", target_id=course.pk)
    assert (event.detail["physician"], event.detail["approved_on"], event.detail["reason"]) == (
        "Dr Lin Ng",
        world.today.isoformat(),
        "Letter: may proceed on the cheeks",
    )
    page = client.get(reverse("treatments:course", args=[course.pk])).content.decode()
    assert (
        f'<p class="badge" id="course-override">Referral overridden, approved by Dr Lin Ng on {world.today}: '
        "Letter: may proceed on the cheeks</p>"
    ) in page


def test_the_session_keeps_the_approval_shows_it_and_signs_it(world: World) -> None:
    client = world.login(world.practitioner)
    start = reverse("treatments:start", args=[world.grace_session.pk])
    missing = client.post(start, {"override_reason": "ok"})
    assert missing.context["start_today"].reasons == (REFERRAL,)  # said once, above the form
    assert missing.context["start_form"].errors == {
        "override_physician": [PHYSICIAN_MISSING],
        "override_approved_on": [DATE_MISSING],
    }
    assert Session.objects.get(pk=world.grace_session.pk).status == "booked"
    assert client.post(start, _approval(world))["Location"] == reverse("treatments:run", args=[world.grace_session.pk])
    run = client.get(reverse("treatments:run", args=[world.grace_session.pk])).content.decode()
    assert "Referral overridden by " in run
    assert ", approved by Dr Lin Ng on " in run
    s = Session.objects.get(pk=world.grace_session.pk)
    signed = client.post(reverse("treatments:run", args=[s.pk]), runner_post(s.course, "sign"))
    assert signed.status_code == 302, signed.context and signed.context.get("error")
    s = Session.objects.get(pk=s.pk)
    content = signed_content(s, s.zone_records.all())
    assert content["override_approval"] == {"physician": "Dr Lin Ng", "approved_on": world.today.isoformat()}
    assert verify(s, s.zone_records.all())
    record = client.get(reverse("treatments:session", args=[s.pk])).content.decode()
    assert 'id="override">Referral overridden by ' in record
    assert "approved by Dr Lin Ng on " in record


def test_a_record_signed_before_approvals_were_kept_still_verifies(world: World) -> None:
    s = Session.objects.get(pk=world.signed.pk)
    assert (s.override_physician, s.override_approved_on) == ("", None)
    assert "override_approval" not in signed_content(s, s.zone_records.all())
    assert verify(s, s.zone_records.all())


def _refer_me(world: World) -> None:
    last = Questionnaire.objects.filter(client=world.me).first()
    assert last is not None
    record_questionnaire(world.actor(world.home_user), world.me, dict(last.answers, anticoagulants=True), world.today)


def test_a_home_user_is_told_to_see_a_doctor_and_cannot_override_for_themselves(world: World) -> None:
    _refer_me(world)
    client = world.login(world.home_user)
    url = reverse("treatments:course_new", args=[world.me.pk])
    data = {"indication": "fine_lines", "zones": ["cheek"], "setting": "home", "start_on": world.today.isoformat()}
    shown = client.get(url).content.decode()
    assert 'name="override_physician"' not in shown
    before = fingerprint()
    page = client.post(url, data | _approval(world) | {"action": "create"})
    errors = page.context["form"].non_field_errors()
    assert errors[0].startswith("the screening refers you to a doctor (anticoagulant therapy")
    assert (
        "a referral cannot be overridden for yourself: see a doctor before needling, and bring these findings, a "
        "list of current medicines and the roller or pen meant for the treatment" in errors[0]
    )
    assert 'id="error-summary"' in page.content.decode()
    gate = client.get(reverse("treatments:session", args=[world.home_session.pk]))
    assert gate.context["start_today"].reasons[0].startswith("the screening refers you to a doctor")
    assert (gate.context["start_today"].overridable, b'name="override_physician"' in gate.content) == (False, False)
    refused = client.post(reverse("treatments:start", args=[world.home_session.pk]), _approval(world))
    assert refused.context["start_form"].non_field_errors()[0].startswith("the screening refers you to a doctor")
    assert _unviewed(fingerprint()) == _unviewed(before)


def _unviewed(rows: dict[str, Any]) -> dict[str, Any]:
    """Every row but the log of who viewed what (pages that refuse still record the view)."""
    return {k: v for k, v in rows.items() if k not in VIEW_LOG}


def test_a_home_users_self_override_is_refused_in_the_api_naming_why(world: World) -> None:
    _refer_me(world)
    tok = token(world, world.home_user)
    body: dict[str, Any] = {
        "indication": "fine_lines",
        "zones": ["cheek"],
        "setting": "home",
        "start_on": world.today.isoformat(),
        "override_physician": "Dr Lin Ng",
        "override_approved_on": world.today.isoformat(),
        "override_reason": "my GP agrees",
    }
    before = fingerprint()
    r = call("post", f"/api/clients/{world.me.pk}/courses", tok, body)
    assert r.status_code == 422
    assert r.json()["field"] == "override"
    assert r.json()["detail"].startswith("the screening refers you to a doctor (anticoagulant therapy")
    started = call(
        "post",
        f"/api/sessions/{world.home_session.pk}/start",
        tok,
        {"on": world.today.isoformat()}
        | {k: body[k] for k in ("override_physician", "override_approved_on", "override_reason")},
    )
    assert (started.status_code, started.json()["field"]) == (422, "override")
    assert fingerprint() == before


def test_the_api_names_every_missing_part_and_keeps_a_complete_approval(world: World) -> None:
    tok = token(world, world.practitioner)
    url = f"/api/clients/{world.grace.pk}/courses"
    ok_only = call("post", url, tok, PLAN | {"override_reason": "ok"})
    assert ok_only.status_code == 400
    assert ok_only.json() == {
        "field": "override_physician",
        "detail": PHYSICIAN_MISSING,
        "errors": [
            {"field": "override_physician", "detail": PHYSICIAN_MISSING},
            {"field": "override_approved_on", "detail": DATE_MISSING},
        ],
    }
    future = (world.today + dt.timedelta(days=3)).isoformat()
    late = call("post", url, tok, PLAN | _approval(world, override_approved_on=future))
    assert (late.status_code, late.json()["field"]) == (400, "override_approved_on")
    made = call("post", url, tok, PLAN | _approval(world))
    assert made.status_code == 201
    got = made.json()
    assert (got["override_physician"], got["override_approved_on"], got["override_reason"]) == (
        "Dr Lin Ng",
        world.today.isoformat(),
        "Letter: may proceed on the cheeks",
    )
    session = call(
        "post", f"/api/sessions/{world.grace_session.pk}/start", tok, {"on": world.today.isoformat()} | _approval(world)
    )
    assert session.status_code == 200
    assert (session.json()["override_physician"], session.json()["override_approved_on"]) == (
        "Dr Lin Ng",
        world.today.isoformat(),
    )


def test_a_practitioner_cannot_override_for_themselves_in_a_clinic(world: World) -> None:
    grace = world.grace
    grace.email = world.practitioner.email.upper()
    grace.save(update_fields=["email"])
    with pytest.raises(RefusedError, match=r"^the screening refers you to a doctor") as exc:
        start_session(
            world.actor(world.practitioner),
            world.grace_session,
            world.today,
            OverrideInput(physician="Dr Lin Ng", approved_on=world.today, reason="fine"),
        )
    assert exc.value.field == "override"


def test_erasure_blanks_the_reason_keeps_the_physician_and_the_signed_record_verifies(world: World) -> None:
    client = world.login(world.practitioner)
    client.post(reverse("treatments:course_new", args=[world.grace.pk]), PLAN | _approval(world) | {"action": "create"})
    client.post(reverse("treatments:start", args=[world.grace_session.pk]), _approval(world))
    s = Session.objects.get(pk=world.grace_session.pk)
    assert client.post(reverse("treatments:run", args=[s.pk]), runner_post(s.course, "sign")).status_code == 302
    erase_client(world.actor(world.owner), world.grace.pk, "The client's written request")
    s = Session.objects.get(pk=s.pk)
    assert (s.override_reason, s.override_physician, s.override_approved_on) == ("", "Dr Lin Ng", world.today)
    assert signed_content(s, s.zone_records.all())["override_approval"] == {
        "physician": "Dr Lin Ng",
        "approved_on": world.today.isoformat(),
    }
    assert verify(s, s.zone_records.all())
    course = Course.objects.filter(client=world.grace).latest("pk")
    assert (course.override_reason, course.override_physician) == ("", "Dr Lin Ng")


def test_the_screening_writes_cores_sentence_for_a_policy_override(world: World) -> None:
    set_policy_overrides(world.actor(world.owner), {"roller_replacement_uses": 8})
    page = world.login(world.practitioner).get(reverse("treatments:session", args=[world.grace_session.pk]))
    assert '<p class="help">Policy roller_replacement_uses overridden: 8 uses (default 10)</p>' in page.content.decode()
