"""Printable documents: what each PDF says (read back with pdftotext), paper sizes, the page links,
the audit of each print, the same document from the page and the CLI, and the CLI's contract.

Every PDF rendered here is also turned into PNG pages (pdftoppm -r 60) under var/screenshots/documents
(``PINPOINT_SCREENSHOTS_DIR`` moves them), so a person can look at them.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from pinpoint.cli import pdf as cli_pdf
from pinpoint.web.audit.models import RecordView
from pinpoint.web.base.evidence import evidence_for
from pinpoint.web.documents.render import render_pdf
from pinpoint.web.treatments.models import ZoneRecord
from tests.cli_helpers import cli
from tests.web.conftest import World
from tests.web.test_web_seals import _rewrite_notes_like_an_attacker, _unguard

ROOT = Path(__file__).resolve().parents[2]
A4_PTS = "595.276 x 841.89"
LETTER_PTS = "612 x 792"


def _shots() -> Path:
    base = Path(os.environ.get("PINPOINT_SCREENSHOTS_DIR") or ROOT / "var" / "screenshots")
    path = base / "documents"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _read(pdf: bytes, tmp_path: Path, name: str) -> str:
    """The PDF's text with runs of white space made one space; its pages saved as PNG for a person to see."""
    assert pdf.startswith(b"%PDF-")
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(path), str(_shots() / name)], check=True)
    text = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout
    return " ".join(text.split())


def _info(pdf: bytes, tmp_path: Path) -> dict[str, str]:
    path = tmp_path / "info.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
    return {k.strip(): v.strip() for k, v in (line.split(":", 1) for line in out.splitlines() if ":" in line)}


def _words(text: str) -> str:
    return " ".join(text.split())


def test_the_course_plan_names_the_zones_depths_and_dates(world: World, tmp_path: Path) -> None:
    actor = world.actor(world.practitioner)
    plan = world.ada_course.plan_obj()
    ev = evidence_for(world.clinic)
    text = _read(render_pdf(actor, "plan", world.ada_course.pk), tmp_path, "plan_a4")
    assert "Demo Clinic Course plan Ada Lovelace" in text
    assert f"{ev.indications[plan.indication].name} · clinic · {ev.devices[plan.device].name}" in text  # type: ignore[index]
    for z in plan.zones:
        depth = f"{z.depth_mm.min:g}-{z.depth_mm.max:g} mm"
        assert f"{ev.zones[z.zone].name}" in text
        assert depth in text
    assert "forehead (full_face)" not in text  # names, not ids
    schedule = " · ".join(f"{s.session}: {s.date.isoformat()}" for s in plan.schedule)
    assert schedule in text
    for r in plan.rules:  # a hyphen where a line wraps ("14-" / "needle") is dropped by pdftotext
        assert _words(r.effect).replace("-", "") in text.replace("-", "")
    assert "Page 1 of" in text


def test_the_consent_is_the_frozen_text_with_its_signature_and_seal(world: World, tmp_path: Path) -> None:
    c = world.consent
    text = _read(render_pdf(world.actor(world.assistant), "consent", c.pk), tmp_path, "consent_a4")
    assert "Signed consent Ada Lovelace" in text
    assert f"{c.title} (version {c.template_version}, microneedling)" in text
    assert _words(c.text) in text
    assert f"Signed by {c.signed_name} ({c.get_signer_display()})" in text
    assert f"Recorded by {c.recorded_by.display_name}" in text
    assert "Sealed: this consent is as it was signed" in text


def test_the_signed_record_lists_each_zone_and_says_its_seal_holds(world: World, tmp_path: Path) -> None:
    s = world.signed
    ev = evidence_for(world.clinic)
    text = _read(render_pdf(world.actor(world.owner), "record", s.pk), tmp_path, "record_a4")
    assert f"Session record Ada Lovelace Session 1 · {ev.indications['acne_scars'].name} · done on" in text
    assert "Seal verified: this record is exactly as it was signed." in text
    assert "Its seal and its place in the chain of sealed records hold." in text
    assert f"SHA-256 {s.content_hash}" in text
    assert f"Signed by {s.signed_by.display_name}" in text  # type: ignore[union-attr]
    records = ZoneRecord.objects.filter(session=s).order_by("pk")
    assert records.count() == 5
    for zr in records:
        assert ev.zones[zr.zone].name in text
        assert f"{zr.depth_mm:.2f} mm" in text
        assert zr.lot_number in text
    assert "pen_14" not in text  # the device's name, not its id
    assert ev.devices["pen_14"].name in text


def test_an_altered_record_prints_altered_with_the_reason(world: World, tmp_path: Path) -> None:
    _unguard("treatments_session")
    _rewrite_notes_like_an_attacker(world.signed.pk, "rewritten afterwards")
    text = _read(render_pdf(world.actor(world.owner), "record", world.signed.pk), tmp_path, "record_altered")
    assert "Altered: this record has changed since it was signed" in text
    assert "Why: this record no longer matches its seal." in text
    assert "Seal verified" not in text


def test_the_aftercare_handout_speaks_plain_words_and_days(world: World, tmp_path: Path) -> None:
    s = world.today_session
    text = _read(render_pdf(world.actor(world.assistant), "aftercare", s.pk), tmp_path, "aftercare_a4")
    assert f"Aftercare Ada Lovelace After your session on {s.scheduled_on.isoformat()}" in text
    for a in world.ada_course.plan_obj().aftercare:
        assert _words(a.text) in text
    assert "Redness like a sunburn and tightness; flaking may follow (for 1 to 3 days after the session)" in text
    assert "(for 6 hours to 2 days after the session)" in text
    assert " h)" not in text  # hours in words, never "24-48 h"
    assert "Questions or worries: contact Demo Clinic." in text
    assert "client" not in text.lower()


def test_the_home_handout_is_addressed_to_the_person_on_letter_paper(world: World, tmp_path: Path) -> None:
    pdf = render_pdf(world.actor(world.home_user), "aftercare", world.home_session.pk, "letter")
    text = _read(pdf, tmp_path, "aftercare_home_letter")
    assert "Aftercare Hana Home After your session on" in text
    assert "client" not in text.lower()
    assert "Questions or worries" not in text  # a home user has no clinic to contact
    assert _info(pdf, tmp_path)["Page size"] == f"{LETTER_PTS} pts (letter)"


@pytest.mark.parametrize(("kind", "size", "pts"), [("plan", "a4", f"{A4_PTS} pts (A4)"), ("plan", "letter", None)])
def test_paper_sizes(world: World, tmp_path: Path, kind: str, size: str, pts: str | None) -> None:
    pdf = render_pdf(world.actor(world.owner), kind, world.ada_course.pk, size)
    _read(pdf, tmp_path, f"{kind}_{size}")
    assert _info(pdf, tmp_path)["Page size"] == (pts or f"{LETTER_PTS} pts (letter)")


def _pdf_get(client: Any, name: str, pk: int, **query: str) -> Any:
    return client.get(reverse(f"documents:{name}", args=[pk]), query)


def test_each_page_links_its_document_and_the_link_serves_it(world: World) -> None:
    client = world.login(world.practitioner)
    pages = [
        (reverse("treatments:course", args=[world.ada_course.pk]), "plan", world.ada_course.pk),
        (reverse("consents:detail", args=[world.consent.pk]), "consent", world.consent.pk),
        (reverse("treatments:session", args=[world.signed.pk]), "record", world.signed.pk),
        (reverse("treatments:session", args=[world.today_session.pk]), "aftercare", world.today_session.pk),
    ]
    for page, kind, pk in pages:
        body = client.get(page).content.decode()
        url = reverse(f"documents:{kind}", args=[pk])
        assert f'href="{url}" id="print-{kind}"' in body
        assert f'href="{url}?size=letter" id="print-{kind}-letter"' in body
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == f'inline; filename="{kind}-{pk}.pdf"'
        assert response.content.startswith(b"%PDF-")


def test_a_print_is_recorded_in_the_audit_trail_like_a_view(world: World) -> None:
    client = world.login(world.assistant)
    before = RecordView.objects.count()
    assert _pdf_get(client, "record", world.signed.pk).status_code == 200
    view = RecordView.objects.order_by("-pk").first()
    assert RecordView.objects.count() == before + 1
    assert view is not None
    assert (view.user, view.client, view.what, view.object_id) == (
        world.assistant,
        world.ada,
        "printed signed session record",
        world.signed.pk,
    )


def test_refusals_answer_one_clear_line_and_record_nothing(world: World) -> None:
    client = world.login(world.owner)
    before = RecordView.objects.count()
    unsigned = _pdf_get(client, "record", world.today_session.pk)
    assert unsigned.status_code == 409
    assert unsigned.content.decode() == "session 2 of Ada Lovelace is not signed: there is no signed record yet"
    bad_size = _pdf_get(client, "plan", world.ada_course.pk, size="A3")
    assert (bad_size.status_code, bad_size.content.decode()) == (400, "size must be a4 or letter, got 'A3'")
    assert _pdf_get(client, "plan", 10**9).status_code == 404
    assert _pdf_get(client, "aftercare", world.home_session.pk).status_code == 404  # another organization's
    assert RecordView.objects.count() == before


def test_the_page_and_the_cli_print_the_same_document(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli_pdf, "_setup", lambda: None)  # the test database is already set up
    page = _pdf_get(world.login(world.practitioner), "plan", world.ada_course.pk, size="letter").content
    out = tmp_path / "plan.pdf"
    code, stdout, err = cli(
        capsys, "pdf", "plan", str(world.ada_course.pk), "--out", str(out), "--user", world.practitioner.email,
        "--size", "letter",
    )  # fmt: skip
    assert (code, err) == (0, "")
    assert stdout == f"course plan {world.ada_course.pk} written to {out} (letter, {len(page)} bytes)\n"
    assert out.read_bytes() == page
    assert RecordView.objects.filter(user=world.practitioner, what="printed course plan").count() == 2


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["plna", "{course}"], "unknown document 'plna'; did you mean 'plan'?"),
        (["plan", "999999"], "there is no course 999999 in Demo Clinic"),
        (["aftercare", "{home_session}"], "there is no session {home_session} in Demo Clinic"),
        (["record", "{today_session}"], "session 2 of Ada Lovelace is not signed: there is no signed record yet"),
        (["plan", "{course}", "--size", "A5"], "size must be a4 or letter, got 'A5'"),
        (["plan", "{course}", "--user", "no@example.org"], "--user: there is no user with the email 'no@example.org'"),
    ],
)  # fmt: skip
def test_cli_errors_are_one_line_and_exit_2(
    world: World,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    argv: list[str],
    message: str,
) -> None:
    monkeypatch.setattr(cli_pdf, "_setup", lambda: None)
    ids = {"course": world.ada_course.pk, "home_session": world.home_session.pk}
    ids["today_session"] = world.today_session.pk
    args = [a.format(**ids) for a in argv]
    if "--user" not in args:
        args += ["--user", world.owner.email]
    out = tmp_path / "x.pdf"
    code, stdout, err = cli(capsys, "pdf", *args, "--out", str(out))
    assert (code, stdout, err) == (2, "", f"pinpoint: error: {message.format(**ids)}\n")
    assert not out.exists()


def test_cli_refuses_an_out_path_in_a_missing_folder(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "nowhere" / "x.pdf"
    code, _, err = cli(capsys, "pdf", "plan", "1", "--out", str(out), "--user", world.owner.email)
    assert (code, err) == (2, f"pinpoint: error: --out: the folder {out.parent} does not exist\n")


@pytest.mark.slow
def test_cli_on_the_data_directory_of_pinpoint_serve(tmp_path: Path) -> None:
    """The contract end to end, in fresh processes: `pinpoint serve --prepare-only`, then `pinpoint pdf`."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env |= {"PINPOINT_DATA_DIR": str(tmp_path / "data"), "PYTHONPATH": str(ROOT / "src")}
    exe = [sys.executable, "-m", "pinpoint.cli"]
    subprocess.run([*exe, "serve", "--prepare-only"], env=env, check=True, capture_output=True, cwd=tmp_path)
    out = tmp_path / "record.pdf"
    user = ["--user", "practitioner@demo-clinic.example"]
    ok = subprocess.run(
        [*exe, "pdf", "record", "1", "--out", str(out), *user], env=env, capture_output=True, text=True, cwd=tmp_path
    )
    assert (ok.returncode, ok.stderr) == (0, "")
    assert out.read_bytes().startswith(b"%PDF-")
    missing = subprocess.run(
        [*exe, "pdf", "consent", "77", "--out", str(out), *user], env=env, capture_output=True, text=True, cwd=tmp_path
    )
    assert (missing.returncode, missing.stderr) == (2, "pinpoint: error: there is no consent 77 in Demo Clinic\n")
    assert re.fullmatch(r"signed session record 1 written to .*record\.pdf \(a4, \d+ bytes\)\n", ok.stdout)
