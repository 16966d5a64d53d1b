"""Courses and sessions through the pages: booking, spacing, the start gate, the runner, signing, immutability."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from pinpoint.core.records import content_sha256
from pinpoint.web.audit.models import AuditEvent
from pinpoint.web.clients.actions import record_questionnaire
from pinpoint.web.consents.actions import withdraw_consent
from pinpoint.web.treatments.actions import start_session
from pinpoint.web.treatments.models import Addendum, Course, Session, SignedRecordError, ZoneRecord
from pinpoint.web.treatments.signing import signed_content, verify
from tests.web.conftest import World, fingerprint


def runner_post(course: Course, action: str = "save", **overrides: Any) -> dict[str, Any]:
    """A valid runner submission: every planned zone at its shallowest planned depth."""
    data: dict[str, Any] = {"action": action, "notes": "ok", "checklist": ["0", "1"]}
    for zp in course.plan_obj().zones:
        data |= {
            f"{zp.zone}-treated": "on",
            f"{zp.zone}-device": course.device,
            f"{zp.zone}-depth_mm": f"{zp.depth_mm.min:g}",
            f"{zp.zone}-passes": f"{int(zp.passes.min)}",
            f"{zp.zone}-endpoint_reached": "on",
        }
    if action == "sign":
        data["confirm"] = "on"
    return data | overrides


def _started(world: World) -> Session:
    start_session(world.actor(world.practitioner), world.today_session, world.today)
    return Session.objects.get(pk=world.today_session.pk)


def test_course_page_plans_with_core_and_keeps_the_snapshot(world: World) -> None:
    client = world.login(world.practitioner)
    url = reverse("treatments:course_new", args=[world.ada.pk])
    form = {"indication": "fine_lines", "zones": ["cheek"], "setting": "clinic", "start_on": world.today.isoformat()}
    preview = client.post(url, form | {"action": "preview"})
    assert preview.status_code == 200
    assert b'id="plan-create"' in preview.content
    assert Course.objects.filter(client=world.ada).count() == 1
    created = client.post(url, form | {"action": "create", "submission_id": "8c3e7f1e-34c5-4b1e-9a7b-0f3f2a4c9d11"})
    course = Course.objects.filter(client=world.ada).latest("pk")
    assert created["Location"] == reverse("treatments:course", args=[course.pk])
    plan = course.plan_obj()
    assert (plan.indication, plan.setting, [z.zone for z in plan.zones]) == ("fine_lines", "clinic", ["cheek"])
    assert course.evidence_version == plan.evidence_version
    assert course.questionnaire_id == world.ada.questionnaires.latest("taken_on").pk


def test_planning_errors_are_shown_beside_the_field(world: World) -> None:
    client = world.login(world.practitioner)
    url = reverse("treatments:course_new", args=[world.ada.pk])
    base = {"indication": "acne_scars", "setting": "clinic", "start_on": world.today.isoformat(), "action": "preview"}
    wrong_zone = client.post(url, base | {"zones": ["hands"]})
    assert wrong_zone.status_code == 200
    assert wrong_zone.context["form"].errors["zones"] == [
        "zone 'hands' is not planned for acne_scars; allowed: "
        "full_face, forehead, nose, cheek, perioral, chin_jawline, back"
    ]
    bad_date = client.post(url, base | {"zones": ["cheek"], "start_on": "2026-02-30"})
    assert bad_date.context["form"].errors["start_on"] == ["Enter a date, like 3 March 2026."]
    refer = client.post(reverse("treatments:course_new", args=[world.grace.pk]), base | {"zones": ["cheek"]})
    assert "screening verdict 'refer'" in refer.context["form"].non_field_errors()[0]


def test_a_personal_space_cannot_plan_clinic_treatment(world: World) -> None:
    client = world.login(world.home_user)
    url = reverse("treatments:course_new", args=[world.me.pk])
    data = {"indication": "acne_scars", "zones": ["cheek"], "setting": "clinic", "start_on": world.today.isoformat()}
    response = client.post(url, data | {"action": "preview"})
    assert "Select a valid choice" in response.context["form"].errors["setting"][0]
    home = client.post(url, data | {"setting": "home", "action": "preview"})
    assert "no home protocol" in home.context["form"].errors["setting"][0]


def test_booking_twice_books_the_plan_once(world: World) -> None:
    course = world.ada_course
    client = world.login(world.assistant)
    before = Session.objects.filter(course=course).count()
    assert before == len(course.plan_obj().schedule)
    client.post(reverse("treatments:book", args=[course.pk]))
    assert Session.objects.filter(course=course).count() == before


def test_rescheduling_too_close_is_refused_with_the_reason(world: World) -> None:
    client = world.login(world.assistant)
    s = world.today_session
    signed_on = world.signed.performed_on
    assert signed_on is not None
    before = fingerprint()
    response = client.post(
        reverse("treatments:reschedule", args=[s.pk]), {"date": (signed_on + dt.timedelta(days=5)).isoformat()}
    )
    assert response.status_code == 200
    error = response.context["reschedule_form"].errors["date"][0]
    assert "is 5 days after session 1" in error
    assert "(recorded) needs at least 28 days" in error
    assert fingerprint() == before
    garbage = client.post(reverse("treatments:reschedule", args=[s.pk]), {"date": "31/31/31"})
    assert garbage.context["reschedule_form"].errors["date"] == ["Enter a date, like 3 March 2026."]


def test_start_is_refused_without_consent_and_the_reason_is_shown(world: World) -> None:
    withdraw_consent(world.actor(world.owner), world.consent, "no longer wishes", world.consent.signed_at)
    client = world.login(world.practitioner)
    before = fingerprint()
    response = client.post(reverse("treatments:start", args=[world.today_session.pk]))
    assert response.status_code == 200
    assert response.context["start_form"].non_field_errors() == [
        "no signed consent for microneedling is in force on the session date"
    ]
    assert fingerprint() == before


def test_a_deferral_cannot_be_overridden(world: World) -> None:
    answers = dict(world.questionnaire.answers, pregnant=True)
    record_questionnaire(world.actor(world.practitioner), world.ada, answers, world.today)
    client = world.login(world.owner)
    before = fingerprint()
    response = client.post(
        reverse("treatments:start", args=[world.today_session.pk]), {"override_reason": "she insists"}
    )
    assert "screening verdict 'contraindicated'" in response.context["start_form"].non_field_errors()[0]
    assert fingerprint() == before


def test_a_referral_is_overridden_only_with_an_approval_and_the_override_is_audited(world: World) -> None:
    url = reverse("treatments:start", args=[world.grace_session.pk])
    practitioner = world.login(world.practitioner)
    page = practitioner.get(reverse("treatments:session", args=[world.grace_session.pk]))
    assert b'name="override_physician"' in page.content
    refused = practitioner.post(url, {"override_reason": ""})
    assert "screening verdict 'refer'" in refused.context["start_form"].non_field_errors()[0]
    approval = {
        "override_physician": "Dr Lin Ng",
        "override_approved_on": world.today.isoformat(),
        "override_reason": "Letter: may proceed",
    }
    assistant = world.login(world.assistant)
    assert assistant.post(url, approval).status_code == 403
    ok = practitioner.post(url, approval)
    assert ok["Location"] == reverse("treatments:run", args=[world.grace_session.pk])
    s = Session.objects.get(pk=world.grace_session.pk)
    assert (s.status, s.override_reason, s.override_physician, s.override_approved_on, s.override_by) == (
        "in_progress",
        "Letter: may proceed",
        "Dr Lin Ng",
        world.today,
        world.practitioner,
    )
    event = AuditEvent.objects.get(action="screening.override_refer", target_id=s.pk)
    assert event.actor == world.practitioner
    assert (event.detail["reason"], event.detail["physician"], event.detail["approved_on"]) == (
        "Letter: may proceed",
        "Dr Lin Ng",
        world.today.isoformat(),
    )
    assert [f["verdict"] for f in event.detail["findings"]] == ["refer"]


def test_runner_refuses_depths_beside_their_field_and_saves_nothing(world: World) -> None:
    s = _started(world)
    client = world.login(world.practitioner)
    url = reverse("treatments:run", args=[s.pk])
    before = fingerprint()
    data = runner_post(world.ada_course, **{"cheek-depth_mm": "2.5", "nose-depth_mm": "abc", "forehead-passes": "-3"})
    response = client.post(url, data)
    assert response.status_code == 200
    forms = {zp.zone: f for zp, f in response.context["zone_forms"]}
    assert forms["nose"].errors["depth_mm"] == ["Enter a number."]
    assert forms["forehead"].errors["passes"] == ["Ensure this value is greater than or equal to 0."]
    assert fingerprint() == before
    data = runner_post(world.ada_course, **{"cheek-depth_mm": "2.5", "forehead-depth_mm": "0.9"})
    response = client.post(url, data)
    forms = {zp.zone: f for zp, f in response.context["zone_forms"]}
    assert forms["cheek"].errors["depth_mm"][0].startswith("2.5 mm is outside the range of zone cheek (0.13-2 mm")
    assert forms["forehead"].errors["depth_mm"][0].startswith("0.9 mm is outside the range of zone forehead")
    assert fingerprint() == before


def test_run_sign_and_verify(world: World) -> None:
    s = _started(world)
    client = world.login(world.practitioner)
    client.post(reverse("treatments:anaesthetic", args=[s.pk]))
    page = client.get(reverse("treatments:run", args=[s.pk]))
    assert b'id="anaesthetic-countdown"' in page.content
    assert page.context["ends"][0] - Session.objects.get(pk=s.pk).anaesthetic_started_at == dt.timedelta(minutes=30)
    saved = client.post(reverse("treatments:run", args=[s.pk]), runner_post(world.ada_course))
    assert saved.status_code == 302
    no_confirm = client.post(reverse("treatments:run", args=[s.pk]), runner_post(world.ada_course, "sign", confirm=""))
    assert no_confirm.context["runner"].errors["confirm"] == ["tick to confirm the record before signing"]
    # seconds after the anaesthetic went on: signing says the skin was needled before it was ready
    early = runner_post(world.ada_course, "sign", needled_before_ready="on")
    signed = client.post(reverse("treatments:run", args=[s.pk]), early)
    assert signed["Location"] == reverse("treatments:session", args=[s.pk])
    s = Session.objects.get(pk=s.pk)
    records = list(ZoneRecord.objects.filter(session=s))
    assert s.status == "signed"
    assert s.signed_by == world.practitioner
    assert s.content_hash == content_sha256(signed_content(s, records))
    assert {r.zone: r.depth_mm for r in records}["cheek"] == Decimal("1.00")
    record = client.get(reverse("treatments:session", args=[s.pk]))
    assert b'id="hash-ok"' in record.content
    assert record.context["verified"] is True


def test_an_assistant_cannot_sign(world: World) -> None:
    s = _started(world)
    client = world.login(world.assistant)
    assert client.post(reverse("treatments:run", args=[s.pk]), runner_post(world.ada_course, "sign")).status_code == 403
    assert Session.objects.get(pk=s.pk).status == "in_progress"


def test_a_signed_session_cannot_be_changed_through_the_pages(world: World) -> None:
    s = world.signed
    client = world.login(world.owner)
    before = fingerprint()
    attempts = [
        client.post(reverse("treatments:run", args=[s.pk]), runner_post(world.ada_course, "save")),
        client.post(reverse("treatments:run", args=[s.pk]), runner_post(world.ada_course, "sign")),
        client.post(reverse("treatments:reschedule", args=[s.pk]), {"date": world.today.isoformat()}),
        client.post(reverse("treatments:cancel", args=[s.pk]), {"reason": "oops"}),
        client.post(reverse("treatments:start", args=[s.pk])),
        client.post(reverse("treatments:anaesthetic", args=[s.pk])),
    ]
    assert [r.status_code for r in attempts] == [409] * 6
    assert fingerprint() == before


def test_a_signed_session_cannot_be_changed_through_the_admin(world: World, admin_user: Any) -> None:
    client = world.login(admin_user)
    s = world.signed
    zr = ZoneRecord.objects.filter(session=s).first()
    assert zr is not None
    before = fingerprint()
    change = client.post(
        reverse("admin:treatments_session_change", args=[s.pk]), {"notes": "edited", "status": "booked"}
    )
    delete = client.post(reverse("admin:treatments_session_delete", args=[s.pk]), {"post": "yes"})
    zone = client.post(reverse("admin:treatments_zonerecord_change", args=[zr.pk]), {"depth_mm": "2.0"})
    assert (change.status_code, delete.status_code, zone.status_code) == (403, 403, 403)
    assert client.get(reverse("admin:treatments_session_change", args=[s.pk])).status_code == 200  # read-only view
    assert fingerprint() == before


def test_a_signed_session_cannot_be_changed_through_the_orm(world: World) -> None:
    s = Session.objects.get(pk=world.signed.pk)
    s.notes = "changed afterwards"
    with pytest.raises(SignedRecordError):
        s.save()
    with pytest.raises(SignedRecordError):
        s.delete()
    with pytest.raises(SignedRecordError):
        Session.objects.filter(pk=s.pk).update(notes="bulk change")
    zr = ZoneRecord.objects.filter(session=s).first()
    assert zr is not None
    zr.depth_mm = Decimal("2.00")
    with pytest.raises(SignedRecordError):
        zr.save()
    with pytest.raises(SignedRecordError):
        ZoneRecord.objects.filter(session=s).update(passes=1)
    with pytest.raises(SignedRecordError):
        ZoneRecord.objects.create(organization=world.clinic, session=s, zone="scalp")
    assert Session.objects.get(pk=s.pk).notes == world.signed.notes


def test_the_database_refuses_writes_that_bypass_the_orm(world: World) -> None:
    s = world.signed
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute("UPDATE treatments_session SET notes = 'raw' WHERE id = %s", [s.pk])
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute("UPDATE treatments_zonerecord SET passes = 1 WHERE session_id = %s", [s.pk])
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute("DELETE FROM treatments_zonerecord WHERE session_id = %s", [s.pk])
    assert Session.objects.get(pk=s.pk).notes == world.signed.notes


def test_tampering_is_detected_when_the_record_is_shown(world: World) -> None:
    s = world.signed
    with connection.cursor() as cur:  # an attacker with database access, inside the test's transaction
        if connection.vendor == "sqlite":  # drop every guard on the table, whatever it is named
            cur.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'treatments_zonerecord'")
            for (name,) in cur.fetchall():
                cur.execute(f"DROP TRIGGER {name}")
        else:
            cur.execute("ALTER TABLE treatments_zonerecord DISABLE TRIGGER USER")
        cur.execute("UPDATE treatments_zonerecord SET depth_mm = 0.5 WHERE session_id = %s AND zone = 'cheek'", [s.pk])
    assert not verify(Session.objects.get(pk=s.pk), ZoneRecord.objects.filter(session=s))
    page = world.login(world.owner).get(reverse("treatments:session", args=[s.pk]))
    assert b'id="hash-bad"' in page.content


def test_corrections_are_addenda(world: World) -> None:
    client = world.login(world.practitioner)
    url = reverse("treatments:addendum", args=[world.signed.pk])
    key = "5f1b0c7e-0d4c-4d5b-8f0a-6f2f1f7d2a10"
    client.post(url, {"text": "Forehead endpoint was reached late.", "submission_id": key})
    client.post(url, {"text": "Forehead endpoint was reached late.", "submission_id": key})  # a double click
    assert list(Addendum.objects.filter(session=world.signed).values_list("text", flat=True)) == [
        "Forehead endpoint was reached late."
    ]
    empty = client.post(url, {"text": "   "})
    assert empty.context["addendum_form"].errors["text"] == ["This field is required."]
    draft = client.post(reverse("treatments:addendum", args=[world.today_session.pk]), {"text": "note"})
    assert draft.context["addendum_form"].errors["text"] == ["addenda are for signed sessions; edit the draft instead"]
    page = client.get(reverse("treatments:session", args=[world.signed.pk]))
    assert b"Forehead endpoint was reached late." in page.content
    assert page.context["verified"] is True  # an addendum leaves the signed record as it was


def test_starting_early_is_refused_by_the_spacing_rule(world: World) -> None:
    s = Session.objects.get(course=world.ada_course, number=3)  # booked 28 days after today's session 2
    client = world.login(world.practitioner)
    response = client.post(reverse("treatments:start", args=[s.pk]))
    error = response.context["start_form"].non_field_errors()[0]
    assert error.startswith(f"session 3 on {world.today} is 0 days after session 2 on {world.today}")
    assert Session.objects.get(pk=s.pk).status == "booked"


def test_a_referred_client_is_planned_only_with_a_physicians_approval(world: World) -> None:
    client = world.login(world.practitioner)
    url = reverse("treatments:course_new", args=[world.grace.pk])
    data = {"indication": "fine_lines", "zones": ["cheek"], "setting": "clinic", "start_on": "2027-01-04"}
    refused = client.post(url, data | {"action": "create"})
    assert "screening verdict 'refer'" in refused.context["form"].non_field_errors()[0]
    reason = "Dr Ng approves in writing"
    approval = {"override_physician": "Dr Lin Ng", "override_approved_on": world.today.isoformat()}
    created = client.post(url, data | approval | {"action": "create", "override_reason": reason})
    course = Course.objects.filter(client=world.grace).latest("pk")
    assert created["Location"] == reverse("treatments:course", args=[course.pk])
    assert course.override_reason == reason
    assert course.plan_obj().screening.verdict == "refer"  # type: ignore[union-attr]
    event = AuditEvent.objects.get(action="screening.override_refer", target_type="treatments.course")
    assert (event.actor, event.detail["reason"]) == (world.practitioner, reason)


def test_a_contraindication_is_never_planned(world: World) -> None:
    record_questionnaire(
        world.actor(world.practitioner), world.mary, dict(world.questionnaire.answers, pregnant=True), world.today
    )
    client = world.login(world.owner)
    data = {"indication": "fine_lines", "zones": ["cheek"], "setting": "clinic", "start_on": world.today.isoformat()}
    before = fingerprint()
    response = client.post(
        reverse("treatments:course_new", args=[world.mary.pk]),
        data | {"action": "create", "override_reason": "insists"},
    )
    assert "screening verdict 'contraindicated'" in response.context["form"].non_field_errors()[0]
    assert fingerprint() == before
