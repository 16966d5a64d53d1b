"""The session runner as a practitioner on a phone uses it.

Ticks survive the anaesthetic countdown and say "draft saved"; a refused signature keeps everything
and sums up its errors at the top with links to the fields; signing before the anaesthetic is ready
needs an acknowledgement that the signed record keeps; the record shows the anaesthetic; a home
user's record shows the aftercare; one zone at a time; names, not ids.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from pinpoint.core.errors import InputError
from pinpoint.core.guide import guide_for_plan
from pinpoint.core.records import canonical_json, content_sha256
from pinpoint.core.sessions import (
    SessionRecord,
    ZoneEntry,
    check_every_zone_recorded,
    check_needling_time,
    numbing,
    signed_content,
)
from pinpoint.evidence import load_evidence
from pinpoint.web.base.evidence import evidence_for
from pinpoint.web.treatments.actions import start_anaesthetic, start_session
from pinpoint.web.treatments.models import Session, ZoneRecord
from pinpoint.web.treatments.signing import verify
from tests.web.conftest import World
from tests.web.test_web_sessions import runner_post

LMX4 = "Liposomal lidocaine 4% (LMX4)"


def _started(world: World, user: Any = None) -> Session:
    start_session(world.actor(user or world.practitioner), world.today_session, world.today)
    return Session.objects.get(pk=world.today_session.pk)


def _as_rendered(page: Any) -> dict[str, Any]:
    """What a browser posts for the zone forms as the runner rendered them (nothing typed)."""
    data: dict[str, Any] = {}
    for _, f in page.context["zone_forms"]:
        for name in f.fields:
            value = f[name].value()
            if value is True:
                data[f.add_prefix(name)] = "on"
            elif value not in (None, False, ""):
                data[f.add_prefix(name)] = str(value)
    return data


def _local(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime("%H:%M")


def test_starting_the_countdown_keeps_the_ticked_steps_and_says_draft_saved(world: World) -> None:
    s = _started(world)
    client = world.login(world.practitioner)
    run = reverse("treatments:run", args=[s.pk])
    page = client.get(run)
    assert b'id="draft-saved"' not in page.content
    posted = _as_rendered(page) | {"runner": "1", "checklist": ["0", "1", "3"], "notes": "Client calm."}
    response = client.post(reverse("treatments:anaesthetic", args=[s.pk]), posted)
    assert response.status_code == 302
    assert response["Location"] == run + "#anaesthetic"
    s.refresh_from_db()
    assert (s.checklist, s.notes) == ([0, 1, 3], "Client calm.")
    assert s.anaesthetic_agent == "lmx4"
    assert s.anaesthetic_started_at is not None and s.draft_saved_at is not None
    assert s.anaesthetic_ready_at == s.anaesthetic_started_at + dt.timedelta(minutes=30)
    assert not ZoneRecord.objects.filter(session=s).exists()  # nothing typed in the zones: no zone saved
    again = client.get(run).content.decode()
    ticked = re.findall(r'<input type="checkbox" name="checklist" value="(\d+)" id="step-\d+" checked>', again)
    assert ticked == ["0", "1", "3"]
    assert (
        f'<p class="draft-saved" id="draft-saved" role="status">Draft saved at {_local(s.draft_saved_at)}.</p>' in again
    )
    ready = _local(s.anaesthetic_ready_at)
    assert f"On at {_local(s.anaesthetic_started_at)}; ready at {ready}" in again


def test_zone_values_typed_before_the_countdown_are_saved_with_it_or_shown_refused(world: World) -> None:
    s = _started(world)
    client = world.login(world.practitioner)
    page = client.get(reverse("treatments:run", args=[s.pk]))
    posted = _as_rendered(page) | {"runner": "1", "checklist": ["0"], "cheek-depth_mm": "9", "cheek-passes": "4"}
    refused = client.post(reverse("treatments:anaesthetic", args=[s.pk]), posted)
    assert refused.status_code == 200
    forms = {zp.zone: f for zp, f in refused.context["zone_forms"]}
    assert forms["cheek"].errors["depth_mm"][0].startswith("9 mm is outside the range of zone cheek")
    assert 'name="cheek-depth_mm" value="9"' in refused.content.decode()
    s.refresh_from_db()
    assert s.anaesthetic_started_at is not None  # the countdown runs all the same
    assert s.checklist == [0]


def test_a_countdown_post_without_the_runner_changes_no_draft(world: World) -> None:
    s = _started(world)
    Session.objects.filter(pk=s.pk).update(checklist=[0, 2], notes="kept")
    assert world.login(world.practitioner).post(reverse("treatments:anaesthetic", args=[s.pk])).status_code == 302
    s.refresh_from_db()
    assert (s.checklist, s.notes, s.draft_saved_at) == ([0, 2], "kept", None)
    assert s.anaesthetic_agent == "lmx4"


def test_saving_a_draft_says_when(world: World) -> None:
    s = _started(world)
    client = world.login(world.practitioner)
    before = timezone.now()
    client.post(reverse("treatments:run", args=[s.pk]), runner_post(world.ada_course))
    s.refresh_from_db()
    assert s.draft_saved_at is not None and s.draft_saved_at >= before
    page = client.get(reverse("treatments:run", args=[s.pk])).content.decode()
    assert f"Draft saved at {_local(s.draft_saved_at)}." in page


def test_a_refused_signature_sums_up_its_errors_at_the_top_with_links_and_keeps_everything(world: World) -> None:
    s = _started(world)
    start_anaesthetic(world.actor(world.practitioner), s, at=timezone.now() - dt.timedelta(minutes=40))
    client = world.login(world.practitioner)
    data = runner_post(
        world.ada_course, "sign", **{"cheek-depth_mm": "2.5", "nose-passes": "", "checklist": ["0", "4"]}
    )
    refused = client.post(reverse("treatments:run", args=[s.pk]), data)
    assert refused.status_code == 200
    html = refused.content.decode()
    summary = html[
        html.index('<div class="error-summary"') : html.index("</div>", html.index('<div class="error-summary"'))
    ]
    assert 'role="alert" tabindex="-1" autofocus' in summary
    assert "There is a problem: nothing was signed" in summary
    links = re.findall(r'<li><a href="#([^"]+)">([^<]+)</a></li>', summary)
    cheek = refused.context["zone_forms"][[zp.zone for zp, _ in refused.context["zone_forms"]].index("cheek")][1]
    depth_error = cheek.errors["depth_mm"][0]
    # in the order of the zones on the page (nose before cheeks)
    assert [target for target, _ in links] == ["id_nose-passes", "id_cheek-depth_mm"]
    assert links[0][1] == "Nose, Passes: enter the number of passes"
    assert links[1][1].startswith("Cheeks (both), Needle depth (mm): 2.5 mm is outside the range of zone cheek")
    assert depth_error.startswith("2.5 mm is outside the range of zone cheek")
    # beside the fields too, and the zone with the first error is the one shown open
    assert html.count('<ul class="errorlist" id="id_cheek-depth_mm_error">') == 1
    assert refused.context["zone_open"] == "nose"
    assert re.search(r'<details class="card zone" id="zone-nose" name="zones" open>', html)
    assert re.findall(r'id="zone-([a-z_]+)" name="zones" open', html) == ["nose"]
    # everything as typed and ticked: the confirmation, the steps, the depth
    assert re.search(r'<input type="checkbox" name="confirm" id="id_confirm" checked>', html)
    ticked = re.findall(r'name="checklist" value="(\d+)" id="step-\d+" checked', html)
    assert ticked == ["0", "4"]
    assert 'name="cheek-depth_mm" value="2.5"' in html
    assert Session.objects.get(pk=s.pk).status == "in_progress"


def test_the_confirmation_left_unticked_links_to_its_box(world: World) -> None:
    s = _started(world)
    client = world.login(world.practitioner)
    refused = client.post(reverse("treatments:run", args=[s.pk]), runner_post(world.ada_course, "sign", confirm=""))
    links = re.findall(r'<li><a href="#([^"]+)">([^<]+)</a></li>', refused.content.decode())
    text = "I confirm this record is complete and accurate: tick to confirm the record before signing"
    assert links == [("id_confirm", text)]


def test_core_makes_early_needling_a_caution_to_acknowledge() -> None:
    evidence = load_evidence()
    on = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)
    applied = numbing(evidence, "emla", on)
    assert (applied.name, applied.ready_at, applied.minutes) == (
        evidence.anaesthetics["emla"].name,
        on + dt.timedelta(hours=1),
        60,
    )
    assert applied.sources == ("emla-uk-pil", "emla-us-insert", "ihateneedles")
    with pytest.raises(InputError) as refused:
        check_needling_time(applied, on + dt.timedelta(minutes=20), needled=True, acknowledged=False)
    assert refused.value.field == "needled_before_ready"
    assert refused.value.message == (
        "Lidocaine 2.5% / prilocaine 2.5% cream (EMLA) went on at 09:00 and is ready at 10:00, after its contact "
        "time of 60 min (emla-uk-pil, emla-us-insert, ihateneedles): needling before then is needling before the "
        'skin is numb; tick "Needled before the anaesthetic was ready" to sign now, or sign from 10:00'
    )
    assert check_needling_time(applied, on + dt.timedelta(minutes=20), needled=True, acknowledged=True) is True
    assert check_needling_time(applied, on + dt.timedelta(minutes=60), needled=True, acknowledged=False) is False
    assert check_needling_time(applied, on + dt.timedelta(minutes=5), needled=False, acknowledged=False) is False
    assert check_needling_time(None, on, needled=True, acknowledged=False) is False
    with pytest.raises(InputError, match=r"went on at 10:00 and is ready at 11:00"):
        zone = dt.timezone(dt.timedelta(hours=1))
        check_needling_time(applied, on + dt.timedelta(minutes=1), needled=True, acknowledged=False, zone=zone)


def test_signing_during_the_countdown_is_refused_with_when_it_is_ready_unless_acknowledged(world: World) -> None:
    s = _started(world)
    client = world.login(world.practitioner)
    client.post(reverse("treatments:anaesthetic", args=[s.pk]))
    s.refresh_from_db()
    assert s.anaesthetic_ready_at is not None and s.anaesthetic_started_at is not None
    url = reverse("treatments:run", args=[s.pk])
    page = client.get(url).content.decode()
    assert 'id="needled-early"' in page  # the acknowledgement is offered while the anaesthetic is not ready
    refused = client.post(url, runner_post(world.ada_course, "sign"))
    assert refused.status_code == 200
    on, ready = _local(s.anaesthetic_started_at), _local(s.anaesthetic_ready_at)
    message = (
        f"{LMX4} went on at {on} and is ready at {ready}, after its contact time of 30 min (lmx4-smpc, lmx4-au): "
        'needling before then is needling before the skin is numb; tick "Needled before the anaesthetic was '
        f'ready" to sign now, or sign from {ready}'
    )
    assert refused.context["runner"].errors["needled_before_ready"] == [message]
    assert Session.objects.get(pk=s.pk).status == "in_progress"
    links = re.findall(r'<li><a href="#([^"]+)">', refused.content.decode())
    assert links == ["id_needled_before_ready"]

    signed = client.post(url, runner_post(world.ada_course, "sign", needled_before_ready="on"))
    assert signed.status_code == 302
    s.refresh_from_db()
    content = json.loads(s.signed_content)
    assert content["anaesthetic"] == {
        "agent": "lmx4",
        "applied_at": s.anaesthetic_started_at.astimezone(dt.UTC).isoformat(),
        "ready_at": s.anaesthetic_ready_at.astimezone(dt.UTC).isoformat(),
        "needled_before_ready": True,
    }
    assert s.needled_before_ready is True
    record = client.get(reverse("treatments:session", args=[s.pk]))
    assert record.context["verified"] is True
    html = record.content.decode()
    assert (
        f'<p id="record-anaesthetic">Topical anaesthetic: {LMX4}, on at {on}, ready at {ready}. '
        '<span class="bad" id="record-needled-early">Needled before it was ready (acknowledged at signing).</span></p>'
    ) in html


def test_signing_once_the_anaesthetic_is_ready_needs_no_acknowledgement(world: World) -> None:
    s = _started(world)
    applied_at = timezone.now() - dt.timedelta(minutes=31)
    start_anaesthetic(world.actor(world.practitioner), s, at=applied_at)
    client = world.login(world.practitioner)
    assert 'id="needled-early"' not in client.get(reverse("treatments:run", args=[s.pk])).content.decode()
    assert client.post(reverse("treatments:run", args=[s.pk]), runner_post(world.ada_course, "sign")).status_code == 302
    s.refresh_from_db()
    assert json.loads(s.signed_content)["anaesthetic"]["needled_before_ready"] is False
    page = client.get(reverse("treatments:session", args=[s.pk])).content.decode()
    expected = (
        f'<p id="record-anaesthetic">Topical anaesthetic: {LMX4}, on at {_local(applied_at)}, '
        f"ready at {_local(applied_at + dt.timedelta(minutes=30))}.</p>"
    )
    assert expected in page


def test_a_record_signed_without_an_anaesthetic_keeps_the_old_content_and_verifies(world: World) -> None:
    at = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)
    cheek = ZoneEntry(
        zone="cheek",
        treated=True,
        device="pen_14",
        device_unit=9,
        lot_number="CART-2407-A",
        depth_mm=Decimal("1.00"),
        passes=6,
        endpoint_reached=True,
        notes="",
        warnings=(),
    )
    record = SessionRecord(
        session=7,
        organization=1,
        client=3,
        course=2,
        number=1,
        scheduled_on=dt.date(2026, 1, 5),
        performed_on=dt.date(2026, 1, 5),
        started_at=at,
        started_by=4,
        override_reason="",
        override_by=None,
        checklist=(2, 0, 1),
        anaesthetic_started_at=at + dt.timedelta(minutes=5),
        notes="Tolerated well.",
        zones=(cheek,),
        signed_at=at + dt.timedelta(minutes=50),
        signed_by=4,
    )
    # the text and hash the code before the anaesthetic entry gave for this record
    assert content_sha256(signed_content(record)) == "a13192e20e4e3480b3d7ceb04977485cd61884eb25f996c2f8abbd23edd3b182"
    assert "anaesthetic" not in signed_content(record)
    s = _started(world)
    client = world.login(world.practitioner)
    assert client.post(reverse("treatments:run", args=[s.pk]), runner_post(world.ada_course, "sign")).status_code == 302
    s.refresh_from_db()
    assert "anaesthetic" not in json.loads(s.signed_content)
    assert s.anaesthetic_agent is None and s.needled_before_ready is None
    assert canonical_json(signed_content(record)).startswith('{"anaesthetic_started_at":"2026-01-05T09:05:00+00:00"')
    assert verify(s, list(ZoneRecord.objects.filter(session=s))) is True
    page = client.get(reverse("treatments:session", args=[s.pk])).content.decode()
    assert '<p id="record-anaesthetic">No topical anaesthetic.</p>' in page


def test_a_home_user_s_signed_record_shows_the_aftercare(world: World) -> None:
    s = world.home_session
    me = world.actor(world.home_user)
    start_session(me, s, world.today)
    client = world.login(world.home_user)
    plan = s.course.plan_obj()
    data: dict[str, Any] = {"action": "sign", "confirm": "on", "notes": "", "checklist": []}
    for zp in plan.zones:
        data |= {
            f"{zp.zone}-treated": "on",
            f"{zp.zone}-device": plan.device,
            f"{zp.zone}-device_unit": str(world.roller.pk),
            f"{zp.zone}-depth_mm": f"{zp.depth_mm.min:g}",
            f"{zp.zone}-passes": f"{int(zp.passes.min)}",
        }
    assert client.post(reverse("treatments:run", args=[s.pk]), data).status_code == 302
    page = client.get(reverse("treatments:session", args=[s.pk]))
    html = page.content.decode()
    section = html[html.index('<section class="card" id="signed-aftercare">') :]
    section = section[: section.index("</section>")]
    assert "<h2>Your aftercare</h2>" in section
    aftercare = guide_for_plan(evidence_for(world.home), plan).aftercare
    assert aftercare
    for line in aftercare:
        assert line.text.replace("'", "&#x27;") in section


def test_one_zone_at_a_time_with_its_own_steps_and_progress(world: World) -> None:
    s = _started(world)
    client = world.login(world.practitioner)
    evidence = evidence_for(world.clinic)
    page = client.get(reverse("treatments:run", args=[s.pk]))
    html = page.content.decode()
    zones = [zp.zone for zp in world.ada_course.plan_obj().zones]
    assert len(zones) == 5
    opened = re.findall(r'<details class="card zone" id="zone-([a-z_]+)" name="zones"( open)?>', html)
    assert opened == [(z, " open" if i == 0 else "") for i, z in enumerate(zones)]
    progress = re.findall(r'<span class="zone-progress">Zone (\d) of (\d)</span>', html)
    assert progress == [(str(i), "5") for i in range(1, 6)]
    # each zone's needling and endpoint steps sit in that zone, not in the list before it
    steps = page.context["steps"]
    for zone in zones:
        block = html[html.index(f'id="zone-{zone}"') :]
        block = block[: block.index("</details>")]
        mine = [i for i, st in steps if st.zones == (zone,) and st.kind in ("needling", "endpoint-check")]
        assert len(mine) == 2
        assert re.findall(r'name="checklist" value="(\d+)"', block) == [str(i) for i in mine]
    # the next zone is named; once every zone is recorded, the first one opens
    assert f"data-open-zone>Next: {evidence.zones[zones[1]].name}</a>" in html
    client.post(reverse("treatments:run", args=[s.pk]), runner_post(world.ada_course))
    saved = client.get(reverse("treatments:run", args=[s.pk]))
    assert saved.context["zone_open"] == zones[0]
    assert saved.content.decode().count('<span class="zone-state">recorded</span>') == 5
    assert '<span class="zone-state">not recorded yet</span>' in html


def test_the_runner_and_record_name_devices_and_zones(world: World) -> None:
    s = _started(world)
    client = world.login(world.practitioner)
    evidence = evidence_for(world.clinic)
    data = runner_post(world.ada_course, "sign")
    data |= {f"{zp.zone}-device_unit": str(world.pen.pk) for zp in world.ada_course.plan_obj().zones}
    signed = client.post(reverse("treatments:run", args=[s.pk]), data)
    assert signed.status_code == 302
    page = client.get(reverse("treatments:session", args=[s.pk])).content.decode()
    table = page[page.index('id="zone-records"') : page.index("</table>", page.index('id="zone-records"'))]
    assert "pen_14" not in table
    assert table.count(f'<td data-label="Device">{evidence.devices["pen_14"].name} (Pen cartridges)</td>') == 5


def test_signing_with_a_zone_missing_names_it(world: World) -> None:
    evidence = evidence_for(world.clinic)
    plan = world.ada_course.plan_obj()
    with pytest.raises(InputError) as refused:
        check_every_zone_recorded(plan, [plan.zones[0].zone], evidence)
    named = ", ".join(evidence.zones[z.zone].name for z in sorted(plan.zones[1:], key=lambda z: z.zone))
    assert refused.value.message == f"record every zone before signing; missing: {named}"


def test_a_zone_refusal_and_the_early_signature_are_summed_up_together(world: World) -> None:
    s = _started(world)
    client = world.login(world.practitioner)
    client.post(reverse("treatments:anaesthetic", args=[s.pk]))
    refused = client.post(
        reverse("treatments:run", args=[s.pk]), runner_post(world.ada_course, "sign", **{"nose-passes": ""})
    )
    assert refused.status_code == 200
    links = re.findall(r'<li><a href="#([^"]+)">', refused.content.decode())
    assert links == ["id_nose-passes", "id_needled_before_ready"]
    assert refused.context["runner"].errors["needled_before_ready"][0].startswith(f"{LMX4} went on at ")
    assert Session.objects.get(pk=s.pk).status == "in_progress"
