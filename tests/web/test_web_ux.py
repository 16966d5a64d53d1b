"""What the pages offer and show: home devices only at home, refused signatures keep what was ticked,
readable answers, zone names, the consent line of a home session."""

from __future__ import annotations

from django.urls import reverse

from pinpoint.web.base.evidence import evidence_for
from pinpoint.web.clients.models import Questionnaire
from pinpoint.web.treatments.actions import start_session
from pinpoint.web.treatments.models import Session
from tests.web.conftest import World
from tests.web.test_web_clients import QUESTIONNAIRE
from tests.web.test_web_sessions import runner_post


def _home_course(world: World) -> dict[str, str]:
    plan = world.home_session.course.plan_obj()
    return {
        "indication": plan.indication,
        "zones": plan.zones[0].zone,
        "setting": "home",
        "start_on": world.today.isoformat(),
        "action": "preview",
    }


def test_home_planning_offers_only_home_devices(world: World) -> None:
    evidence = evidence_for(world.home)
    page = world.login(world.home_user).get(reverse("treatments:course_new", args=[world.me.pk]))
    offered = [v for v, _ in page.context["form"].fields["device"].widget.choices if v]
    home = [k for k, d in evidence.devices.items() if "home" in d.settings]
    assert offered == home
    assert home and len(home) < len(evidence.devices)
    for k, d in evidence.devices.items():
        assert (f'<option value="{k}"'.encode() in page.content) == ("home" in d.settings)


def test_a_clinic_only_device_posted_at_home_is_refused_by_core_beside_the_field(world: World) -> None:
    evidence = evidence_for(world.home)
    clinic_only = next(k for k, d in evidence.devices.items() if d.settings == ("clinic",))
    url = reverse("treatments:course_new", args=[world.me.pk])
    response = world.login(world.home_user).post(url, _home_course(world) | {"device": clinic_only})
    assert response.status_code == 200
    assert response.context["form"].errors["device"] == [f"device '{clinic_only}' is for clinic use only, not home"]
    assert b'id="plan-create"' not in response.content


def _confirm_box(html: str) -> str:
    start = html.index('name="confirm"')
    return html[html.rindex("<input", 0, start) : html.index(">", start) + 1]


def test_a_refused_signature_keeps_the_confirmation_as_it_was(world: World) -> None:
    start_session(world.actor(world.practitioner), world.today_session, world.today)
    client = world.login(world.practitioner)
    url = reverse("treatments:run", args=[world.today_session.pk])
    refused = client.post(url, runner_post(world.ada_course, "sign", **{"cheek-depth_mm": "2.5"}))
    assert refused.status_code == 200
    forms = {zp.zone: f for zp, f in refused.context["zone_forms"]}
    assert forms["cheek"].errors["depth_mm"][0].startswith("2.5 mm is outside the range of zone cheek")
    box = _confirm_box(refused.content.decode())
    assert "checked" in box
    assert 'value="2.5"' in refused.content.decode()  # what was typed is kept, the confirmation too
    bad_form = client.post(url, runner_post(world.ada_course, "sign", **{"nose-depth_mm": "abc"}))
    assert "checked" in _confirm_box(bad_form.content.decode())
    unticked = client.post(url, runner_post(world.ada_course, "sign", confirm="", **{"nose-depth_mm": "abc"}))
    assert "checked" not in _confirm_box(unticked.content.decode())
    assert Session.objects.get(pk=world.today_session.pk).status == "in_progress"


def test_zone_headings_and_record_rows_name_the_zone(world: World) -> None:
    evidence = evidence_for(world.clinic)
    start_session(world.actor(world.practitioner), world.today_session, world.today)
    client = world.login(world.practitioner)
    url = reverse("treatments:run", args=[world.today_session.pk])
    runner = client.get(url).content.decode()
    for zp in world.ada_course.plan_obj().zones:
        assert f"<h3>{evidence.zones[zp.zone].name} <span" in runner
    client.post(url, runner_post(world.ada_course, "sign"))
    record = client.get(reverse("treatments:session", args=[world.today_session.pk])).content.decode()
    for zp in world.ada_course.plan_obj().zones:
        assert f'<td data-label="Zone">{evidence.zones[zp.zone].name}</td><td data-label="Treated">yes</td>' in record


def test_a_home_session_says_consent_is_not_required(world: World) -> None:
    page = world.login(world.home_user).get(reverse("treatments:session", args=[world.home_session.pk]))
    assert page.context["start_today"].consent_needed is False
    content = page.content.decode()
    assert '<p id="consent-not-required">Consent: not required for a home session</p>' in content
    assert "Consent in force" not in content
    assert "Screening allows the session today." in content
    clinic = world.login(world.practitioner).get(reverse("treatments:session", args=[world.today_session.pk]))
    assert b"Consent in force: " in clinic.content
    assert b"Screening and consent allow the session today." in clinic.content


def test_questionnaire_answers_read_as_words_not_python_lists(world: World) -> None:
    client = world.login(world.practitioner)
    answers = QUESTIONNAIRE | {"zones": ["forehead", "cheek"], "active_acne_zones_any": "no", "active_acne_zones": []}
    client.post(reverse("clients:questionnaire_new", args=[world.mary.pk]), answers)
    q = Questionnaire.objects.filter(client=world.mary).latest("pk")
    stored = q.answers
    assert stored["active_acne_zones"] == []
    page = client.get(reverse("clients:questionnaire", args=[world.mary.pk, q.pk])).content.decode()
    zones = ", ".join(stored["zones"])
    assert zones in {"forehead, cheek", "cheek, forehead"}
    assert f"<tr><th>Zones to treat</th><td>{zones}</td></tr>" in page
    assert "<tr><th>Active acne in any zone?</th><td>none</td></tr>" in page
    assert "[" not in page.split('id="answers"')[1].split("</table>")[0]
