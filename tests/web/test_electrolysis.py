"""Electrolysis in the web app: planning, the runner's limits, signing and sealing, the forecast that learns."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pinpoint.core.answers import NO_RISKS
from pinpoint.core.hair_course import StartCount
from pinpoint.core.hair_records import AreaEntry
from pinpoint.web.audit.models import AuditEvent, Seal
from pinpoint.web.clients.actions import record_questionnaire
from pinpoint.web.clients.models import Client
from pinpoint.web.electrolysis import actions
from pinpoint.web.electrolysis.models import AreaRecord, Course, ElectrolysisAddendum, Session, SignedRecordError
from tests.web.conftest import World


def _hedy(w: World) -> Client:
    return Client.objects.get(organization=w.clinic, full_name="Hedy Lamarr")


def _course(w: World) -> Course:
    return Course.objects.get(client=_hedy(w))


def _entry(**changes: Any) -> AreaEntry:
    values: dict[str, Any] = {
        "area": "upper_lip",
        "modality": "blend",
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
    return AreaEntry(**(values | changes))


def _post_data(prefix: str, **changes: Any) -> dict[str, Any]:
    e = _entry(**changes)
    data = {"area": e.area}
    for k, v in e.__dict__.items():
        if k in ("modality",) or v is None or v is False:
            continue
        data[f"{prefix}-{k}"] = "on" if v is True else v
    return data


def test_the_demo_course_has_five_signed_sessions_and_a_fitted_forecast(world: World) -> None:
    course = _course(world)
    assert Session.objects.filter(course=course, status="signed").count() == 5
    assert Seal.objects.filter(kind="electrolysis_session", organization=world.clinic).count() == 5
    page = world.login(world.practitioner).get(reverse("electrolysis:course", args=[course.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "Fitted to 5 counted sessions" in text
    assert 'id="el-reforecast-upper_lip"' in text
    assert "Upper lip" in text and "upper_lip<" not in text  # names, not ids


def test_the_chart_is_svg_with_one_dot_per_counted_session(world: World) -> None:
    course = _course(world)
    r = world.login(world.assistant).get(reverse("electrolysis:chart", args=[course.pk, "upper_lip"]))
    assert r.status_code == 200
    assert r["Content-Type"] == "image/svg+xml"
    svg = r.content.decode()
    assert svg.count("<circle ") == 5
    assert "style=" not in svg
    assert (
        world.login(world.assistant).get(reverse("electrolysis:chart", args=[course.pk, "chin_jawline"])).status_code
        == 404
    )


def test_a_current_over_the_limit_is_refused_beside_the_field_with_limit_and_source(world: World) -> None:
    course = _course(world)
    prac = world.actor(world.practitioner)
    session = actions.start_session(prac, course)
    c = world.login(world.practitioner)
    data = _post_data("area-upper_lip", current_ma=2.5)
    r = c.post(reverse("electrolysis:record", args=[session.pk]), data)
    assert r.status_code == 400
    text = r.content.decode()
    block = text[text.index('id="record-upper_lip"') :]
    assert "current 2.5 mA is outside the limit for Blend (direct current and radio frequency): 0.1-2 mA" in block
    assert "[wiki-electrolysis, dermaskin-course, pinpoint-electrolysis-limits]" in block
    assert not AreaRecord.objects.filter(session=session).exists()
    ok = c.post(reverse("electrolysis:record", args=[session.pk]), _post_data("area-upper_lip"))
    assert ok.status_code == 302
    assert AreaRecord.objects.get(session=session).current_ma == 0.4


def test_signing_seals_and_then_nothing_changes(world: World) -> None:
    course = _course(world)
    prac = world.actor(world.practitioner)
    session = actions.start_session(prac, course)
    c = world.login(world.practitioner)
    refused = c.post(reverse("electrolysis:sign", args=[session.pk]), {"confirm": "on"})
    assert refused.status_code == 400
    assert "record every area before signing: Upper lip not recorded" in refused.content.decode()
    actions.record_area(prac, session, _entry())
    assert c.post(reverse("electrolysis:sign", args=[session.pk]), {"confirm": "on"}).status_code == 302
    session.refresh_from_db()
    assert session.is_signed and len(session.content_hash) == 64
    assert Seal.objects.filter(kind="electrolysis_session", record_id=session.pk).exists()
    page = c.get(reverse("electrolysis:session", args=[session.pk])).content.decode()
    assert "Seal verified: this record is exactly as it was signed" in page
    with pytest.raises(SignedRecordError):
        actions.record_area(prac, session, _entry(minutes=25.0))
    record = AreaRecord.objects.get(session=session)
    record.minutes = 29
    with pytest.raises(SignedRecordError):
        record.save()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute("UPDATE electrolysis_arearecord SET minutes = 29 WHERE id = %s", [record.pk])
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute("UPDATE electrolysis_session SET number = 99 WHERE id = %s", [session.pk])
    assert (
        c.post(reverse("electrolysis:addendum", args=[session.pk]), {"text": "Window re-counted: 21"}).status_code
        == 302
    )
    addendum = ElectrolysisAddendum.objects.get(session=session)
    assert Seal.objects.filter(kind="electrolysis_addendum", record_id=addendum.pk).exists()
    signs = AuditEvent.objects.filter(action="session.sign", target_type="electrolysis.session", target_id=session.pk)
    assert signs.count() == 1


def test_a_new_signed_count_changes_the_reforecast(world: World) -> None:
    course = _course(world)
    c = world.login(world.practitioner)

    def dates() -> str:
        text = c.get(reverse("electrolysis:course", args=[course.pk])).content.decode()
        return re.search(r'id="el-reforecast-upper_lip">(.*?)</ul>', text, re.S).group(1)  # type: ignore[union-attr]

    before = dates()
    prac = world.actor(world.practitioner)
    session = actions.start_session(prac, course)
    actions.record_area(prac, session, _entry(hairs_seen=60, insertions=100, hairs_removed=100, minutes=25.0))
    actions.sign_session(prac, session)
    assert dates() != before


def test_course_page_queries_do_not_grow_with_sessions(world: World) -> None:
    course = _course(world)
    c = world.login(world.practitioner)
    url = reverse("electrolysis:course", args=[course.pk])
    c.get(url)
    with CaptureQueriesContext(connection) as five:
        c.get(url)
    prac = world.actor(world.practitioner)
    session = actions.start_session(prac, course)
    actions.record_area(prac, session, _entry())
    actions.sign_session(prac, session)
    with CaptureQueriesContext(connection) as six:
        c.get(url)
    assert len(six) == len(five)


def test_planning_needs_an_electrolysis_questionnaire_then_creates_the_course(world: World) -> None:
    c = world.login(world.practitioner)
    url = reverse("electrolysis:course_new", args=[world.ada.pk])
    data = {
        "areas": ["upper_lip"],
        "modality": "thermolysis",
        "start_on": world.today.isoformat(),
        "count_kind": "window",
        "window_cm2": "2",
        "hairs_seen": "50",
    }
    refused = c.post(url, data)
    assert refused.status_code == 200
    assert "record the client&#x27;s electrolysis questionnaire before planning a course" in refused.content.decode()
    raw = dict(world.questionnaire.answers) | {"treatment": "electrolysis", "zones": ["upper_lip"]}
    record_questionnaire(world.actor(world.practitioner), world.ada, raw, world.today)
    too_many = c.post(url, data | {"hairs_seen": "5000"})
    assert "5000 hairs is impossible in 2 cm²" in too_many.content.decode()
    created = c.post(url, data)
    assert created.status_code == 302
    course = Course.objects.get(client=world.ada)
    assert (course.modality, course.areas, course.window_cm2, course.hairs_seen) == (
        "thermolysis",
        ["upper_lip"],
        2.0,
        50,
    )
    page = c.get(created["Location"]).content.decode()
    assert "No session yet." in page and "Thermolysis" in page


def test_a_home_user_logs_sessions_and_gets_the_same_forecast(world: World) -> None:
    me = world.actor(world.home_user)
    raw = {
        "treatment": "electrolysis",
        "setting": "home",
        "zones": ["upper_lip"],
        "birth_date": "1992-05-04",
        "skin_type": "III",
    }
    record_questionnaire(me, world.me, raw | dict(NO_RISKS), world.today - dt.timedelta(days=30))
    course = actions.create_course(
        me, world.me, actions.CourseInput(("upper_lip",), "galvanic", world.today - dt.timedelta(days=21), StartCount())
    )
    for days, seen in ((21, 30), (14, 24), (7, 19)):
        s = actions.start_session(me, course, on=world.today - dt.timedelta(days=days))
        e = _entry(modality="galvanic", intensity_w=None, seconds_per_insertion=20.0, insertions=40, hairs_removed=40)
        actions.record_area(me, s, AreaEntry(**(e.__dict__ | {"hairs_seen": seen})))
        actions.sign_session(me, s)
    page = world.login(world.home_user).get(reverse("electrolysis:course", args=[course.pk])).content.decode()
    assert 'id="el-fit-upper_lip"' in page
    assert 'id="el-hours-upper_lip"' in page
    assert "Galvanic" in page


def test_sessions_appear_on_the_client_timeline_in_words(world: World) -> None:
    hedy = _hedy(world)
    page = world.login(world.assistant).get(reverse("clients:detail", args=[hedy.pk])).content.decode()
    assert page.count('class="entry-electrolysis_session"') == 5
    assert "Needle electrolysis: Blend (direct current and radio frequency) on Upper lip" in page


def test_an_addendum_posing_as_new_with_a_stored_id_is_refused_by_the_model(world: World) -> None:
    course = _course(world)
    prac = world.actor(world.practitioner)
    session = actions.start_session(prac, course)
    actions.record_area(prac, session, _entry())
    session = actions.sign_session(prac, session)
    first = actions.add_addendum(prac, session, "Window re-counted: 21")
    forged = ElectrolysisAddendum(
        pk=first.pk, organization=world.clinic, session=session, text="forged", author=world.practitioner
    )
    with pytest.raises(SignedRecordError, match=r"^an addendum is never edited; add another one$"):
        forged.save()
    with pytest.raises(SignedRecordError, match=r"^an addendum is never deleted$"):
        first.delete()
    assert ElectrolysisAddendum.objects.get(pk=first.pk).text == "Window re-counted: 21"
    assert first.altered is False
