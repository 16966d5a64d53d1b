"""Follow-up through the API: outcome scores, adverse events and follow-ups, who got a lot; their own matrix."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest

from pinpoint.web.audit.models import Seal
from pinpoint.web.outcomes.models import AdverseEvent, AdverseEventUpdate, Assessment
from tests.web.conftest import World, fingerprint
from tests.web.test_api import VIEW_LOG, call, token

pytestmark = pytest.mark.django_db


def _demo_event(w: World) -> AdverseEvent:
    return AdverseEvent.objects.get(client=w.ada)


def operations(w: World) -> list[tuple[str, str, Any, bool]]:
    """The follow-up operations on a clinic object: (method, path, body, writes)."""
    today = w.today.isoformat()
    course, event = w.ada_course.pk, _demo_event(w).pk
    return [
        ("get", f"/api/courses/{course}/scores", None, False),
        (
            "post",
            f"/api/courses/{course}/scores",
            {"scale": "gais", "rater": "client", "taken_on": today, "value": 2},
            True,
        ),
        ("get", "/api/adverse-events", None, False),
        ("get", f"/api/adverse-events/{event}", None, False),
        (
            "post",
            f"/api/sessions/{w.signed.pk}/adverse-events",
            {"kind": "pih", "severity": "mild", "onset_on": today, "action_taken": "Sunscreen"},
            True,
        ),
        ("post", f"/api/adverse-events/{event}/follow-ups", {"outcome": "ongoing"}, True),
        ("get", f"/api/lots/recipients?lot_number={w.pen.lot_number}", None, False),
    ]


OWN_COLLECTIONS = ("/api/adverse-events", "/api/lots/recipients")
"""The organization's own lists: another organization's token gets its own (empty) list, not a 404."""


def test_no_token_answers_401_and_changes_nothing(world: World) -> None:
    before = fingerprint()
    for method, path, body, _ in operations(world):
        r = call(method, path, None, body)
        assert (r.status_code, r.json()["field"]) == (401, "authorization"), path
    assert fingerprint() == before


def test_another_organizations_token_answers_404_and_changes_nothing(world: World) -> None:
    text = token(world, world.home_user)
    before = fingerprint()
    for method, path, body, _ in operations(world):
        r = call(method, path, text, body)
        if path.split("?")[0] in OWN_COLLECTIONS:
            assert r.status_code == 200, path
            assert r.json()["items"] == [], path
        else:
            assert (r.status_code, r.json()["detail"]) == (404, "not found"), (path, r.content)
    assert fingerprint() == before


def test_an_assistant_reads_but_neither_records_nor_searches_lots(world: World) -> None:
    text = token(world, world.assistant)
    before = fingerprint()
    for method, path, body, writes in operations(world):
        r = call(method, path, text, body)
        if writes or path.startswith("/api/lots/"):
            assert (r.status_code, r.json()["field"]) == (403, "authorization"), path
        else:
            assert r.status_code == 200, (path, r.content)
    after = fingerprint()
    assert {k: v for k, v in after.items() if k not in VIEW_LOG} == {
        k: v for k, v in before.items() if k not in VIEW_LOG
    }


def test_a_read_token_cannot_write(world: World) -> None:
    text = token(world, world.practitioner, scope="read")
    before = fingerprint()
    for method, path, body, writes in operations(world):
        r = call(method, path, text, body)
        if writes:
            assert (r.status_code, r.json()["field"]) == (403, "scope"), path
        else:
            assert r.status_code == 200, (path, r.content)
    after = fingerprint()
    assert {k: v for k, v in after.items() if k not in VIEW_LOG} == {
        k: v for k, v in before.items() if k not in VIEW_LOG
    }
    viewed = [row[4] for row in after["audit.RecordView"][len(before["audit.RecordView"]) :]]
    assert viewed == ["adverse event"]


def test_scores_listed_and_recorded_through_core(world: World) -> None:
    text = token(world, world.practitioner)
    path = f"/api/courses/{world.ada_course.pk}/scores"
    listed = call("get", path, text).json()["items"]
    assert [(s["scale"], s["rater"], s["value"]) for s in listed] == [
        ("goodman_baron_grade", "practitioner", 3.0),
        ("goodman_baron_grade", "practitioner", 2.0),
        ("gais", "practitioner", 3.0),
        ("gais", "client", 2.0),
        ("satisfaction", "client", 7.0),
    ]
    assert (listed[2]["scale_name"], listed[2]["label"]) == (
        "Global Aesthetic Improvement Scale",
        "Improved (visible; more treatment may help)",
    )
    key = str(uuid.uuid4())
    body = {"scale": "gais", "rater": "client", "taken_on": world.today.isoformat(), "value": 1, "submission_id": key}
    r = call("post", path, text, body)
    assert r.status_code == 201, r.content
    made = r.json()
    assert (made["value"], made["label"], made["course_id"]) == (
        1.0,
        "Very much improved (optimal result)",
        world.ada_course.pk,
    )
    again = call("post", path, text, body)
    assert (again.status_code, again.json()["id"]) == (201, made["id"])
    assert Assessment.objects.filter(course=world.ada_course).count() == 6


def test_a_score_off_its_scale_names_the_field(world: World) -> None:
    text = token(world, world.practitioner)
    path = f"/api/courses/{world.ada_course.pk}/scores"
    today = world.today.isoformat()
    before = Assessment.objects.count()
    r = call("post", path, text, {"scale": "gais", "rater": "client", "taken_on": today, "value": 6})
    assert (r.status_code, r.json()["field"]) == (400, "value")
    r = call("post", path, text, {"scale": "gias", "rater": "client", "taken_on": today, "value": 2})
    assert (r.status_code, r.json()["field"]) == (400, "scale")
    assert "did you mean 'gais'" in r.json()["detail"]
    later = (world.today + dt.timedelta(days=1)).isoformat()
    r = call("post", path, text, {"scale": "gais", "rater": "client", "taken_on": later, "value": 2})
    assert (r.status_code, r.json()["field"]) == (400, "taken_on")
    assert Assessment.objects.count() == before


def test_an_adverse_event_reported_flags_its_lots_and_is_sealed(world: World) -> None:
    text = token(world, world.practitioner)
    onset = world.signed.date + dt.timedelta(days=2)
    body = {"kind": "pih", "severity": "moderate", "onset_on": onset.isoformat(), "action_taken": "Hydroquinone"}
    r = call("post", f"/api/sessions/{world.signed.pk}/adverse-events", text, body)
    assert r.status_code == 201, r.content
    data = r.json()
    zones = sorted(world.signed.zone_records.filter(treated=True).values_list("zone", flat=True))
    assert {k: data[k] for k in ("kind_name", "severity_name", "onset_on", "open", "follow_ups")} == {
        "kind_name": "Post-inflammatory hyperpigmentation",
        "severity_name": "Moderate",
        "onset_on": onset.isoformat(),
        "open": True,
        "follow_ups": [],
    }
    assert sorted(data["zones"]) == zones
    assert data["lots"] == [{"device_id": world.pen.pk, "lot_number": world.pen.lot_number, "label": world.pen.label}]
    assert Seal.objects.filter(kind="adverse_event", record_id=data["id"]).count() == 1

    r = call("get", "/api/adverse-events?state=open", text)
    assert [e["id"] for e in r.json()["items"]] == [data["id"]]
    r = call("get", "/api/adverse-events?state=closed", text)
    assert [e["kind"] for e in r.json()["items"]] == ["prolonged_erythema"]

    path = f"/api/adverse-events/{data['id']}/follow-ups"
    r = call("post", path, text, {"outcome": "resolved"})
    assert (r.status_code, r.json()["field"]) == (400, "resolved_on")
    done = (onset + dt.timedelta(days=3)).isoformat()
    r = call("post", path, text, {"outcome": "resolved", "resolved_on": done, "note": "Faded"})
    assert r.status_code == 201, r.content
    assert r.json()["open"] is False
    assert [(u["outcome_name"], u["resolved_on"], u["note"]) for u in r.json()["follow_ups"]] == [
        ("Resolved", done, "Faded")
    ]
    assert AdverseEventUpdate.objects.filter(event_id=data["id"]).count() == 1
    r = call("post", path, text, {"outcome": "resolved_with_sequelae", "resolved_on": done})
    assert (r.status_code, r.json()["detail"]) == (400, "this adverse event is already resolved")


def test_a_report_outside_the_vocabulary_or_before_the_session_names_the_field(world: World) -> None:
    text = token(world, world.practitioner)
    path = f"/api/sessions/{world.signed.pk}/adverse-events"
    day = world.signed.date.isoformat()
    before = fingerprint()
    r = call("post", path, text, {"kind": "rash", "severity": "mild", "onset_on": day})
    assert (r.status_code, r.json()["field"]) == (400, "kind")
    r = call("post", path, text, {"kind": "pih", "severity": "grave", "onset_on": day})
    assert (r.status_code, r.json()["field"]) == (400, "severity")
    early = (world.signed.date - dt.timedelta(days=1)).isoformat()
    r = call("post", path, text, {"kind": "pih", "severity": "mild", "onset_on": early})
    assert (r.status_code, r.json()["field"]) == (400, "onset_on")
    r = call("post", path, text, {"kind": "pih", "severity": "mild", "onset_on": day, "zones": ["scalp"]})
    assert (r.status_code, r.json()["field"]) == (400, "zones")
    r = call(
        "post",
        f"/api/sessions/{world.today_session.pk}/adverse-events",
        text,
        {"kind": "pih", "severity": "mild", "onset_on": world.today.isoformat()},
    )
    assert (r.status_code, r.json()) == (
        400,
        {"field": "session", "detail": "adverse events are reported on a signed session", "errors": None},
    )
    assert fingerprint() == before


def test_who_got_a_lot(world: World) -> None:
    text = token(world, world.owner, scope="read")
    r = call("get", f"/api/lots/recipients?lot_number={world.pen.lot_number}", text)
    assert r.status_code == 200
    data = r.json()
    assert (data["lot_number"], data["complete"]) == (world.pen.lot_number, True)
    assert data["clients"] == 1
    assert [
        (i["client"], i["email"], i["session_number"], i["status"], i["zone_name"], i["device"]) for i in data["items"]
    ] == [
        ("Ada Lovelace", "ada@example.org", 1, "Signed", name, "Pen cartridges")
        for name in ("Cheeks (both)", "Chin and jawline", "Forehead", "Nose", "Upper lip and perioral")
    ]
    assert {i["date"] for i in data["items"]} == {world.signed.date.isoformat()}
    assert call("get", "/api/lots/recipients?lot_number=NO-SUCH-LOT", text).json()["items"] == []
    assert call("get", "/api/lots/recipients", text).status_code == 422
