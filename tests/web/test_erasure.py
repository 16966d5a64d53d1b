"""Erasing a client: no personal value of theirs is left in any table or export, the chains still verify,
other clients are untouched, and the database lets only an erasure blank a sealed record's personal field."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from typing import Any

import pytest
from django.apps import apps
from django.db import DatabaseError, connection, transaction
from django.http import Http404
from django.utils import timezone

from pinpoint.core.errors import InputError
from pinpoint.web.audit.models import AuditEvent, Erasure, Seal
from pinpoint.web.base.errors import ConflictError
from pinpoint.web.clients.actions import ClientData, update_client
from pinpoint.web.clients.models import Client, Questionnaire
from pinpoint.web.consents.models import Consent
from pinpoint.web.exports.archive import write_zip
from pinpoint.web.exports.erasure import erase_client
from pinpoint.web.outcomes.actions import report_adverse_event, update_adverse_event
from pinpoint.web.outcomes.models import AdverseEvent, AdverseEventUpdate
from pinpoint.web.records.verify import verify_all
from pinpoint.web.treatments.actions import add_addendum, cancel_session
from pinpoint.web.treatments.models import Addendum, Session, ZoneRecord
from tests.web.conftest import World

PHONE = "+44 7700 900461"
NOTES = "Prefers the quiet room, ZQX-client-note"
ADDENDUM = "Called back about redness, ZQX-addendum"
CANCEL = "Away at her sister's, ZQX-cancel"
ACTION = "Cool compresses at her home in Marylebone, ZQX-adverse"
FOLLOW_UP = "Her husband William called: still red, ZQX-follow-up"


def _personal(w: World) -> list[str]:
    """Ada's personal values, made distinctive: none of them may survive her erasure."""
    owner = w.actor(w.owner)
    data = ClientData(
        full_name="Ada Lovelace", birth_date=dt.date(1985, 12, 10), email="ada@example.org", phone=PHONE, notes=NOTES
    )
    update_client(owner, w.ada, data)
    add_addendum(w.actor(w.practitioner), w.signed, ADDENDUM)
    booked = Session.objects.filter(client=w.ada, status=Session.Status.BOOKED).order_by("pk").first()
    assert booked is not None
    cancel_session(w.actor(w.practitioner), booked, CANCEL)
    event = report_adverse_event(w.actor(w.practitioner), w.signed, "pih", "mild", w.signed.date, ACTION)
    update_adverse_event(w.actor(w.practitioner), event, "ongoing", None, FOLLOW_UP)
    demo = AdverseEvent.objects.exclude(pk=event.pk).get(client=w.ada)  # the demo's resolved event
    texts = [demo.action_taken, *(u.note for u in demo.updates.all())]
    personal = ["Ada Lovelace", "Lovelace", "ada@example.org", "1985-12-10", PHONE, NOTES, ADDENDUM, CANCEL]
    return [*personal, ACTION, FOLLOW_UP, *texts]


def _models() -> list[Any]:
    """Every model whose table exists (history, admin log, sessions included)."""
    tables = set(connection.introspection.table_names())
    return [m for m in apps.get_models(include_auto_created=True) if m._meta.db_table in tables]


def _text_of_every_table() -> dict[str, str]:
    """Every row of every table, as text."""
    out = {}
    for model in _models():
        rows = model._base_manager.order_by().values_list()
        out[model._meta.db_table] = "\n".join(json.dumps(r, default=str, ensure_ascii=False) for r in rows)
    return out


def _rows_by_table() -> dict[str, dict[Any, tuple[Any, ...]]]:
    out = {}
    for model in _models():
        # keyed by the primary key: a history row's first column is the id of the row it copies
        columns = [f.attname for f in model._meta.concrete_fields]
        rows = model._base_manager.order_by().values_list("pk", *columns)
        out[model._meta.db_table] = {r[0]: r[1:] for r in rows}
    return out


def _ada_rows(w: World) -> dict[str, set[Any]]:
    """The rows erasure may change: Ada's own, and the history rows of them."""
    ada = w.ada
    own: dict[type[Any], set[Any]] = {
        Client: {ada.pk},
        Questionnaire: set(Questionnaire.objects.filter(client=ada).values_list("pk", flat=True)),
        Consent: set(Consent.objects.filter(client=ada).values_list("pk", flat=True)),
        Session: set(Session.objects.filter(client=ada).values_list("pk", flat=True)),
        ZoneRecord: set(ZoneRecord.objects.filter(session__client=ada).values_list("pk", flat=True)),
        Addendum: set(Addendum.objects.filter(session__client=ada).values_list("pk", flat=True)),
        AuditEvent: set(AuditEvent.objects.filter(client=ada).values_list("pk", flat=True)),
        AdverseEvent: set(AdverseEvent.objects.filter(client=ada).values_list("pk", flat=True)),
        AdverseEventUpdate: set(AdverseEventUpdate.objects.filter(event__client=ada).values_list("pk", flat=True)),
    }
    from pinpoint.web.treatments.models import Course

    own[Course] = set(Course.objects.filter(client=ada).values_list("pk", flat=True))
    out: dict[str, set[Any]] = {}
    for model, pks in own.items():
        out[model._meta.db_table] = pks
        history = getattr(model, "history", None)
        if history is not None:
            hist = history.model
            out[hist._meta.db_table] = set(hist.objects.filter(id__in=pks).values_list("pk", flat=True))
    return out


def test_erasure_leaves_no_personal_value_and_the_chains_verify(world: World) -> None:
    values = _personal(world)
    before_text = _text_of_every_table()
    assert all(any(v in text for text in before_text.values()) for v in values)  # the scan would see them
    before = _rows_by_table()
    allowed = _ada_rows(world)

    erasure = erase_client(world.actor(world.owner), world.ada.pk, "The client's written request of 2 March")

    after_text = _text_of_every_table()
    found = {(v, table) for v in values for table, text in after_text.items() if v in text}
    assert found == set()
    ada = Client.objects.get(pk=world.ada.pk)
    identity = (ada.full_name, ada.birth_date, ada.email, ada.phone, ada.notes)
    assert identity == (f"Erased client {ada.pk}", None, "", "", "")
    assert [q.answers.get("birth_date", "absent") for q in Questionnaire.objects.filter(client=ada)] == [None]
    assert set(Consent.objects.filter(client=ada).values_list("signed_name", flat=True)) == {""}
    signed = Session.objects.get(pk=world.signed.pk)
    assert (signed.notes, signed.content_hash) == ("", world.signed.content_hash)  # the hash of what was signed
    assert json.loads(signed.signed_content)["notes"] == ""
    assert [z.depth_mm for z in signed.zone_records.all()] == [z.depth_mm for z in world.signed.zone_records.all()]
    events = AdverseEvent.objects.filter(client=ada).order_by("pk")
    assert [(e.kind, e.severity, e.action_taken) for e in events] == [
        ("prolonged_erythema", "mild", ""),
        ("pih", "mild", ""),
    ]
    assert set(AdverseEventUpdate.objects.filter(event__client=ada).values_list("outcome", "note")) == {
        ("resolved", ""),
        ("ongoing", ""),
    }

    reports = verify_all()
    assert [(r.name, r.problem) for r in reports if r.problem is not None] == []
    assert Seal.objects.filter(kind="erasure", record_id=erasure.pk).count() == 1
    assert erasure.reason == "The client's written request of 2 March"
    assert {e["table"] for e in erasure.fields} >= {"clients_client", "clients_questionnaire", "treatments_session"}

    # Other clients and every other row: unchanged (new rows only in the audit trail and the chain).
    after = _rows_by_table()
    changed = {
        table: {pk for pk, row in rows.items() if after[table].get(pk) != row} for table, rows in before.items()
    }
    changed = {t: pks for t, pks in changed.items() if pks}
    assert set(changed) - {"audit_sealchain"} <= set(allowed)
    assert all(pks <= allowed[t] for t, pks in changed.items() if t != "audit_sealchain")
    added = {t for t, rows in after.items() if set(rows) - set(before[t])}
    assert added == {"audit_erasure", "audit_seal", "audit_auditevent"}


def test_the_export_after_erasure_holds_no_personal_value(world: World) -> None:
    values = _personal(world)
    erase_client(world.actor(world.owner), world.ada.pk, "Client's request")
    buf = io.BytesIO()
    write_zip(buf, world.clinic, now=timezone.now())
    with zipfile.ZipFile(buf) as zf:
        files = {name: zf.read(name) for name in zf.namelist()}
    texts = {name: data.decode("utf-8") for name, data in files.items() if not name.startswith("photos/")}
    assert {"fhir/bundle-r4b.json", "fhir/bundle-r5.json", "records/clients_client.json"} <= set(texts)
    # the erased client's photo files are left out of the export (the demo clinic's only photos are hers)
    assert [name for name in files if name.startswith("photos/")] == []
    assert {(v, n) for v in values for n, data in files.items() if v.encode("utf-8") in data} == set()
    bundle = json.loads(texts["fhir/bundle-r5.json"])
    patients = [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Patient"]
    erased = [p for p in patients if p["name"][0]["text"] == f"Erased client {world.ada.pk}"]
    assert len(erased) == 1
    assert erased[0]["active"] is False
    assert "birthDate" not in erased[0]
    assert "telecom" not in erased[0]


def test_erasure_is_refused_without_reason_twice_or_in_another_organization(world: World) -> None:
    owner = world.actor(world.owner)
    with pytest.raises(InputError) as exc:
        erase_client(owner, world.ada.pk, "  ")
    assert exc.value.field == "reason"
    with pytest.raises(Http404):
        erase_client(world.actor(world.home_user), world.ada.pk, "request")
    erase_client(owner, world.ada.pk, "request")
    with pytest.raises(ConflictError, match="already erased"):
        erase_client(owner, world.ada.pk, "request")
    assert Erasure.objects.count() == 1


def test_an_altered_record_is_not_erased(world: World) -> None:
    q = Questionnaire.objects.filter(client=world.ada).first()
    assert q is not None
    with connection.cursor() as cur:  # someone with the database's keys gets past the trigger
        if connection.vendor == "sqlite":
            cur.execute("DROP TRIGGER IF EXISTS pinpoint_clients_questionnaire_erase_only")
        else:
            cur.execute("ALTER TABLE clients_questionnaire DISABLE TRIGGER pinpoint_erase_only")
        cur.execute("UPDATE clients_questionnaire SET evidence_version = 'forged' WHERE id = %s", [q.pk])
    with pytest.raises(ConflictError, match="no longer matches its seal"):
        erase_client(world.actor(world.owner), world.ada.pk, "request")
    assert Erasure.objects.count() == 0


def _update(sql: str, params: list[Any]) -> None:
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(sql, params)


def test_the_database_lets_only_an_erasure_change_a_sealed_personal_field(world: World) -> None:
    q = Questionnaire.objects.filter(client=world.ada).first()
    assert q is not None
    with pytest.raises(DatabaseError):
        _update("UPDATE clients_questionnaire SET answers = '{}' WHERE id = %s", [q.pk])
    with pytest.raises(DatabaseError):
        _update("UPDATE treatments_session SET notes = '' WHERE id = %s", [world.signed.pk])
    erase_client(world.actor(world.owner), world.ada.pk, "request")
    # Listed fields may change now (the seal, not the trigger, pins their value) ...
    _update("UPDATE treatments_session SET notes = 'written back' WHERE id = %s", [world.signed.pk])
    problems = [r.problem for r in verify_all() if r.problem is not None]
    assert [(p.table, p.record_id, p.what) for p in problems] == [
        ("treatments_session", world.signed.pk, "the row differs from what was sealed")
    ]
    # ... and nothing else of a sealed row.
    with pytest.raises(DatabaseError):
        _update("UPDATE clients_questionnaire SET taken_on = '2001-01-01' WHERE id = %s", [q.pk])
    with pytest.raises(DatabaseError):
        _update("UPDATE treatments_session SET number = 99 WHERE id = %s", [world.signed.pk])
    other = Questionnaire.objects.exclude(client=world.ada).first()
    assert other is not None
    with pytest.raises(DatabaseError):
        _update("UPDATE clients_questionnaire SET answers = '{}' WHERE id = %s", [other.pk])


def test_writing_a_value_back_into_an_erased_field_breaks_the_seal(world: World) -> None:
    erase_client(world.actor(world.owner), world.ada.pk, "request")
    q = Questionnaire.objects.filter(client=world.ada).first()
    assert q is not None
    answers = {**q.answers, "birth_date": "1985-12-10"}
    _update("UPDATE clients_questionnaire SET answers = %s WHERE id = %s", [json.dumps(answers), q.pk])
    problems = [r.problem for r in verify_all() if r.problem is not None]
    assert [(p.table, p.record_id, p.what) for p in problems] == [
        ("clients_questionnaire", q.pk, "the row differs from what was sealed")
    ]


def test_the_database_lets_only_an_erasure_change_an_adverse_event_text(world: World) -> None:
    event = AdverseEvent.objects.get(client=world.ada)
    update = event.updates.get()
    with pytest.raises(DatabaseError):
        _update("UPDATE outcomes_adverseevent SET action_taken = '' WHERE id = %s", [event.pk])
    with pytest.raises(DatabaseError):
        _update("UPDATE outcomes_adverseeventupdate SET note = '' WHERE id = %s", [update.pk])
    erase_client(world.actor(world.owner), world.ada.pk, "request")
    assert (AdverseEvent.objects.get(pk=event.pk).action_taken, AdverseEventUpdate.objects.get(pk=update.pk).note) == (
        "",
        "",
    )
    assert [r.problem for r in verify_all() if r.problem is not None] == []
    with pytest.raises(DatabaseError):
        _update("UPDATE outcomes_adverseevent SET severity = 'severe' WHERE id = %s", [event.pk])
    with pytest.raises(DatabaseError):
        _update("UPDATE outcomes_adverseeventupdate SET outcome = 'ongoing' WHERE id = %s", [update.pk])
    with pytest.raises(DatabaseError):
        _update("DELETE FROM outcomes_adverseevent WHERE id = %s", [event.pk])
