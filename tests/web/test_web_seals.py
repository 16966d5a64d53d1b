"""Sealed records: every attack on the stored record is refused by the database or named by ``verify``.

Each attack runs inside the test's transaction (rolled back afterwards), as someone with direct
database access would: raw SQL, dropped or disabled triggers, replica mode, TRUNCATE.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import DatabaseError, connection, models, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from pinpoint.cli import records as cli_records
from pinpoint.core.records import canonical_json, content_sha256
from pinpoint.core.seals import GENESIS, seal_content
from pinpoint.web.accounts.models import Organization
from pinpoint.web.audit.actions import Event, record_event
from pinpoint.web.audit.chains import chain_heads, check_record
from pinpoint.web.audit.models import AuditEvent, RecordView, Seal, SealChain, SealedRecordError, row_values
from pinpoint.web.audit.sealkey import seal_key
from pinpoint.web.clients.models import Questionnaire
from pinpoint.web.consents.actions import withdraw_consent
from pinpoint.web.consents.models import Consent
from pinpoint.web.electrolysis.models import ElectrolysisAddendum
from pinpoint.web.electrolysis.models import Session as ElectrolysisSession
from pinpoint.web.outcomes.models import AdverseEvent, AdverseEventUpdate
from pinpoint.web.photos.models import Photo
from pinpoint.web.records.verify import verify_all
from pinpoint.web.treatments.actions import add_addendum
from pinpoint.web.treatments.models import Addendum, Session, ZoneRecord
from pinpoint.web.treatments.signing import signed_content
from tests.cli_helpers import cli
from tests.web.conftest import World
from tests.web.test_web_sessions import _started, runner_post

TABLES = {
    "session": "treatments_session",
    "addendum": "treatments_addendum",
    "consent": "consents_consent",
    "consent_withdrawal": "consents_consent",
    "questionnaire": "clients_questionnaire",
    "audit_event": "audit_auditevent",
    "record_view": "audit_recordview",
}
PG = pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL only")
SQLITE = pytest.mark.skipif("connection.vendor != 'sqlite'", reason="SQLite only")


def _unguard(table: str) -> None:
    """What a database owner can do: drop (SQLite) or disable (PostgreSQL) every trigger on ``table``."""
    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            cur.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [table])
            for (name,) in cur.fetchall():
                cur.execute(f"DROP TRIGGER {name}")
        else:
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending foreign-key checks hold the table
            cur.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")


def _sql(sql: str, params: list[Any] | None = None) -> None:
    with connection.cursor() as cur:
        cur.execute(sql, params or [])


def _refused(sql: str, params: list[Any] | None = None) -> None:
    with pytest.raises(DatabaseError), transaction.atomic():
        _sql(sql, params)


def _report(org: Organization) -> Any:
    return next(r for r in verify_all() if r.organization_id == org.pk)


def _broken(org: Organization) -> tuple[str, int | None, int | None, str]:
    p = _report(org).problem
    assert p is not None
    return (p.table, p.record_id, p.seq, p.what)


def _seq(kind: str, record_id: int) -> int:
    return Seal.objects.get(kind=kind, record_id=record_id).seq


def _page(world: World, session: Session) -> bytes:
    return world.login(world.owner).get(reverse("treatments:session", args=[session.pk])).content


def _rewrite_notes_like_an_attacker(session_id: int, notes: str) -> None:
    """Change the notes, then recompute the plain signed text and SHA-256 (no key is needed for that)."""
    _sql("UPDATE treatments_session SET notes = %s WHERE id = %s", [notes, session_id])
    s = Session.objects.get(pk=session_id)
    content = signed_content(s, ZoneRecord.objects.filter(session=s))
    _sql(
        "UPDATE treatments_session SET signed_content = %s, content_hash = %s WHERE id = %s",
        [canonical_json(content), content_sha256(content), session_id],
    )


# --- what is sealed, and the chains hold after the demo ---------------------------------------------


def _sealed_rows(org: Organization) -> int:
    """How many rows of ``org`` must carry a seal, counted from the record tables themselves."""
    return (
        Session.objects.filter(organization=org, status="signed").count()
        + Addendum.objects.filter(organization=org).count()
        + Consent.objects.filter(organization=org).count()
        + Consent.objects.filter(organization=org, withdrawn_at__isnull=False).count()
        + Questionnaire.objects.filter(organization=org).count()
        + AuditEvent.objects.filter(organization=org).count()
        + RecordView.objects.filter(organization=org).count()
        + Photo.objects.filter(organization=org).count()
        + ElectrolysisSession.objects.filter(organization=org, status="signed").count()
        + ElectrolysisAddendum.objects.filter(organization=org).count()
        + AdverseEvent.objects.filter(organization=org).count()
        + AdverseEventUpdate.objects.filter(organization=org).count()
    )


def test_every_chain_of_the_demo_holds_and_counts_every_sealed_row(world: World) -> None:
    reports = verify_all()
    assert [(r.organization_id, r.problem) for r in reports] == [(world.clinic.pk, None), (world.home.pk, None)]
    for r, org in zip(reports, (world.clinic, world.home), strict=True):
        assert r.count == _sealed_rows(org) > 0
        assert (r.head.seq, r.head.organization_id) == (r.count, org.pk)
    assert [(h.organization_id, h.seq) for h in chain_heads()] == [(r.organization_id, r.count) for r in reports]


def test_signing_seals_the_session_and_its_audit_event_and_the_page_says_verified(world: World) -> None:
    s = _started(world)
    client = world.login(world.practitioner)
    head = SealChain.objects.get(organization=world.clinic).seq
    client.post(reverse("treatments:run", args=[s.pk]), runner_post(world.ada_course, "sign"))
    event = AuditEvent.objects.get(action="session.sign", target_type="treatments.session", target_id=s.pk)
    after = Seal.objects.filter(organization=world.clinic, seq__gt=head).order_by("seq")
    assert list(after.values_list("kind", "record_id")) == [("session", s.pk), ("audit_event", event.pk)]
    page = _page(world, s)
    assert b'<p class="ok" id="hash-ok">Seal verified: this record is exactly as it was signed.</p>' in page
    assert b'id="seal-ok"' in page


def test_a_seal_is_an_hmac_of_the_row_chained_to_the_seal_before(world: World) -> None:
    consent = world.consent
    seal = Seal.objects.get(kind="consent", record_id=consent.pk)
    before = Seal.objects.get(organization=world.clinic, seq=seal.seq - 1) if seal.seq > 1 else None
    assert seal.prev_digest == (before.digest if before else GENESIS)
    content = seal_content("consent", consent.pk, row_values(consent), seal_key())
    assert "signed_name" not in content  # personal: only its keyed digest is sealed
    link = {
        "organization": world.clinic.pk,
        "seq": seal.seq,
        "prev": seal.prev_digest,
        "kind": "consent",
        "record": consent.pk,
        "content": content,
    }
    expected = hmac.new(seal_key(), canonical_json(link).encode(), hashlib.sha256).hexdigest()
    assert seal.digest == expected


def test_sealing_one_record_costs_three_queries(world: World) -> None:
    actor = world.actor(world.owner)
    with CaptureQueriesContext(connection) as ctx:
        record_event(actor, Event.CLIENT_UPDATE, world.ada, client=world.ada)
    # the event, then: lock the chain head, insert the seal, move the head
    assert len(ctx.captured_queries) == 4


# --- the attacks --------------------------------------------------------------------------------------


@SQLITE
def test_insert_or_replace_over_a_signed_session_is_refused_and_caught_without_its_trigger(world: World) -> None:
    s = world.signed
    with connection.cursor() as cur:
        cur.execute("PRAGMA table_info(treatments_session)")
        cols = [row[1] for row in cur.fetchall()]
    picked = ", ".join("'rewritten'" if c == "notes" else c for c in cols)
    replace = f"INSERT OR REPLACE INTO treatments_session ({', '.join(cols)}) SELECT {picked} FROM treatments_session WHERE id = %s"  # noqa: E501, S608
    _refused(replace, [s.pk])
    _unguard("treatments_session")
    _sql(replace, [s.pk])
    s2 = Session.objects.get(pk=s.pk)
    content = signed_content(s2, ZoneRecord.objects.filter(session=s2))
    _sql(
        "UPDATE treatments_session SET signed_content = %s, content_hash = %s WHERE id = %s",
        [canonical_json(content), content_sha256(content), s.pk],
    )
    assert Session.objects.get(pk=s.pk).notes == "rewritten"
    assert b'id="hash-bad"' in _page(world, s)
    assert _broken(world.clinic) == (
        "treatments_session",
        s.pk,
        _seq("session", s.pk),
        "the row differs from what was sealed",
    )


def test_a_rewrite_with_the_trigger_gone_and_the_sha_recomputed_is_altered(world: World) -> None:
    s = world.signed
    assert b'id="hash-ok"' in _page(world, s)
    _unguard("treatments_session")
    _rewrite_notes_like_an_attacker(s.pk, "rewritten afterwards")
    assert b'id="hash-bad"' in _page(world, s)
    assert b"Altered: this record has changed since it was signed" in _page(world, s)
    assert b"Seal verified" not in _page(world, s)
    assert check_record(Session.objects.get(pk=s.pk), "session") == "this record no longer matches its seal"
    assert _broken(world.clinic) == (
        "treatments_session",
        s.pk,
        _seq("session", s.pk),
        "the row differs from what was sealed",
    )


def test_a_zone_record_changed_with_its_trigger_gone_is_named(world: World) -> None:
    s = world.signed
    _unguard("treatments_zonerecord")
    _sql("UPDATE treatments_zonerecord SET depth_mm = 0.5 WHERE session_id = %s", [s.pk])
    assert b'id="hash-bad"' in _page(world, s)
    what = "the session's zone records differ from what was signed"
    assert _broken(world.clinic) == ("treatments_session", s.pk, _seq("session", s.pk), what)


def test_a_deleted_audit_event_is_named(world: World) -> None:
    _refused("DELETE FROM audit_auditevent WHERE organization_id = %s", [world.clinic.pk])
    first = AuditEvent.objects.filter(organization=world.clinic).order_by("pk").first()
    assert first is not None
    _unguard("audit_auditevent")
    _sql("DELETE FROM audit_auditevent WHERE id = %s", [first.pk])
    assert _broken(world.clinic) == (
        "audit_auditevent",
        first.pk,
        _seq("audit_event", first.pk),
        "the sealed row is missing",
    )
    assert _report(world.home).problem is None  # another organization's chain is not affected


def test_a_forged_row_inserted_without_a_seal_is_named(world: World) -> None:
    q = world.questionnaire
    _sql(
        "INSERT INTO clients_questionnaire (organization_id, client_id, taken_on, answers, evidence_version,"
        " recorded_by_id, created_at) SELECT organization_id, client_id, taken_on, %s, evidence_version,"
        " recorded_by_id, created_at FROM clients_questionnaire WHERE id = %s",
        [json.dumps(dict(q.answers, pregnant=True)), q.pk],
    )
    forged = Questionnaire.objects.latest("pk")
    assert _broken(world.clinic) == ("clients_questionnaire", forged.pk, None, "the row has no seal")


def test_a_questionnaire_changed_with_its_trigger_gone_is_named(world: World) -> None:
    q = world.questionnaire
    _refused("UPDATE clients_questionnaire SET answers = %s WHERE id = %s", ['{"pregnant": true}', q.pk])
    _unguard("clients_questionnaire")
    _sql(
        "UPDATE clients_questionnaire SET answers = %s WHERE id = %s",
        [json.dumps(dict(q.answers, pregnant=True)), q.pk],
    )
    what = "the row differs from what was sealed"
    assert _broken(world.clinic) == ("clients_questionnaire", q.pk, _seq("questionnaire", q.pk), what)


def test_reordered_seals_are_named(world: World) -> None:
    seals = list(Seal.objects.filter(organization=world.clinic).order_by("seq")[:2])
    _refused("UPDATE audit_seal SET seq = seq + 1000 WHERE id = %s", [seals[0].pk])
    _unguard("audit_seal")
    _sql("UPDATE audit_seal SET seq = 1000000 WHERE id = %s", [seals[0].pk])
    _sql("UPDATE audit_seal SET seq = %s WHERE id = %s", [seals[0].seq, seals[1].pk])
    _sql("UPDATE audit_seal SET seq = %s WHERE id = %s", [seals[1].seq, seals[0].pk])
    what = "the seal does not follow the one before it"
    assert _broken(world.clinic) == (TABLES[seals[1].kind], seals[1].record_id, 1, what)


def test_a_deleted_tail_is_caught_by_the_chain_head_and_a_rewritten_head_by_the_saved_heads(world: World) -> None:
    saved = {h.organization_id: h for h in chain_heads()}[world.clinic.pk]
    last = Seal.objects.filter(organization=world.clinic).order_by("-seq").first()
    assert last is not None
    _unguard("audit_seal")
    _sql("DELETE FROM audit_seal WHERE id = %s", [last.pk])
    assert _broken(world.clinic) == (TABLES[last.kind], last.record_id, None, "the row has no seal")
    _unguard(TABLES[last.kind])
    _sql(f"DELETE FROM {TABLES[last.kind]} WHERE id = %s", [last.record_id])  # noqa: S608 - a fixed table name
    what = f"the chain head names seal {last.seq}, but the last seal is {last.seq - 1}"
    assert _broken(world.clinic) == ("audit_sealchain", world.clinic.pk, last.seq, what)
    _unguard("audit_sealchain")  # someone who also moves the head back
    _sql(
        "UPDATE audit_sealchain SET seq = seq - 1, digest = %s WHERE organization_id = %s",
        [last.prev_digest, world.clinic.pk],
    )
    assert _report(world.clinic).problem is None  # the chain alone cannot tell ...
    report = next(r for r in verify_all([saved]) if r.organization_id == world.clinic.pk)
    assert report.problem is not None  # ... the head saved earlier can
    assert (report.problem.seq, report.problem.what) == (saved.seq, f"seal {saved.seq} of the saved head is gone")


def test_a_consent_may_be_withdrawn_once_and_the_withdrawal_is_sealed(world: World) -> None:
    c = world.consent
    _refused("UPDATE consents_consent SET signed_name = 'Someone Else' WHERE id = %s", [c.pk])
    _refused("UPDATE consents_consent SET withdrawal_reason = 'x' WHERE id = %s", [c.pk])  # not a withdrawal
    withdraw_consent(world.actor(world.practitioner), c, "changed her mind", timezone.now())
    assert Seal.objects.filter(kind="consent_withdrawal", record_id=c.pk).count() == 1
    assert _report(world.clinic).problem is None
    _refused("UPDATE consents_consent SET withdrawal_reason = 'other words' WHERE id = %s", [c.pk])
    _refused("UPDATE consents_consent SET withdrawn_at = NULL WHERE id = %s", [c.pk])
    _unguard("consents_consent")
    _sql("UPDATE consents_consent SET withdrawal_reason = 'other words' WHERE id = %s", [c.pk])
    what = "the row differs from what was sealed"
    assert _broken(world.clinic) == ("consents_consent", c.pk, _seq("consent_withdrawal", c.pk), what)


@PG
@pytest.mark.parametrize(
    "table",
    [
        "treatments_session",
        "treatments_zonerecord",
        "treatments_addendum",
        "consents_consent",
        "clients_questionnaire",
        "audit_auditevent",
        "audit_recordview",
        "audit_seal",
        "audit_sealchain",
    ],
)
def test_truncate_is_refused_on_postgresql(world: World, table: str) -> None:
    _refused(f"TRUNCATE {table} CASCADE")


@PG
def test_replica_mode_gets_past_the_triggers_and_verify_names_the_row(world: World) -> None:
    c = world.consent
    _sql("SET LOCAL session_replication_role = replica")
    _sql("UPDATE consents_consent SET signed_name = 'Someone Else' WHERE id = %s", [c.pk])
    _sql("SET LOCAL session_replication_role = origin")
    what = "the row differs from what was sealed"
    assert _broken(world.clinic) == ("consents_consent", c.pk, _seq("consent", c.pk), what)


@PG
def test_disabled_triggers_get_past_and_verify_names_the_row(world: World) -> None:
    s = world.signed
    _sql("ALTER TABLE treatments_session DISABLE TRIGGER ALL")
    _rewrite_notes_like_an_attacker(s.pk, "rewritten with the triggers disabled")
    assert _broken(world.clinic) == (
        "treatments_session",
        s.pk,
        _seq("session", s.pk),
        "the row differs from what was sealed",
    )


# --- the ORM's bulk paths -----------------------------------------------------------------------------


def _sealed_querysets(world: World) -> Iterator[tuple[str, models.QuerySet[Any], str]]:
    add_addendum(world.actor(world.practitioner), world.signed, "Seen again: healing well.")
    yield "session", Session.objects.filter(pk=world.signed.pk), "notes"
    yield "zone record", ZoneRecord.objects.filter(session=world.signed), "notes"
    yield "addendum", Addendum.objects.filter(session=world.signed), "text"
    yield "consent", Consent.objects.filter(pk=world.consent.pk), "signed_name"
    yield "questionnaire", Questionnaire.objects.filter(pk=world.questionnaire.pk), "evidence_version"
    yield "audit event", AuditEvent.objects.filter(organization=world.clinic), "action"
    yield "record view", RecordView.objects.all(), "what"
    yield "seal", Seal.objects.filter(organization=world.clinic), "kind"
    yield "chain head", SealChain.objects.all(), "digest"


def test_bulk_orm_changes_are_refused_on_every_sealed_model(world: World) -> None:
    RecordView.objects.create(organization=world.clinic, user=world.owner, client=world.ada, what="timeline")
    before = {h.organization_id: h for h in chain_heads()}
    refused = []
    for name, qs, field in _sealed_querysets(world):
        objs = list(qs)
        assert objs, name
        with pytest.raises(SealedRecordError):
            qs.update(**{field: "changed"})
        with pytest.raises(SealedRecordError):
            qs.delete()
        with pytest.raises(SealedRecordError):
            qs.model._default_manager.bulk_update(objs, [field])
        refused.append(name)
    assert len(refused) == 9
    assert _report(world.clinic).problem is None
    assert {h.organization_id: h for h in chain_heads()}[world.home.pk] == before[world.home.pk]


def test_single_rows_refuse_change_and_delete(world: World) -> None:
    q = Questionnaire.objects.get(pk=world.questionnaire.pk)
    event = AuditEvent.objects.filter(organization=world.clinic).first()
    assert event is not None
    for obj in (q, event, Seal.objects.first()):
        assert obj is not None
        with pytest.raises(SealedRecordError):
            obj.save()
        with pytest.raises(SealedRecordError):
            obj.delete()


# --- pinpoint verify ----------------------------------------------------------------------------------


@pytest.fixture
def in_process(monkeypatch: Any) -> None:
    """Run ``pinpoint verify`` against the test database (Django is already set up)."""
    monkeypatch.setattr(cli_records, "_setup", lambda: None)


def _ok_line(org: Organization) -> str:
    count = _sealed_rows(org)
    head = Seal.objects.get(organization=org, seq=count)
    return f"organization {org.pk} ({org.name}): ok, {count} sealed records, head {count} {head.digest}"


def test_verify_prints_ok_per_organization_and_exits_0(world: World, capsys: Any, in_process: None) -> None:
    code, out, err = cli(capsys, "verify")
    assert (code, err) == (0, "")
    assert out.splitlines() == [_ok_line(world.clinic), _ok_line(world.home)]


def test_verify_names_the_first_broken_row_and_exits_1(world: World, capsys: Any, in_process: None) -> None:
    s = world.signed
    _unguard("treatments_session")
    _rewrite_notes_like_an_attacker(s.pk, "rewritten")
    code, out, err = cli(capsys, "verify")
    assert (code, err) == (1, "")
    assert out.splitlines() == [
        f"organization {world.clinic.pk} (Demo Clinic): BROKEN at treatments_session id {s.pk} "
        f"(seal {_seq('session', s.pk)}): the row differs from what was sealed",
        _ok_line(world.home),
    ]
    code, out, _ = cli(capsys, "verify", "--json")
    assert code == 1
    data = json.loads(out)
    assert data["ok"] is False
    assert data["organizations"][0]["problem"] == {
        "table": "treatments_session",
        "id": s.pk,
        "seal": _seq("session", s.pk),
        "what": "the row differs from what was sealed",
    }
    assert data["organizations"][1]["ok"] is True
    code, out, err = cli(capsys, "verify", "--head")
    assert (code, out) == (1, "")  # no heads written from a broken chain
    assert "BROKEN at treatments_session" in err


def test_verify_head_then_against(world: World, capsys: Any, in_process: None, tmp_path: Path) -> None:
    code, out, err = cli(capsys, "verify", "--head")
    assert (code, err) == (0, "")
    heads = json.loads(out)
    assert heads == {
        "format": "pinpoint-chain-heads/1",
        "heads": [{"organization": h.organization_id, "seq": h.seq, "digest": h.digest} for h in chain_heads()],
    }
    saved = tmp_path / "heads.json"
    saved.write_text(out)
    assert cli(capsys, "verify", "--against", str(saved))[0] == 0
    heads["heads"][0]["digest"] = "f" * 64
    saved.write_text(json.dumps(heads))
    code, out, _ = cli(capsys, "verify", "--against", str(saved))
    seq = heads["heads"][0]["seq"]
    assert code == 1
    assert f"(seal {seq}): seal {seq} differs from the saved head: the chain was rewritten up to there" in out
    saved.write_text("{not json")
    code, out, err = cli(capsys, "verify", "--against", str(saved))
    assert (code, out) == (2, "")
    assert err.startswith(
        f"pinpoint: error: --against: '{saved}' is not a chain-heads file from `pinpoint verify --head`"
    )
    assert len(err.splitlines()) == 1


def _run(args: list[str], data_dir: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "PINPOINT_PROFILE", "PINPOINT_SEAL_KEY"}}
    return subprocess.run(
        [str(Path(sys.executable).parent / "pinpoint"), *args],
        env=clean | {"PINPOINT_DATA_DIR": str(data_dir)} | (env or {}),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@SQLITE
def test_verify_reads_what_serve_wrote_and_exits_2_on_user_errors(tmp_path: Path) -> None:
    missing = _run(["verify"], tmp_path)
    assert (missing.returncode, missing.stdout) == (2, "")
    assert (
        missing.stderr
        == f"pinpoint: error: no database at {tmp_path / 'pinpoint.sqlite3'}; `pinpoint serve` creates it\n"
    )
    assert _run(["serve", "--prepare-only"], tmp_path).returncode == 0
    key = tmp_path / "seal.key"
    assert key.stat().st_mode & 0o777 == 0o600
    ok = _run(["verify"], tmp_path)
    assert (ok.returncode, ok.stderr) == (0, "")
    assert [line.split(": ok, ")[0] for line in ok.stdout.splitlines()] == [
        "organization 1 (Demo Clinic)",
        "organization 2 (Hana's space)",
    ]
    wrong_key = _run(["verify"], tmp_path, {"PINPOINT_SEAL_KEY": "another-key-of-at-least-32-characters"})
    assert wrong_key.returncode == 1
    assert "BROKEN at " in wrong_key.stdout
    key.rename(tmp_path / "elsewhere.key")
    no_key = _run(["verify"], tmp_path)
    assert (no_key.returncode, no_key.stdout) == (2, "")
    assert no_key.stderr == f"pinpoint: error: no seal key: set PINPOINT_SEAL_KEY or put the key file at {key}\n"
    (tmp_path / "elsewhere.key").rename(key)
    with sqlite3.connect(tmp_path / "pinpoint.sqlite3") as con:
        guards = con.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'clients_questionnaire'"
        )
        for (name,) in guards.fetchall():
            con.execute(f"DROP TRIGGER {name}")
        con.execute("UPDATE clients_questionnaire SET answers = '{}' WHERE id = 1")
    broken = _run(["verify"], tmp_path)
    assert broken.returncode == 1
    assert broken.stdout.splitlines()[0].startswith(
        "organization 1 (Demo Clinic): BROKEN at clients_questionnaire id 1 (seal "
    )
    assert broken.stdout.splitlines()[0].endswith("): the row differs from what was sealed")


@SQLITE
def test_verify_names_a_dropped_sealed_table_as_broken(tmp_path: Path) -> None:
    assert _run(["serve", "--prepare-only"], tmp_path).returncode == 0
    with sqlite3.connect(tmp_path / "pinpoint.sqlite3") as con:
        con.execute("PRAGMA foreign_keys = OFF")
        con.execute("DROP TABLE consents_consent")
    broken = _run(["verify"], tmp_path)
    assert (broken.returncode, broken.stderr) == (1, "")
    assert broken.stdout == "BROKEN at consents_consent: the table is gone: every sealed record it held was deleted\n"
    as_json = _run(["verify", "--json"], tmp_path)
    assert as_json.returncode == 1
    assert json.loads(as_json.stdout)["missing_tables"] == [
        {"table": "consents_consent", "what": "the table is gone: every sealed record it held was deleted"}
    ]
    empty = tmp_path / "never-migrated"
    empty.mkdir()
    sqlite3.connect(empty / "pinpoint.sqlite3").close()
    unmigrated = _run(["verify"], empty)
    assert unmigrated.returncode == 2
    assert unmigrated.stderr.startswith("pinpoint: error: ")


# --- bulk_create seals what it inserts ----------------------------------------------------------------


def test_bulk_create_seals_every_row_in_the_order_given_and_the_chain_holds(world: World) -> None:
    q = world.questionnaire
    head = SealChain.objects.get(organization=world.clinic).seq
    made = Questionnaire.objects.bulk_create(
        [
            Questionnaire(
                organization=world.clinic,
                client=client,
                taken_on=q.taken_on,
                answers=q.answers,
                evidence_version=q.evidence_version,
                recorded_by=world.practitioner,
            )
            for client in (world.mary, world.grace, world.ada)
        ]
    )
    events = AuditEvent.objects.bulk_create(
        [
            AuditEvent(organization=org, actor=user, action="client.view", target_type="clients.client", target_id=c.pk)
            for org, user, c in ((world.home, world.home_user, world.me), (world.clinic, world.owner, world.ada))
        ]
    )
    after = Seal.objects.filter(organization=world.clinic, seq__gt=head).order_by("seq")
    assert list(after.values_list("seq", "kind", "record_id")) == [
        (head + 1, "questionnaire", made[0].pk),
        (head + 2, "questionnaire", made[1].pk),
        (head + 3, "questionnaire", made[2].pk),
        (head + 4, "audit_event", events[1].pk),
    ]
    assert Seal.objects.filter(organization=world.home, kind="audit_event", record_id=events[0].pk).exists()
    assert [r.problem for r in verify_all()] == [None, None]
    assert _report(world.clinic).count == _sealed_rows(world.clinic) == head + 4


def test_bulk_created_sessions_are_sealed_once_signed(world: World) -> None:
    signed = Session.objects.get(pk=world.signed.pk)
    booked = Session.objects.get(pk=world.today_session.pk)
    copies = []
    top = Session.objects.order_by("-pk").values_list("pk", flat=True)[0]
    for i, source in enumerate((signed, booked)):
        copy = Session.objects.get(pk=source.pk)
        copy.pk, copy.number = top + 1 + i, 90 + i
        if copy.is_signed:  # signed without zones, as the load benchmark builds its sessions
            content = signed_content(copy, [])
            copy.signed_content, copy.content_hash = canonical_json(content), content_sha256(content)
        copies.append(copy)
    made = Session.objects.bulk_create(copies)
    assert [Seal.objects.filter(kind="session", record_id=s.pk).count() for s in made] == [1, 0]
    assert _report(world.clinic).problem is None


def test_bulk_create_refuses_seals_chain_heads_and_skipping_or_overwriting(world: World) -> None:
    seal = Seal.objects.get(organization=world.clinic, seq=1)
    with pytest.raises(SealedRecordError, match=r"^Seal rows are written only by sealing a record$"):
        Seal.objects.bulk_create([Seal(organization=world.clinic, seq=10**6, kind="session", record_id=1)])
    with pytest.raises(SealedRecordError, match=r"^SealChain rows are written only by sealing a record$"):
        SealChain.objects.bulk_create([SealChain(organization=world.clinic)])
    event = AuditEvent(organization=world.clinic, action="client.view", target_type="clients.client")
    with pytest.raises(SealedRecordError, match="bulk_create may not skip or overwrite rows"):
        AuditEvent.objects.bulk_create([event], ignore_conflicts=True)
    assert Seal.objects.get(organization=world.clinic, seq=1) == seal
    assert _report(world.clinic).problem is None
