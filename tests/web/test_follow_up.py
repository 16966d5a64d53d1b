"""Follow-up in the web app: lots refused in the session, scores and their chart, adverse events, who got a lot."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pinpoint.web.audit.models import SealedRecordError
from pinpoint.web.devices.models import DeviceUnit
from pinpoint.web.outcomes.actions import record_score, report_adverse_event, update_adverse_event
from pinpoint.web.outcomes.models import AdverseEvent, Assessment
from pinpoint.web.records.verify import verify_all
from pinpoint.web.treatments.models import Session, ZoneRecord
from tests.web.conftest import World
from tests.web.test_web_sessions import _started, runner_post


def _options(html: str, zone: str) -> list[str]:
    """The labels offered in a zone's unit select."""
    select = re.search(rf'<select name="{zone}-device_unit".*?</select>', html, re.S)
    assert select is not None
    return re.findall(r"<option value=\"\d+\"[^>]*>([^<]*)</option>", select.group(0))


def _selected(html: str, zone: str) -> list[str]:
    select = re.search(rf'<select name="{zone}-device_unit".*?</select>', html, re.S)
    assert select is not None
    return re.findall(r'<option value="(\d+)"[^>]*selected', select.group(0))


def _expired_lot(w: World) -> DeviceUnit:
    return DeviceUnit.objects.create(
        organization=w.clinic,
        catalog_id="pen_14",
        label="Cartridges 1900",
        lot_number="OLD-1900",
        expires_on=dt.date(1900, 1, 1),
        units_total=10,
        created_by=w.owner,
    )


def test_a_lot_that_expired_in_1900_is_not_offered_and_refused_beside_the_field(world: World) -> None:
    lot = _expired_lot(world)
    s = _started(world)
    client = world.login(world.practitioner)
    page = client.get(reverse("treatments:run", args=[s.pk])).content.decode()
    zone = world.ada_course.plan_obj().zones[0].zone
    assert "Cartridges 1900 lot OLD-1900" not in _options(page, zone)
    assert "Not offered: Cartridges 1900 (Cartridges 1900 expired on 1 January 1900)" in page
    data = runner_post(world.ada_course, "sign") | {f"{zone}-device_unit": str(lot.pk)}
    response = client.post(reverse("treatments:run", args=[s.pk]), data)
    assert response.status_code == 200
    assert "Cartridges 1900 expired on 1 January 1900" in response.content.decode()
    assert Session.objects.get(pk=s.pk).status == "in_progress"
    assert not ZoneRecord.objects.filter(device_unit=lot).exists()


def test_a_used_single_use_unit_is_neither_preselected_nor_offered_and_is_refused(world: World) -> None:
    # the demo's cartridges as one single-use unit: the signed first session used it
    DeviceUnit.objects.filter(pk=world.pen.pk).update(units_total=None)
    s = _started(world)
    client = world.login(world.practitioner)
    page = client.get(reverse("treatments:run", args=[s.pk])).content.decode()
    zone = world.ada_course.plan_obj().zones[0].zone
    assert _selected(page, zone) == []
    assert _options(page, zone) == []
    first = world.signed.date
    reason = f"Pen cartridges is single-use and was used on {first.day} {first:%B %Y}: take a new sterile unit"
    data = runner_post(world.ada_course, "sign") | {f"{zone}-device_unit": str(world.pen.pk)}
    response = client.post(reverse("treatments:run", args=[s.pk]), data)
    assert response.status_code == 200
    assert reason in response.content.decode()
    assert Session.objects.get(pk=s.pk).status == "in_progress"


def test_a_lot_of_two_units_is_offered_once_more_then_used_up(world: World) -> None:
    DeviceUnit.objects.filter(pk=world.pen.pk).update(units_total=2)
    s = _started(world)
    client = world.login(world.practitioner)
    page = client.get(reverse("devices:list")).content.decode()
    assert re.search(rf'id="device-status-{world.pen.pk}">1 unit left ', page)
    zone = world.ada_course.plan_obj().zones[0].zone
    run = client.get(reverse("treatments:run", args=[s.pk])).content.decode()
    assert _selected(run, zone) == [str(world.pen.pk)]
    data = runner_post(world.ada_course, "sign")
    data |= {f"{zp.zone}-device_unit": str(world.pen.pk) for zp in world.ada_course.plan_obj().zones}
    assert client.post(reverse("treatments:run", args=[s.pk]), data).status_code == 302
    page = client.get(reverse("devices:list")).content.decode()
    assert "all 2 units of Pen cartridges are used: open a new lot" in page


def test_a_score_outside_its_scale_is_refused_beside_the_field(world: World) -> None:
    client = world.login(world.practitioner)
    url = reverse("outcomes:course", args=[world.ada_course.pk])
    form = {"scale": "gais", "rater": "client", "taken_on": world.today.isoformat(), "value": "6"}
    response = client.post(url, form)
    assert response.status_code == 200
    assert "a GAIS score is from 1 to 5, got 6" in response.content.decode()
    satisfaction = client.post(url, form | {"scale": "satisfaction", "rater": "practitioner", "value": "8"})
    assert "Satisfaction is rated by the client, not the practitioner" in satisfaction.content.decode()
    before = Assessment.objects.count()
    assert client.post(url, form | {"value": "2"}).status_code == 302
    assert Assessment.objects.count() == before + 1


def test_an_mmasi_is_computed_from_its_region_grades(world: World) -> None:
    grades = {"forehead": (2, 3), "right_malar": (4, 2), "left_malar": (3, 2), "chin": (1, 1)}
    components = {r: {"area": a, "darkness": d} for r, (a, d) in grades.items()}
    a = record_score(
        world.actor(world.practitioner), world.ada_course, "mmasi", "practitioner", world.today, components=components
    )
    # 0.3*2*3 + 0.3*4*2 + 0.3*3*2 + 0.1*1*1 = 1.8 + 2.4 + 1.8 + 0.1
    assert str(a.value) == "6.1"


def test_the_chart_is_an_svg_image_and_its_queries_do_not_grow_with_the_scores(world: World) -> None:
    client = world.login(world.practitioner)
    url = reverse("outcomes:chart", args=[world.ada_course.pk])
    with CaptureQueriesContext(connection) as few:
        response = client.get(url)
    assert response["Content-Type"] == "image/svg+xml"
    assert response.content.startswith(b"<?xml") and b"<svg" in response.content
    actor = world.actor(world.practitioner)
    for days in range(1, 31):
        record_score(actor, world.ada_course, "gais", "client", world.today - dt.timedelta(days=days), 1 + days % 5)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)


def _report(w: World) -> AdverseEvent:
    return report_adverse_event(
        w.actor(w.practitioner), w.signed, "pih", "moderate", w.signed.date + dt.timedelta(days=3), "hydroquinone"
    )


def test_an_adverse_event_is_sealed_flags_its_lot_and_shows_on_the_dashboard_until_resolved(world: World) -> None:
    event = _report(world)
    assert event.lots == [{"unit": world.pen.pk, "lot": "CART-2407-A", "label": "Pen cartridges"}]
    client = world.login(world.practitioner)
    devices = client.get(reverse("devices:list")).content.decode()
    assert "2 adverse events recorded with this lot" in devices  # the demo's resolved one and this one
    board = client.get(reverse("dashboard")).content.decode()
    assert "Ada Lovelace: Post-inflammatory hyperpigmentation</a>, moderate" in board
    with pytest.raises(SealedRecordError):
        event.save()
    with pytest.raises(SealedRecordError):
        AdverseEvent.objects.filter(pk=event.pk).update(severity="mild")
    update_adverse_event(world.actor(world.practitioner), event, "resolved", world.today, "faded")
    board = client.get(reverse("dashboard")).content.decode()
    assert "Post-inflammatory hyperpigmentation" not in board
    assert [r.problem for r in verify_all() if r.problem is not None] == []


def test_a_resolution_needs_its_date_between_onset_and_today(world: World) -> None:
    event = _report(world)
    client = world.login(world.practitioner)
    url = reverse("outcomes:event", args=[event.pk])
    response = client.post(url, {"outcome": "resolved"})
    assert "give the date it resolved" in response.content.decode()
    early = (event.onset_on - dt.timedelta(days=1)).isoformat()
    response = client.post(url, {"outcome": "resolved", "resolved_on": early})
    assert f"resolution date {early} is before {event.onset_on.isoformat()}" in response.content.decode()


def test_who_got_a_lot_lists_each_zone_with_contacts_and_exports_csv_in_constant_queries(world: World) -> None:
    client = world.login(world.practitioner)
    url = reverse("outcomes:lot_search") + "?lot=CART-2407-A"
    with CaptureQueriesContext(connection) as few:
        page = client.get(url).content.decode()
    zones = ZoneRecord.objects.filter(session=world.signed, treated=True).count()
    assert f"Lot CART-2407-A: {zones} zones treated, 1 client." in page
    assert "ada@example.org" in page
    csv_text = client.get(reverse("outcomes:lot_export") + "?lot=CART-2407-A").content.decode()
    lines = csv_text.strip().splitlines()
    assert lines[0] == "client,email,phone,date,session,status,zone,unit,lot"
    assert len(lines) == 1 + zones
    assert lines[1].startswith(f"Ada Lovelace,ada@example.org,,{world.signed.date.isoformat()},1,Signed,")
    # more sessions with the lot: the same number of queries
    s = _started(world)
    data = runner_post(world.ada_course, "sign")
    data |= {f"{zp.zone}-device_unit": str(world.pen.pk) for zp in world.ada_course.plan_obj().zones}
    assert client.post(reverse("treatments:run", args=[s.pk]), data).status_code == 302
    with CaptureQueriesContext(connection) as many:
        page = client.get(url).content.decode()
    assert f"{2 * zones} zones treated, 1 client." in page
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_course_page_shows_the_dose_each_zone_received_beside_the_plan(world: World) -> None:
    client = world.login(world.practitioner)
    page = client.get(reverse("treatments:course", args=[world.ada_course.pk])).content.decode()
    zp = world.ada_course.plan_obj().zones[0]
    row = re.search(rf'<tr id="dose-{zp.zone}">(.*?)</tr>', page, re.S)
    assert row is not None
    cells = re.sub(r"<[^>]+>", "|", row.group(1))
    assert f"1 |of {zp.sessions.min:g}" in cells
    assert "target 250" in cells
