"""Impossible electrolysis input on the pages and the API: hairs removed beyond the area's follicles and
a session longer than a day refused beside the field; a starting count for more than one area refused."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from pinpoint.web.clients.actions import record_questionnaire
from pinpoint.web.electrolysis import actions
from pinpoint.web.electrolysis.models import AreaRecord, Course
from tests.web.conftest import World
from tests.web.test_api import call, token
from tests.web.test_electrolysis import _course, _post_data


def test_more_hairs_removed_than_the_area_has_is_refused_beside_the_field(world: World) -> None:
    session = actions.start_session(world.actor(world.practitioner), _course(world))
    c = world.login(world.practitioner)
    url = reverse("electrolysis:record", args=[session.pk])
    huge = _post_data("area-upper_lip", insertions=60, hairs_removed=10_001, seconds_per_insertion=8.0)
    r = c.post(url, huge)
    assert r.status_code == 400
    block = r.content.decode()[r.content.decode().index('id="record-upper_lip"') :]
    assert "10001 hairs removed is more than the 60 insertions" in block
    r = c.post(url, _post_data("area-upper_lip", minutes=2000.0))
    assert r.status_code == 400
    assert "minutes must be more than 0 and at most 1440 (a day)" in r.content.decode()
    assert not AreaRecord.objects.filter(session=session).exists()


def test_the_api_refuses_hairs_removed_beyond_the_follicles_naming_the_field(world: World) -> None:
    text = token(world, world.practitioner)
    session = actions.start_session(world.actor(world.practitioner), _course(world))
    body: dict[str, Any] = {
        "probe_type": "insulated",
        "probe_size": "F3",
        "current_ma": 0.4,
        "intensity_w": 1.5,
        "seconds_per_insertion": 5.0,
        "insertions": 12_000,
        "hairs_removed": 12_000,
        "minutes": 1000.0,
        "reaction": "erythema",
        "aftercare_given": True,
    }
    r = call("put", f"/api/electrolysis/sessions/{session.pk}/areas/upper_lip", text, body)
    assert r.status_code == 400, r.content
    assert r.json()["field"] == "hairs_removed"
    assert r.json()["detail"].startswith("12000 hairs removed is impossible on the upper lip: it has at most 10000")
    assert not AreaRecord.objects.filter(session=session).exists()


def test_a_count_for_two_areas_is_refused_beside_the_count(world: World) -> None:
    raw = dict(world.questionnaire.answers) | {"treatment": "electrolysis", "zones": ["upper_lip", "chin_jawline"]}
    record_questionnaire(world.actor(world.practitioner), world.ada, raw, world.today)
    c = world.login(world.practitioner)
    data = {
        "areas": ["upper_lip", "chin_jawline"],
        "modality": "thermolysis",
        "start_on": world.today.isoformat(),
        "count_kind": "window",
        "window_cm2": "2",
        "hairs_seen": "50",
    }
    url = reverse("electrolysis:course_new", args=[world.ada.pk])
    refused = c.post(url, data).content.decode()
    message = "a starting count describes one area: plan a course for each counted area, or choose no count"
    assert message in refused[refused.index('name="count_kind"') - 2000 :]
    assert not Course.objects.filter(client=world.ada).exists()
    assert c.post(url, data | {"count_kind": "default"}).status_code == 302
    assert Course.objects.get(client=world.ada).areas == ["upper_lip", "chin_jawline"]


def test_the_api_refuses_a_count_for_two_areas_naming_the_count(world: World) -> None:
    text = token(world, world.practitioner)
    hedy = _course(world).client
    body = {"areas": ["upper_lip", "chin_jawline"], "modality": "blend", "start_on": world.today.isoformat()}
    r = call(
        "post",
        f"/api/clients/{hedy.pk}/electrolysis/courses",
        text,
        body | {"count_kind": "window", "window_cm2": 2.0, "hairs_seen": 40},
    )
    assert (r.status_code, r.json()["field"]) == (400, "count_kind"), r.content
    assert r.json()["detail"].startswith("a starting count describes one area")
    assert call("post", f"/api/clients/{hedy.pk}/electrolysis/courses", text, body).status_code == 201
