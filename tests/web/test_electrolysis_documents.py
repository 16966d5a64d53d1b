"""Electrolysis in the exports: the printed documents (the course plan with its forecast, the signed session
record, the aftercare handout at the clinic and at home; the links on the pages, the audit of each print,
the refusals and the CLI; PDFs read back with pdftotext, as in test_documents) and the zip export.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.urls import reverse

from pinpoint.cli import pdf as cli_pdf
from pinpoint.core.answers import NO_RISKS
from pinpoint.core.hair_course import StartCount
from pinpoint.web.audit.models import RecordView
from pinpoint.web.clients.actions import record_questionnaire
from pinpoint.web.documents.render import render_pdf
from pinpoint.web.electrolysis import actions
from pinpoint.web.electrolysis.models import Course, Session
from pinpoint.web.exports.archive import write_zip
from tests.cli_helpers import cli
from tests.web.conftest import World
from tests.web.test_documents import _read
from tests.web.test_export_zip import NOW, load_records
from tests.web.test_web_seals import _unguard


def _course(w: World) -> Course:
    return Course.objects.get(organization=w.clinic, client__full_name="Hedy Lamarr")


def _signed(w: World, number: int = 1) -> Session:
    return Session.objects.get(course=_course(w), number=number)


def _open_session(w: World) -> Session:
    return actions.start_session(w.actor(w.practitioner), _course(w))


def test_the_signed_record_prints_every_setting_the_count_and_its_seal(world: World, tmp_path: Path) -> None:
    s = _signed(world)
    r = s.areas.get()
    text = _read(render_pdf(world.actor(world.assistant), "electrolysis-record", s.pk), tmp_path, "el_record_a4")
    day = s.performed_on.strftime("%-d %b %Y")
    assert (
        f"Electrolysis session record Hedy Lamarr Session 1 · Needle electrolysis · "
        f"Blend (direct current and radio frequency) · Upper lip · done on {day}"
    ) in text
    assert "Seal verified: this record is exactly as it was signed" in text
    assert "Signed by Priya Patel on " in text
    assert "Probe Insulated, F3" in text
    assert "Current 0.4 mA Intensity 1.5 W Time per insertion 8.0 seconds" in text
    assert f"Insertions / hairs removed {r.insertions} / {r.hairs_removed}" in text
    assert f"Window count {r.hairs_seen} hairs in 4.0 cm²" in text
    assert "Skin reaction Redness (erythema) Aftercare given yes" in text
    assert s.content_hash in text.replace(" ", "")
    assert "No addenda." in text


def test_an_addendum_is_printed_with_its_author(world: World, tmp_path: Path) -> None:
    s = _signed(world, 2)
    actions.add_addendum(world.actor(world.practitioner), s, "Window re-counted: 21")
    text = _read(render_pdf(world.actor(world.owner), "electrolysis-record", s.pk), tmp_path, "el_record_addendum")
    assert ", Priya Patel: Window re-counted: 21" in text
    page = world.login(world.owner).get(reverse("electrolysis:session", args=[s.pk])).content.decode()
    assert ", Priya Patel: Window re-counted: 21</p>" in page


def test_the_course_plan_prints_the_forecast_its_band_and_what_the_counts_taught(world: World, tmp_path: Path) -> None:
    course = _course(world)
    text = _read(render_pdf(world.actor(world.practitioner), "electrolysis-plan", course.pk), tmp_path, "el_plan_a4")
    start = course.start_on.strftime("%-d %b %Y")
    assert (
        f"Electrolysis course plan Hedy Lamarr Needle electrolysis · "
        f"Blend (direct current and radio frequency) · first session {start}"
    ) in text
    assert "Upper lip Planned Starting from about 40 hairs per cm² (between 34 and 46)" in text
    assert "reported for this area: 4-10 hours" in text
    assert "Learned from the counts Fitted to 5 counted sessions" in text
    assert "80 % cleared:" in text and "95 % cleared:" in text
    assert text.count("Signed") == 5
    page = world.login(world.practitioner).get(reverse("electrolysis:course", args=[course.pk])).content.decode()
    for words in ("Fitted to 5 counted sessions", "Starting from about 40 hairs per cm² (between 34 and 46)"):
        assert words in page  # the print says what the page says


def test_the_aftercare_handout_gives_each_line_with_its_days(world: World, tmp_path: Path) -> None:
    s = _open_session(world)
    text = _read(render_pdf(world.actor(world.assistant), "electrolysis-aftercare", s.pk), tmp_path, "el_aftercare")
    assert f"Aftercare Hedy Lamarr After your session on {s.performed_on.strftime('%-d %b %Y')}" in text
    assert "Needle electrolysis: Upper lip" in text
    assert "Keep unwashed hands off the treated area (for 1 to 3 days after the session)" in text
    assert "Heat, sauna and hot tub (for 1 day after the session)" in text
    assert " h)" not in text
    assert "Questions or worries: contact Demo Clinic." in text
    assert "client" not in text.lower()


def _home_session(w: World) -> Session:
    me = w.actor(w.home_user)
    raw = {"treatment": "electrolysis", "setting": "home", "zones": ["upper_lip"], "birth_date": "1992-05-04"}
    record_questionnaire(me, w.me, raw | {"skin_type": "III"} | dict(NO_RISKS), w.today - dt.timedelta(days=3))
    start = w.today - dt.timedelta(days=1)
    course = actions.create_course(me, w.me, actions.CourseInput(("upper_lip",), "galvanic", start, StartCount()))
    return actions.start_session(me, course)


def test_the_home_handout_and_runner_speak_to_the_person(world: World, tmp_path: Path) -> None:
    s = _home_session(world)
    pdf = render_pdf(world.actor(world.home_user), "electrolysis-aftercare", s.pk, "letter")
    text = _read(pdf, tmp_path, "el_aftercare_home_letter")
    assert "Aftercare Hana Home After your session on" in text
    assert "client" not in text.lower() and "Questions or worries" not in text
    page = world.login(world.home_user).get(reverse("electrolysis:session", args=[s.pk])).content.decode()
    assert "<h2>Your aftercare</h2>" in page and "Aftercare to give" not in page
    assert "(for 1 to 3 days after the session)" in page


def test_the_runner_gives_the_aftercare_with_its_days(world: World) -> None:
    s = _open_session(world)
    page = world.login(world.practitioner).get(reverse("electrolysis:session", args=[s.pk])).content.decode()
    block = page[page.index('id="el-aftercare"') :]
    assert "<h2>Aftercare to give</h2>" in block
    assert 'Keep unwashed hands off the treated area <span class="when">(for 1 to 3 days after the session)' in block


def _pdf_get(client: Any, name: str, pk: int, **query: str) -> Any:
    return client.get(reverse(f"documents:{name}", args=[pk]), query)


def test_each_electrolysis_page_links_its_document_and_the_link_serves_it(world: World) -> None:
    client = world.login(world.practitioner)
    course, signed, running = _course(world), _signed(world), _open_session(world)
    pages = [
        (reverse("electrolysis:course", args=[course.pk]), "electrolysis_plan", "plan", course.pk),
        (reverse("electrolysis:session", args=[signed.pk]), "electrolysis_record", "record", signed.pk),
        (reverse("electrolysis:session", args=[signed.pk]), "electrolysis_aftercare", "aftercare", signed.pk),
        (reverse("electrolysis:session", args=[running.pk]), "electrolysis_aftercare", "aftercare", running.pk),
    ]
    for page, name, link, pk in pages:
        body = client.get(page).content.decode()
        url = reverse(f"documents:{name}", args=[pk])
        assert f'href="{url}" id="print-{link}"' in body
        assert f'href="{url}?size=letter" id="print-{link}-letter"' in body
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == f'inline; filename="{name.replace("_", "-")}-{pk}.pdf"'


def test_prints_are_audited_and_refusals_are_one_line(world: World) -> None:
    client = world.login(world.assistant)
    signed, running = _signed(world), _open_session(world)
    assert _pdf_get(client, "electrolysis_record", signed.pk).status_code == 200
    view = RecordView.objects.order_by("-pk").first()
    assert view is not None
    assert (view.user, view.client.full_name, view.what, view.object_id) == (
        world.assistant,
        "Hedy Lamarr",
        "printed signed electrolysis session record",
        signed.pk,
    )
    before = RecordView.objects.count()
    unsigned = _pdf_get(client, "electrolysis_record", running.pk)
    assert (unsigned.status_code, unsigned.content.decode()) == (
        409,
        f"electrolysis session {running.number} of Hedy Lamarr is not signed: there is no signed record yet",
    )
    assert _pdf_get(world.login(world.home_user), "electrolysis_plan", _course(world).pk).status_code == 404
    assert _pdf_get(client, "electrolysis_plan", 10**9).status_code == 404
    assert RecordView.objects.count() == before


def test_the_cli_prints_the_same_electrolysis_record(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli_pdf, "_setup", lambda: None)  # the test database is already set up
    s = _signed(world)
    page = _pdf_get(world.login(world.practitioner), "electrolysis_record", s.pk).content
    out = tmp_path / "record.pdf"
    code, stdout, err = cli(
        capsys, "pdf", "electrolysis-record", str(s.pk), "--out", str(out), "--user", world.practitioner.email
    )
    assert (code, err) == (0, "")
    assert stdout == f"signed electrolysis session record {s.pk} written to {out} (a4, {len(page)} bytes)\n"
    assert out.read_bytes() == page
    code, _, err = cli(capsys, "pdf", "electrolysis-plan", "999999", "--out", str(out), "--user", world.owner.email)
    assert (code, err) == (2, "pinpoint: error: there is no electrolysis course 999999 in Demo Clinic\n")


def test_the_zip_export_holds_the_electrolysis_course_sessions_areas_and_seals(world: World, tmp_path: Path) -> None:
    course = _course(world)
    actions.add_addendum(world.actor(world.practitioner), _signed(world), "Window re-counted: 21")
    target = tmp_path / "clinic.zip"
    write_zip(target, world.clinic, now=NOW)
    loaded = load_records(target)
    assert [(c["areas"], c["modality"], c["hairs_seen"]) for c in loaded["electrolysis_course"]] == [
        (["upper_lip"], "blend", 160)
    ]
    sessions = [s for s in loaded["electrolysis_session"] if s["course_id"] == course.pk]
    assert sorted((s["number"], s["status"]) for s in sessions) == [(n, "signed") for n in range(1, 6)]
    assert all(len(s["content_hash"]) == 64 for s in sessions)
    areas = loaded["electrolysis_arearecord"]
    assert len(areas) == 5 and {a["area"] for a in areas} == {"upper_lip"}
    assert all(a["window_cm2"] == 4.0 and a["hairs_seen"] is not None for a in areas)
    assert [a["text"] for a in loaded["electrolysis_electrolysisaddendum"]] == ["Window re-counted: 21"]
    kinds = {s["kind"] for s in loaded["audit_seal"]}
    assert {"electrolysis_session", "electrolysis_addendum"} <= kinds


def test_a_rewritten_addendum_is_altered_beside_it_at_the_top_and_in_the_print(world: World, tmp_path: Path) -> None:
    s = _signed(world, 3)
    addendum = actions.add_addendum(world.actor(world.practitioner), s, "Window re-counted: 21")
    owner = world.login(world.owner)
    page = owner.get(reverse("electrolysis:session", args=[s.pk])).content.decode()
    assert "Seal verified: this record is exactly as it was signed" in page
    assert f'id="addendum-{addendum.pk}-altered"' not in page
    _unguard("electrolysis_electrolysisaddendum")
    with connection.cursor() as cur:
        sql = "UPDATE electrolysis_electrolysisaddendum SET text = %s WHERE id = %s"
        cur.execute(sql, ["other words", addendum.pk])
    page = owner.get(reverse("electrolysis:session", args=[s.pk])).content.decode()
    assert "Seal verified" not in page
    assert "Altered: an addendum has changed since it was written" in page
    assert f'other words <span class="bad" id="addendum-{addendum.pk}-altered">Altered:' in page
    text = _read(render_pdf(world.actor(world.owner), "electrolysis-record", s.pk), tmp_path, "el_record_altered")
    assert "Altered: an addendum has changed since it was written" in text
    assert "other words Altered: this addendum has changed since it was written" in text
