"""Electrolysis through the API: courses and sessions listed and read, a course planned, an area saved.

The authorization matrix of these operations (their own, like the photos'): no token 401,
another organization 404, a role without the permission 403, a read-only token 403 on writes,
and the right token through the electrolysis app's actions with core's limits.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from pinpoint.web.base.evidence import evidence_for
from pinpoint.web.clients.models import Client
from pinpoint.web.electrolysis import selectors
from pinpoint.web.electrolysis.models import AreaRecord, Course, Session
from tests.web.conftest import World, fingerprint
from tests.web.test_api import VIEW_LOG, call, token

pytestmark = pytest.mark.django_db

AREA = {
    "probe_type": "insulated",
    "probe_size": "F3",
    "current_ma": 0.4,
    "intensity_w": 1.5,
    "seconds_per_insertion": 8.0,
    "insertions": 60,
    "hairs_removed": 55,
    "minutes": 20.0,
    "reaction": "erythema",
    "aftercare_given": True,
    "window_cm2": 4.0,
    "hairs_seen": 20,
}


def _hedy(w: World) -> Client:
    return Client.objects.get(organization=w.clinic, full_name="Hedy Lamarr")


def _course(w: World) -> Course:
    return Course.objects.filter(client=_hedy(w)).earliest("pk")  # the demo's upper-lip course


def _last_signed(w: World) -> Session:
    return Session.objects.filter(course=_course(w), status="signed").latest("number")


def operations(w: World) -> list[tuple[str, str, Any, bool]]:
    """Every electrolysis operation on a clinic object: (method, path, body, writes)."""
    hedy, course, session = _hedy(w).pk, _course(w).pk, _last_signed(w).pk
    today = w.today.isoformat()
    plan = {"areas": ["chin_jawline"], "modality": "blend", "start_on": today}
    return [
        ("get", f"/api/clients/{hedy}/electrolysis/courses", None, False),
        ("post", f"/api/clients/{hedy}/electrolysis/courses", plan, True),
        ("get", f"/api/electrolysis/courses/{course}", None, False),
        ("get", f"/api/electrolysis/courses/{course}/sessions", None, False),
        ("post", f"/api/electrolysis/courses/{course}/sessions", {"on": today}, True),
        ("get", f"/api/electrolysis/sessions/{session}", None, False),
        ("put", f"/api/electrolysis/sessions/{session}/areas/upper_lip", AREA, True),
    ]


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
        assert (r.status_code, r.json()["detail"]) == (404, "not found"), (method, path, r.content)
    assert fingerprint() == before


def test_an_assistant_reads_but_may_not_plan_or_record(world: World) -> None:
    text = token(world, world.assistant)
    before = fingerprint()
    for method, path, body, writes in operations(world):
        r = call(method, path, text, body)
        if writes:
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
        if writes:
            r = call(method, path, text, body)
            assert (r.status_code, r.json()["field"]) == (403, "scope"), path
    assert fingerprint() == before


def test_a_course_is_read_with_its_forecast_and_its_signed_sessions(world: World) -> None:
    text = token(world, world.practitioner)
    course = _course(world)
    r = call("get", f"/api/electrolysis/courses/{course.pk}", text)
    assert r.status_code == 200, r.content
    data = r.json()
    assert (data["areas"], data["modality"], data["count_kind"], data["hairs_seen"]) == (
        ["upper_lip"],
        "blend",
        "window",
        160,
    )
    who = world.actor(world.practitioner)
    expected = selectors.forecast_area(
        evidence_for(world.clinic), course, "upper_lip", selectors.course_sessions(who, course)
    )
    (area,) = data["forecast"]
    minutes = sum(AreaRecord.objects.filter(session__course=course).values_list("minutes", flat=True))
    assert area["hours_recorded"] == round(minutes / 60, 2)
    assert area["learned"]["fit"] == expected.learned.fit.model_dump(mode="json")
    assert area["planned"]["plan"]["hours_total"] == expected.planned.plan.hours_total
    assert area["planned"]["plan"]["sessions_to"] == expected.planned.plan.sessions_to
    assert area["problem"] == ""

    sessions = call("get", f"/api/electrolysis/courses/{course.pk}/sessions", text).json()["items"]
    assert [(s["number"], s["status"]) for s in sessions] == [(n, "signed") for n in range(1, 6)]
    assert [len(s["areas"]) for s in sessions] == [1] * 5
    assert all(len(s["content_hash"]) == 64 for s in sessions)
    listed = call("get", f"/api/clients/{_hedy(world).pk}/electrolysis/courses", text).json()["items"]
    assert [(c["id"], c["forecast"]) for c in listed] == [(course.pk, None)]


def test_plan_open_and_record_through_the_actions_with_cores_limits(world: World) -> None:
    text = token(world, world.practitioner)
    hedy = _hedy(world)
    body = {"areas": ["chin_jawline"], "modality": "blend", "start_on": world.today.isoformat()}
    body |= {"count_kind": "estimate", "hairs_estimate": 90, "uncertainty_percent": 30}
    r = call("post", f"/api/clients/{hedy.pk}/electrolysis/courses", text, body)
    assert r.status_code == 201, r.content
    assert r.json()["forecast"][0]["area"] == "chin_jawline"
    planned = Course.objects.get(pk=r.json()["id"])
    assert (planned.areas, planned.hairs_estimate, planned.uncertainty_percent) == (["chin_jawline"], 90, 30.0)
    assert r.json()["forecast"][0]["area"] == "chin_jawline"

    unknown = call("post", f"/api/clients/{hedy.pk}/electrolysis/courses", text, {**body, "areas": ["chin"]})
    assert unknown.json() == {
        "field": "areas",
        "detail": "unknown electrolysis area 'chin'; did you mean 'chin_jawline'?",
        "errors": None,
    }

    course = _course(world)
    r = call("post", f"/api/electrolysis/courses/{course.pk}/sessions", text, {"on": world.today.isoformat()})
    assert r.status_code == 200, r.content
    session = Session.objects.get(pk=r.json()["id"])
    assert (session.number, session.status, r.json()["areas"]) == (6, "in_progress", [])

    path = f"/api/electrolysis/sessions/{session.pk}/areas/upper_lip"
    over = call("put", path, text, {**AREA, "current_ma": 2.5})
    assert (over.status_code, over.json()["field"]) == (400, "current_ma")
    assert "outside the limit for Blend (direct current and radio frequency): 0.1-2 mA" in over.json()["detail"]
    assert not AreaRecord.objects.filter(session=session).exists()

    ok = call("put", path, text, AREA)
    assert ok.status_code == 200, ok.content
    (saved,) = ok.json()["areas"]
    assert {k: saved[k] for k in ("area", "modality", "current_ma", "hairs_removed", "minutes")} == {
        "area": "upper_lip",
        "modality": "blend",
        "current_ma": 0.4,
        "hairs_removed": 55,
        "minutes": 20.0,
    }
    assert Session.objects.get(pk=session.pk).status == "in_progress"  # signing is done in the app

    chin = call("put", f"/api/electrolysis/sessions/{session.pk}/areas/chin", text, AREA)
    assert (chin.status_code, chin.json()) == (
        400,
        {"field": "area", "detail": "this area is not in the course", "errors": None},
    )


def test_a_signed_session_answers_409_and_keeps_its_record(world: World) -> None:
    text = token(world, world.practitioner)
    signed = _last_signed(world)
    before = list(AreaRecord.objects.filter(session=signed).values_list())
    r = call("put", f"/api/electrolysis/sessions/{signed.pk}/areas/upper_lip", text, {**AREA, "minutes": 5.0})
    assert r.status_code == 409, r.content
    assert "signed" in r.json()["detail"]
    assert list(AreaRecord.objects.filter(session=signed).values_list()) == before


def test_a_day_before_the_course_after_today_or_before_a_later_session_is_refused(world: World) -> None:
    text = token(world, world.practitioner)
    course = _course(world)
    path = f"/api/electrolysis/courses/{course.pk}/sessions"
    early = call("post", path, text, {"on": "2020-01-01"})
    assert (early.status_code, early.json()["field"]) == (400, "performed_on")
    assert early.json()["detail"] == f"the course starts on {course.start_on:%-d %b %Y}"
    later = call("post", path, text, {"on": (world.today + dt.timedelta(days=1)).isoformat()})
    assert (later.status_code, later.json()["detail"]) == (
        400,
        "a session is recorded on the day it is held or later, not before",
    )
    between = call("post", path, text, {"on": (course.start_on + dt.timedelta(days=1)).isoformat()})
    assert (between.status_code, between.json()) == (
        422,
        {"field": "performed_on", "detail": "this course has a session on a later date", "errors": None},
    )
    assert Session.objects.filter(course=course).count() == 5
