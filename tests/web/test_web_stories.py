"""The two stories of the issue, end to end through the pages (the ids used are those a browser test targets)."""

from __future__ import annotations

import re
from typing import Any

from django.core import mail
from django.test import Client as HttpClient
from django.urls import reverse

from pinpoint.web.clients.models import Client
from pinpoint.web.demo import DEMO_PASSWORD
from pinpoint.web.devices.models import DeviceUnit
from pinpoint.web.treatments.models import Course, Session
from tests.web.conftest import World
from tests.web.test_web_clients import QUESTIONNAIRE

ALL_NO = dict.fromkeys(
    (
        "pregnant",
        "breastfeeding",
        "anticoagulants",
        "bleeding_disorder",
        "keloid_history",
        "herpes_history",
        "immunosuppressed",
        "metal_allergy",
        "pacemaker_or_implant",
        "active_infection_zones_any",
        "active_acne_zones_any",
        "eczema_psoriasis_zones_any",
        "skin_cancer_zones_any",
        "radiation",
        "autoimmune_disease",
        "epilepsy",
        "anaesthetic_risks_any",
        "tattoo_zones_any",
        "neuromodulator",
        "filler",
        "sunburn",
    ),
    "no",
) | {"retinoid": "never", "koebner_condition": "none", "hirsutism_onset": "none"}


def _follow(client: HttpClient, response: Any) -> Any:
    assert response.status_code == 302, response.content[:3000]
    return client.get(response["Location"])


def test_clinic_story(world: World) -> None:
    today = world.today.isoformat()
    c = HttpClient()
    page = c.get(reverse("dashboard"))
    assert page["Location"].startswith(reverse("accounts:login"))
    login = c.get(reverse("accounts:login"))
    assert b'id="id_username"' in login.content
    assert b'id="login-submit"' in login.content
    _follow(c, c.post(reverse("accounts:login"), {"username": world.practitioner.email, "password": DEMO_PASSWORD}))

    new = c.get(reverse("clients:new"))
    assert b'id="client-save"' in new.content
    detail = _follow(c, c.post(reverse("clients:new"), {"full_name": "Katherine Johnson", "birth_date": "1978-08-26"}))
    client = Client.objects.get(full_name="Katherine Johnson")
    assert b'id="questionnaire-new"' in detail.content

    answers = {
        "taken_on": today,
        "treatment": "microneedling",
        "setting": "clinic",
        "zones": ["full_face"],
        "birth_date": "1978-08-26",
        "skin_type": "II",
        "isotretinoin": "never",
        "diabetes": "none",
    } | ALL_NO
    screened = _follow(c, c.post(reverse("clients:questionnaire_new", args=[client.pk]), answers))
    assert screened.context["result"].screening.verdict == "proceed"

    consent_page = c.get(reverse("consents:new", args=[client.pk]) + "?treatment=microneedling")
    assert b'id="consent-text"' in consent_page.content
    signed = {
        "signed_name": "Katherine Johnson",
        "signer": "client",
        "photo_clinical": "yes",
        "photo_marketing": "no",
        "agree": "on",
    }
    _follow(c, c.post(reverse("consents:new", args=[client.pk]) + "?treatment=microneedling", signed))

    plan_url = reverse("treatments:course_new", args=[client.pk])
    plan = {
        "indication": "acne_scars",
        "zones": ["full_face"],
        "setting": "clinic",
        "device": "pen_14",
        "start_on": today,
    }
    preview = c.post(plan_url, plan | {"action": "preview"})
    assert b'id="plan-zones"' in preview.content
    course_page = _follow(c, c.post(plan_url, plan | {"action": "create"}))
    course = Course.objects.get(client=client)
    assert b'id="book-sessions"' in course_page.content
    _follow(c, c.post(reverse("treatments:book", args=[course.pk])))
    first = Session.objects.get(course=course, number=1)
    assert Session.objects.filter(course=course).count() == len(course.plan_obj().schedule)

    session_page = c.get(reverse("treatments:session", args=[first.pk]))
    assert session_page.context["start_today"].allowed
    runner = _follow(c, c.post(reverse("treatments:start", args=[first.pk])))
    assert b'id="anaesthetic-start"' in runner.content
    counting = _follow(c, c.post(reverse("treatments:anaesthetic", args=[first.pk])))
    assert b'id="anaesthetic-countdown"' in counting.content
    assert b"data-countdown-until=" in counting.content

    steps = [str(i) for i, _ in counting.context["steps"]]
    record: dict[str, Any] = {"action": "sign", "confirm": "on", "notes": "Well tolerated.", "checklist": steps}
    record["needled_before_ready"] = "on"  # signed seconds after the anaesthetic went on
    for zp in course.plan_obj().zones:
        record |= {
            f"{zp.zone}-treated": "on",
            f"{zp.zone}-device": "pen_14",
            f"{zp.zone}-device_unit": str(world.pen.pk),
            f"{zp.zone}-depth_mm": f"{zp.depth_mm.min:g}",
            f"{zp.zone}-passes": "6",
            f"{zp.zone}-endpoint_reached": "on",
        }
    shown = _follow(c, c.post(reverse("treatments:run", args=[first.pk]), record))
    assert b'id="hash-ok"' in shown.content
    first.refresh_from_db()
    assert (first.status, first.signed_by, first.checklist) == ("signed", world.practitioner, sorted(map(int, steps)))
    assert {zr.lot_number for zr in first.zone_records.all()} == {"CART-2407-A"}

    timeline = c.get(reverse("clients:detail", args=[client.pk]))
    kinds = [kind for _, kind, _ in timeline.context["t"].entries]
    assert sorted(set(kinds)) == ["consent", "course", "questionnaire", "session"]
    assert timeline.context["t"].next_session.number == 2


def test_home_story(world: World) -> None:
    today = world.today.isoformat()
    c = HttpClient()
    signup = c.get(reverse("accounts:signup") + "?kind=personal")
    assert b'id="signup-submit"' in signup.content
    mail.outbox.clear()
    c.post(reverse("accounts:signup"), {"email": "ivy@example.org", "kind": "personal"})
    link = re.search(r"http://testserver(/accounts/signup/\S+/)", mail.outbox[0].body)
    assert link is not None
    form = {
        "kind": "personal",
        "full_name": "Ivy Home",
        "password1": "meadow-lamp-731",
        "password2": "meadow-lamp-731",
        "time_zone": "UTC",
        "birth_date": "1991-02-03",
    }
    dashboard = _follow(c, c.post(link.group(1), form))
    me = dashboard.context["self_client"]
    assert b'id="step-questionnaire"' in dashboard.content

    answers = (
        QUESTIONNAIRE
        | ALL_NO
        | {
            "taken_on": today,
            "setting": "home",
            "zones": ["cheek"],
            "isotretinoin": "never",
            "diabetes": "none",
            "birth_date": "1991-02-03",
        }
    )
    screened = _follow(c, c.post(reverse("clients:questionnaire_new", args=[me.pk]), answers))
    assert screened.context["result"].screening.verdict == "proceed"

    _follow(c, c.post(reverse("devices:list"), {"catalog_id": "roller_192_025_home", "label": "My roller"}))
    roller = DeviceUnit.objects.get(label="My roller", organization__memberships__user__email="ivy@example.org")

    plan_url = reverse("treatments:course_new", args=[me.pk])
    deep = c.post(
        plan_url,
        {
            "indication": "fine_lines",
            "zones": ["cheek"],
            "setting": "home",
            "device": "roller_192_050",
            "start_on": today,
            "action": "preview",
        },
    )
    assert deep.context["form"].errors["device"] == ["device 'roller_192_050' is for clinic use only, not home"]
    plan = {
        "indication": "fine_lines",
        "zones": ["cheek"],
        "setting": "home",
        "device": "roller_192_025_home",
        "start_on": today,
    }
    _follow(c, c.post(plan_url, plan | {"action": "create"}))
    course = Course.objects.get(client=me)
    assert course.plan_obj().deepest_mm <= 0.3
    _follow(c, c.post(reverse("treatments:book", args=[course.pk])))
    first = Session.objects.get(course=course, number=1)

    runner = _follow(c, c.post(reverse("treatments:start", args=[first.pk])))  # no consent step at home
    assert b"anaesthetic-start" not in runner.content
    assert runner.context["zone_forms"][0][1].initial["device_unit"] == str(roller.pk)
    assert f'id="device-status-{roller.pk}"'.encode() in runner.content
    record = {
        "action": "sign",
        "confirm": "on",
        "cheek-treated": "on",
        "cheek-device_unit": str(roller.pk),
        "cheek-depth_mm": "0.5",
        "cheek-passes": "15",
        "cheek-endpoint_reached": "on",
    }
    too_deep = c.post(reverse("treatments:run", args=[first.pk]), record)
    errors = {zp.zone: f for zp, f in too_deep.context["zone_forms"]}["cheek"].errors
    assert errors["depth_mm"] == ["0.5 mm is above the home cap of 0.3 mm (policy home_depth_cap_mm)"]
    _follow(c, c.post(reverse("treatments:run", args=[first.pk]), record | {"cheek-depth_mm": "0.25"}))
    device = c.get(reverse("devices:detail", args=[roller.pk]))
    assert device.context["row"].uses == 1
    assert device.context["row"].status.uses_limit == 10
    roller.refresh_from_db()
    assert roller.first_used_on == world.today
