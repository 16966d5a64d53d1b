"""What the pages offer and show: home devices only at home, refused signatures start unticked,
readable answers, zone names, the consent line of a home session."""

from __future__ import annotations

from django.urls import reverse

from pinpoint.web.base.evidence import evidence_for
from tests.web.conftest import World


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
