"""Each treatment is screened from its own questionnaire, even when two are taken on the same day."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from pinpoint.web.clients.actions import ClientData, create_client, record_questionnaire
from pinpoint.web.clients.models import Questionnaire
from pinpoint.web.clients.selectors import latest_questionnaire, screening_for
from pinpoint.web.treatments.actions import CourseData, plan_course
from tests.web.conftest import World


def _electrolysis_same_day(world: World) -> Questionnaire:
    """Ada answers an electrolysis questionnaire on the day of her microneedling one (a later row)."""
    mn = world.questionnaire
    raw = dict(mn.answers) | {"treatment": "electrolysis", "zones": ["upper_lip"]}
    return record_questionnaire(world.actor(world.practitioner), world.ada, raw, mn.taken_on)


def test_a_same_day_electrolysis_questionnaire_does_not_hide_the_microneedling_one(world: World) -> None:
    mn = world.questionnaire
    assert mn.answers["treatment"] == "microneedling"
    el = _electrolysis_same_day(world)
    assert el.pk > mn.pk and el.taken_on == mn.taken_on
    actor = world.actor(world.practitioner)

    assert latest_questionnaire(actor, world.ada, "microneedling") == mn
    assert latest_questionnaire(actor, world.ada, "electrolysis") == el

    session = world.today_session
    result = screening_for(actor, world.ada, session.scheduled_on, session.course.plan_obj())
    assert result.questionnaire == mn
    assert result.error is None
    assert result.screening is not None and result.screening.treatment == "microneedling"

    page = world.login(world.practitioner).get(reverse("treatments:session", args=[session.pk]))
    assert page.status_code == 200
    assert b"no microneedling questionnaire" not in page.content
    assert b"no questionnaire" not in page.content


def test_a_new_course_is_planned_from_the_questionnaire_of_its_treatment(world: World) -> None:
    mn = world.questionnaire
    _electrolysis_same_day(world)
    data = CourseData(indication="fine_lines", zones=("cheek",), setting="clinic", start_on=world.today)
    plan, questionnaire, overridden = plan_course(world.actor(world.practitioner), world.ada, data)
    assert questionnaire == mn
    assert overridden is None
    assert [z.zone for z in plan.zones] == ["cheek"]


def test_a_client_with_only_an_electrolysis_questionnaire_is_asked_for_the_microneedling_one(world: World) -> None:
    actor = world.actor(world.practitioner)
    rosalind = create_client(actor, ClientData(full_name="Rosalind Franklin", birth_date=dt.date(1980, 7, 25)))
    raw = {"treatment": "electrolysis", "setting": "clinic", "zones": ["upper_lip"]}
    record_questionnaire(actor, rosalind, raw, world.today)
    url = reverse("treatments:course_new", args=[rosalind.pk])
    form = {"indication": "fine_lines", "zones": ["cheek"], "setting": "clinic", "start_on": world.today.isoformat()}
    response = world.login(world.practitioner).post(url, form | {"action": "preview"})
    assert response.status_code == 200
    assert b"take the client&#x27;s microneedling questionnaire before planning" in response.content
