"""The web runner follows the same whole-plan path as the CLI: the client's screening shapes the guide."""

from __future__ import annotations

from django.urls import reverse
from django.utils.html import escape

from pinpoint.web.base.evidence import evidence_for
from pinpoint.web.clients.actions import record_questionnaire
from pinpoint.web.clients.models import Questionnaire
from pinpoint.web.treatments.actions import start_session
from pinpoint.web.treatments.models import Course
from tests.web.conftest import World


def test_a_breastfeeding_client_is_needled_without_the_anaesthetic_and_the_runner_says_why(world: World) -> None:
    actor = world.actor(world.practitioner)
    session = world.today_session
    start_session(actor, session, world.today)
    client = world.login(world.practitioner)
    url = reverse("treatments:run", args=[session.pk])

    before = client.get(url)
    assert before.status_code == 200
    assert b'id="anaesthetic"' in before.content  # a 1.5 mm pen course is numbed first

    answers = dict(world.questionnaire.answers) | {"breastfeeding": True}
    record_questionnaire(actor, world.ada, answers, world.today)
    after = client.get(url)
    assert after.status_code == 200
    html = after.content.decode()
    assert 'id="anaesthetic"' not in html
    assert "Apply the topical anaesthetic" not in html
    rule = evidence_for(world.clinic).contraindications["breastfeeding"]
    cautions = html.count('class="bad step-caution"')
    needling_steps = html.count("Needle the zone")
    plan = world.ada_course.plan_obj()
    assert needling_steps == len(plan.zones) == 5
    numbed = [part.zone for visit in plan.visits for part in visit.parts if part.numbed]
    assert numbed == ["cheek", "chin_jawline"]  # the zones needled past the anaesthetic threshold
    assert cautions == len(numbed)  # each says, at its needling step, that it goes without anaesthetic
    assert rule.message.split(":")[0] in html


def test_the_course_page_lists_the_rules_that_shaped_the_plan(world: World) -> None:
    page = world.login(world.practitioner).get(reverse("treatments:course", args=[world.ada_course.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    plan = world.ada_course.plan_obj()
    assert [r.id for r in plan.rules] == ["authorised_depth", "anaesthetic_area_per_visit"]
    assert 'id="plan-rules"' in html
    for rule in plan.rules:
        assert escape(rule.effect) in html


def test_an_approved_referral_for_a_breastfeeding_client_is_planned_without_the_anaesthetic(world: World) -> None:
    """Grace is referred (anticoagulant) and breastfeeding: the approved plan numbs nothing, so the
    back needs no split into visits, and the course lists why there is no anaesthetic."""
    actor = world.actor(world.practitioner)
    latest = Questionnaire.objects.filter(client=world.grace).latest("taken_on", "pk")
    answers = dict(latest.answers) | {"breastfeeding": True, "zones": ["back"]}
    record_questionnaire(actor, world.grace, answers, world.today)
    client = world.login(world.practitioner)
    url = reverse("treatments:course_new", args=[world.grace.pk])
    approval = {
        "override_physician": "Dr Lin Ng",
        "override_approved_on": world.today.isoformat(),
        "override_reason": "Letter: may proceed on the back",
    }
    form = {"indication": "acne_scars", "zones": ["back"], "setting": "clinic", "start_on": "2027-01-04"}
    created = client.post(url, form | approval | {"action": "create"})
    course = Course.objects.filter(client=world.grace).latest("pk")
    assert created.status_code == 302
    assert created["Location"] == reverse("treatments:course", args=[course.pk])
    plan = course.plan_obj()
    assert plan.anaesthetic is None
    assert [(v.visit, v.zones, v.anaesthetic_zones) for v in plan.visits] == [(1, ("back",), ())]
    assert [r.id for r in plan.rules] == ["screening_no_anaesthetic"]
    assert plan.screening is not None and plan.screening.verdict == "refer"
    page = client.get(reverse("treatments:course", args=[course.pk])).content.decode()
    assert escape(plan.rules[0].effect) in page


def test_a_clinic_runner_never_offers_a_reusable_roller_and_says_why(world: World) -> None:
    from pinpoint.web.devices.models import DeviceUnit

    shelf = DeviceUnit.objects.create(
        organization=world.clinic, label="Shelf roller", catalog_id="roller_192_025_home", created_by=world.owner
    )
    actor = world.actor(world.practitioner)
    session = world.today_session
    start_session(actor, session, world.today)
    page = world.login(world.practitioner).get(reverse("treatments:run", args=[session.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert f'<option value="{shelf.pk}"' not in html
    why = (
        "Shelf roller: Home roller, 192 x 0.25 mm is reusable and not sterile: a clinic needles only with sterile "
        "single-use units (roller or pen cartridge), opened for one client and discarded"
    )
    assert f"Shelf roller ({escape(why)})" in html  # in words: no rule id, no source ids
    devices = world.login(world.owner).get(reverse("devices:list")).content.decode()
    assert 'value="roller_192_025_home"' not in devices  # a clinic registers only what it may needle with
    assert 'value="pen_14"' in devices


def test_a_clinic_cannot_register_a_home_roller_nor_a_home_user_a_clinic_pen(world: World) -> None:
    from pinpoint.web.devices.models import DeviceUnit
    from tests.web.test_api import call, token

    before = DeviceUnit.objects.count()
    r = call("post", "/api/devices", token(world, world.owner), {"catalog_id": "roller_192_025_home", "label": "Shelf"})
    assert (r.status_code, r.json()["field"], r.json()["detail"]) == (
        422,
        "catalog_id",
        "device 'roller_192_025_home' is for home use only, not clinic",
    )
    r = call("post", "/api/devices", token(world, world.home_user), {"catalog_id": "pen_14", "label": "Pen"})
    assert (r.status_code, r.json()["field"], r.json()["detail"]) == (
        422,
        "catalog_id",
        "device 'pen_14' is for clinic use only, not home",
    )
    assert DeviceUnit.objects.count() == before
