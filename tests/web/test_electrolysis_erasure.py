"""Electrolysis records of an erased client, and ``pinpoint verify`` over signed electrolysis sessions.

Erasure blanks the notes of the client's electrolysis sessions (and the signed text's copy of them)
and the text of their addenda, under the sealed erasure record; the counts and settings stay. Verify
re-checks the area rows of each signed electrolysis session against what was signed.
"""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.urls import reverse

from pinpoint.web.audit.models import Seal
from pinpoint.web.clients.models import Client
from pinpoint.web.electrolysis import actions
from pinpoint.web.electrolysis.models import AreaRecord, Course, ElectrolysisAddendum, Session
from pinpoint.web.exports.erasure import erase_client
from pinpoint.web.records.verify import verify_all
from tests.web.conftest import World
from tests.web.test_electrolysis import _entry
from tests.web.test_web_seals import _unguard

pytestmark = pytest.mark.django_db

NOTES = "Her sister Ingrid drove her in, ZQX-el-note"
ADDENDUM = "Called from her office in Vienna, ZQX-el-addendum"


def _hedy(w: World) -> Client:
    return Client.objects.get(organization=w.clinic, full_name="Hedy Lamarr")


def _signed_with_notes(w: World) -> Session:
    prac = w.actor(w.practitioner)
    course = Course.objects.filter(client=_hedy(w)).earliest("pk")
    session = actions.start_session(prac, course)
    actions.record_area(prac, session, _entry(hairs_removed=40, insertions=40, minutes=15.0))
    signed = actions.sign_session(prac, session, notes=NOTES)
    actions.add_addendum(prac, signed, ADDENDUM)
    return signed


def _text_of_electrolysis_and_audit() -> str:
    with connection.cursor() as cur:
        out = []
        for table in ("electrolysis_session", "electrolysis_arearecord", "electrolysis_electrolysisaddendum",
                      "electrolysis_course", "audit_auditevent"):  # fmt: skip
            cur.execute(f"SELECT * FROM {table}")  # noqa: S608 - table names are constants
            out.append(json.dumps(cur.fetchall(), default=str))
    return "\n".join(out)


def _problems() -> list[tuple[str, object]]:
    return [(r.name, r.problem) for r in verify_all() if r.problem is not None]


def test_erasure_blanks_electrolysis_notes_and_addenda_and_the_chains_verify(world: World) -> None:
    signed = _signed_with_notes(world)
    hedy = _hedy(world)
    assert NOTES in signed.signed_content
    text = _text_of_electrolysis_and_audit()
    assert NOTES in text and ADDENDUM in text
    areas_before = list(AreaRecord.objects.filter(session__client=hedy).order_by("pk").values_list())
    hash_before = signed.content_hash

    erasure = erase_client(world.actor(world.owner), hedy.pk, "The client's request of 4 March")

    text = _text_of_electrolysis_and_audit()
    assert NOTES not in text and ADDENDUM not in text and "ZQX" not in text
    after = Session.objects.get(pk=signed.pk)
    assert (after.notes, after.content_hash, after.status) == ("", hash_before, "signed")
    assert json.loads(after.signed_content)["session"]["notes"] == ""
    assert ElectrolysisAddendum.objects.get(session=signed).text == ""
    assert list(AreaRecord.objects.filter(session__client=hedy).order_by("pk").values_list()) == areas_before
    listed = {(e["table"], e["record"], e["field"]) for e in erasure.fields}
    addendum = ElectrolysisAddendum.objects.get(session=signed)
    assert {
        ("electrolysis_session", signed.pk, "notes"),
        ("electrolysis_session", signed.pk, "signed_content"),
        ("electrolysis_electrolysisaddendum", addendum.pk, "text"),
    } <= listed
    assert _problems() == []
    page = world.login(world.owner).get(reverse("electrolysis:session", args=[signed.pk])).content.decode()
    assert "Altered" not in page


def test_an_area_record_changed_with_its_trigger_gone_is_named_by_verify(world: World) -> None:
    signed = _signed_with_notes(world)
    assert _problems() == []
    area = AreaRecord.objects.get(session=signed)
    _unguard("electrolysis_arearecord")
    with connection.cursor() as cur:
        cur.execute("UPDATE electrolysis_arearecord SET hairs_removed = 400 WHERE id = %s", [area.pk])
    report = next(r for r in verify_all() if r.organization_id == world.clinic.pk)
    seq = Seal.objects.get(kind="electrolysis_session", record_id=signed.pk).seq
    assert report.problem is not None
    assert (report.problem.table, report.problem.record_id, report.problem.seq, report.problem.what) == (
        "electrolysis_session",
        signed.pk,
        seq,
        "the electrolysis session's area records differ from what was signed",
    )
