# ruff: noqa: S608 - the SQL names tables and columns from the test's own list; values are parameters
"""Every sealed table against every attack: refused by the database, or named by ``verify`` with its row.

For each sealed table (a row the demo or the test writes through the app), as someone with direct
database access would, inside the test's transaction (rolled back afterwards):

- with the guards in place: a raw UPDATE, a raw DELETE, a replacing insert (SQLite ``INSERT OR
  REPLACE``, PostgreSQL ``INSERT ... ON CONFLICT DO UPDATE``) and, on PostgreSQL, ``TRUNCATE`` are
  each refused by the database;
- with the guards gone (SQLite: triggers dropped; PostgreSQL: ``ALTER TABLE ... DISABLE TRIGGER ALL``),
  with the triggers dropped and created again afterwards (SQLite), and in replica mode (PostgreSQL),
  an UPDATE and a DELETE each get through and ``verify`` names the table, the row and its seal;
- a forged row inserted beside the real ones is refused or named by ``verify`` as unsealed.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from pinpoint.web.audit.models import AuditEvent, Erasure, RecordView, Seal
from pinpoint.web.consents.actions import withdraw_consent
from pinpoint.web.electrolysis import actions as el_actions
from pinpoint.web.electrolysis.models import Session as ElSession
from pinpoint.web.exports.erasure import erase_client
from pinpoint.web.outcomes.models import AdverseEvent, AdverseEventLot, AdverseEventUpdate
from pinpoint.web.photos.models import Photo
from pinpoint.web.records.verify import verify_all
from pinpoint.web.treatments.actions import add_addendum
from pinpoint.web.treatments.models import ZoneRecord
from tests.web.conftest import World

PG = connection.vendor == "postgresql"


@dataclass(frozen=True)
class Target:
    """One sealed row: its table and id, a column to change, and the sealed record ``verify`` names."""

    table: str
    pk: int
    column: str
    value: Any
    kind: str  # the seal naming it
    sealed_table: str  # what verify names: the row itself, or the signed record it belongs to
    sealed_pk: int
    changed: str  # verify's words for a change
    deleted: str  # and for a deletion
    deleted_kind: str = ""  # the seal a deletion breaks first, when not ``kind``


DIFFERS = "the row differs from what was sealed"
MISSING = "the sealed row is missing"


def _signed_electrolysis(world: World) -> ElSession:
    return ElSession.objects.filter(organization=world.clinic, status="signed").order_by("pk").first()  # type: ignore[return-value]


def _targets(world: World) -> dict[str, Target]:
    """One row of every sealed table, written through the app where the demo has none."""
    practitioner = world.actor(world.practitioner)
    owner = world.actor(world.owner)
    s = world.signed
    zone = ZoneRecord.objects.filter(session=s).order_by("pk").first()
    addendum = add_addendum(practitioner, s, "Seen again: healing well.")
    es = _signed_electrolysis(world)
    area = es.areas.order_by("pk").first()
    el_addendum = el_actions.add_addendum(practitioner, es, "Checked the area again.")
    withdrawn = world.consent
    withdraw_consent(practitioner, withdrawn, "changed her mind", timezone.now())
    view = RecordView.objects.create(organization=world.clinic, user=world.owner, client=world.ada, what="timeline")
    event = AuditEvent.objects.filter(organization=world.clinic).order_by("pk").first()
    photo = Photo.objects.filter(organization=world.clinic).order_by("pk").first()
    adverse = AdverseEvent.objects.filter(organization=world.clinic).order_by("pk").first()
    update = AdverseEventUpdate.objects.filter(organization=world.clinic).order_by("pk").first()
    lot = AdverseEventLot.objects.filter(organization=world.clinic).order_by("pk").first()
    erasure = erase_client(owner, world.mary.pk, "asked to be forgotten")
    assert None not in (zone, area, event, photo, adverse, update, lot)
    assert zone and area and event and photo and adverse and update and lot
    sealed_zone = "the session's zone records differ from what was signed"
    sealed_area = "the electrolysis session's area records differ from what was signed"
    sealed_lots = "the report's lot rows differ from the lots it was sealed with"
    q = world.questionnaire
    return {
        "session": Target("treatments_session", s.pk, "notes", "rewritten", "session", "treatments_session", s.pk, DIFFERS, MISSING),  # noqa: E501
        "zone record": Target("treatments_zonerecord", zone.pk, "depth_mm", 2.5, "session", "treatments_session", s.pk, sealed_zone, sealed_zone),  # noqa: E501
        "addendum": Target("treatments_addendum", addendum.pk, "text", "other words", "addendum", "treatments_addendum", addendum.pk, DIFFERS, MISSING),  # noqa: E501
        "electrolysis session": Target("electrolysis_session", es.pk, "notes", "rewritten", "electrolysis_session", "electrolysis_session", es.pk, DIFFERS, MISSING),  # noqa: E501
        "electrolysis area": Target("electrolysis_arearecord", area.pk, "insertions", 9999, "electrolysis_session", "electrolysis_session", es.pk, sealed_area, sealed_area),  # noqa: E501
        "electrolysis addendum": Target("electrolysis_electrolysisaddendum", el_addendum.pk, "text", "other words", "electrolysis_addendum", "electrolysis_electrolysisaddendum", el_addendum.pk, DIFFERS, MISSING),  # noqa: E501
        "consent": Target("consents_consent", withdrawn.pk, "signed_name", "Someone Else", "consent", "consents_consent", withdrawn.pk, DIFFERS, MISSING),  # noqa: E501
        "consent withdrawal": Target("consents_consent", withdrawn.pk, "withdrawal_reason", "other words", "consent_withdrawal", "consents_consent", withdrawn.pk, DIFFERS, MISSING, "consent"),  # noqa: E501
        "questionnaire": Target("clients_questionnaire", q.pk, "taken_on", "2000-01-01", "questionnaire", "clients_questionnaire", q.pk, DIFFERS, MISSING),  # noqa: E501
        "audit event": Target("audit_auditevent", event.pk, "action", "client.view", "audit_event", "audit_auditevent", event.pk, DIFFERS, MISSING),  # noqa: E501
        "record view": Target("audit_recordview", view.pk, "what", "nothing", "record_view", "audit_recordview", view.pk, DIFFERS, MISSING),  # noqa: E501
        "photo": Target("photos_photo", photo.pk, "view", "left", "photo", "photos_photo", photo.pk, DIFFERS, MISSING),
        "adverse event": Target("outcomes_adverseevent", adverse.pk, "severity", "severe", "adverse_event", "outcomes_adverseevent", adverse.pk, DIFFERS, MISSING),  # noqa: E501
        "adverse event lot": Target("outcomes_adverseeventlot", lot.pk, "unit_id", world.roller.pk, "adverse_event", "outcomes_adverseevent", adverse.pk, sealed_lots, sealed_lots),  # noqa: E501
        "adverse event follow-up": Target("outcomes_adverseeventupdate", update.pk, "note", "other words", "adverse_event_update", "outcomes_adverseeventupdate", update.pk, DIFFERS, MISSING),  # noqa: E501
        "erasure": Target("audit_erasure", erasure.pk, "reason", "no reason", "erasure", "audit_erasure", erasure.pk, DIFFERS, MISSING),  # noqa: E501
    }  # fmt: skip


NAMES = [
    "session",
    "zone record",
    "addendum",
    "electrolysis session",
    "electrolysis area",
    "electrolysis addendum",
    "consent",
    "consent withdrawal",
    "questionnaire",
    "audit event",
    "record view",
    "photo",
    "adverse event",
    "adverse event lot",
    "adverse event follow-up",
    "erasure",
]


def _sql(sql: str, params: list[Any] | None = None) -> list[Any]:
    with connection.cursor() as cur:
        cur.execute(sql, params or [])
        return cur.fetchall() if cur.description else []


def _refused(sql: str, params: list[Any] | None = None) -> str:
    """Run ``sql`` expecting the database to refuse it; the refusal's first line."""
    with pytest.raises(DatabaseError) as caught, transaction.atomic():
        _sql(sql, params)
    return str(caught.value).splitlines()[0]


def _columns(table: str) -> list[str]:
    with connection.cursor() as cur:
        return [c.name for c in connection.introspection.get_table_description(cur, table)]


def _triggers(table: str) -> list[str]:
    """The CREATE statements of the table's triggers (SQLite)."""
    return [sql for (sql,) in _sql("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [table])]


def _unguard(table: str) -> None:
    """What a database owner can do: drop (SQLite) or disable (PostgreSQL) every trigger on ``table``."""
    if PG:
        _sql("SET CONSTRAINTS ALL IMMEDIATE")  # no pending foreign-key checks hold the table
        _sql(f"ALTER TABLE {table} DISABLE TRIGGER ALL")
        return
    for (name,) in _sql("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [table]):
        _sql(f"DROP TRIGGER {name}")


def _broken(world: World) -> tuple[str, int | None, int | None, str]:
    report = next(r for r in verify_all() if r.organization_id == world.clinic.pk)
    assert report.problem is not None, "verify found nothing"
    p = report.problem
    return (p.table, p.record_id, p.seq, p.what)


def _named(t: Target, what: str, kind: str = "") -> tuple[str, int, int, str]:
    return (t.sealed_table, t.sealed_pk, Seal.objects.get(kind=kind or t.kind, record_id=t.sealed_pk).seq, what)


def _update(t: Target) -> None:
    _sql(f"UPDATE {t.table} SET {t.column} = %s WHERE id = %s", [t.value, t.pk])


def _delete(t: Target) -> None:
    _sql(f"DELETE FROM {t.table} WHERE id = %s", [t.pk])


@pytest.fixture
def targets(world: World) -> dict[str, Target]:
    found = _targets(world)
    assert next(r for r in verify_all() if r.organization_id == world.clinic.pk).problem is None
    return found


# --- with the guards in place: refused --------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_update_delete_replace_and_truncate_are_refused(targets: dict[str, Target], name: str) -> None:
    t = targets[name]
    _refused(f"UPDATE {t.table} SET {t.column} = %s WHERE id = %s", [t.value, t.pk])
    _refused(f"DELETE FROM {t.table} WHERE id = %s", [t.pk])
    cols = _columns(t.table)
    picked = ", ".join("%s" if c == t.column else c for c in cols)
    if PG:
        upsert = (
            f"INSERT INTO {t.table} ({', '.join(cols)}) SELECT {picked} FROM {t.table} WHERE id = %s"
            f" ON CONFLICT (id) DO UPDATE SET {t.column} = EXCLUDED.{t.column}"
        )
        _refused(upsert, [t.value, t.pk])
        _refused(f"TRUNCATE {t.table} CASCADE")
    else:
        replace = f"INSERT OR REPLACE INTO {t.table} ({', '.join(cols)}) SELECT {picked} FROM {t.table} WHERE id = %s"
        _refused(replace, [t.value, t.pk])
        _refused(
            f"REPLACE INTO {t.table} ({', '.join(cols)}) SELECT {picked} FROM {t.table} WHERE id = %s", [t.value, t.pk]
        )
        _refused(f"DELETE FROM {t.table}")  # SQLite's TRUNCATE


# --- with the guards gone: named by verify ----------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_a_change_behind_disabled_triggers_is_named(world: World, targets: dict[str, Target], name: str) -> None:
    t = targets[name]
    _unguard(t.table)
    _update(t)
    assert _broken(world) == _named(t, t.changed)


@pytest.mark.parametrize("name", NAMES)
def test_a_delete_behind_disabled_triggers_is_named(world: World, targets: dict[str, Target], name: str) -> None:
    t = targets[name]
    cols = _columns(t.table)
    (row,) = _sql(f"SELECT {', '.join(cols)} FROM {t.table} WHERE id = %s", [t.pk])
    first = _first_blanked(world, t.pk) if name == "erasure" else None
    _unguard(t.table)
    _delete(t)
    if first is not None:  # the fields the erasure blanked no longer give their sealed digests: the first is named
        assert _broken(world) == first
    else:
        assert _broken(world) == _named(t, t.deleted, t.deleted_kind)
    # put the row back, so that the rows referring to it hold when the test's transaction ends
    _sql(f"INSERT INTO {t.table} ({', '.join(cols)}) VALUES ({', '.join(['%s'] * len(cols))})", list(row))


def _first_blanked(world: World, erasure_pk: int) -> tuple[str, int, int, str]:
    """The first sealed record (in chain order) whose fields the erasure blanked: it no longer verifies without it."""
    entries = Erasure.objects.get(pk=erasure_pk).fields
    listed = {(e["kind"], e["record"]) for e in entries if e.get("kind")}
    seals = Seal.objects.filter(organization=world.clinic).order_by("seq")
    first = next(x for x in seals if (x.kind, x.record_id) in listed)
    table = {"questionnaire": "clients_questionnaire", "audit_event": "audit_auditevent"}.get(first.kind, first.kind)
    return (table, first.record_id, first.seq, DIFFERS)


@pytest.mark.skipif(PG, reason="SQLite: DROP TRIGGER, change, CREATE TRIGGER")
@pytest.mark.parametrize("name", NAMES)
def test_a_change_between_drop_and_create_trigger_is_named(world: World, targets: dict[str, Target], name: str) -> None:
    t = targets[name]
    kept = _triggers(t.table)
    assert kept
    _unguard(t.table)
    _update(t)
    for sql in kept:
        _sql(sql)
    assert _triggers(t.table) == kept  # the schema looks untouched
    assert _broken(world) == _named(t, t.changed)


@pytest.mark.skipif(not PG, reason="PostgreSQL: session_replication_role = replica")
@pytest.mark.parametrize("name", NAMES)
def test_a_change_in_replica_mode_is_named(world: World, targets: dict[str, Target], name: str) -> None:
    t = targets[name]
    _sql("SET LOCAL session_replication_role = replica")
    _update(t)
    _sql("SET LOCAL session_replication_role = origin")
    assert _broken(world) == _named(t, t.changed)


# --- forged rows ------------------------------------------------------------------------------------

FORGED_NAMED = {
    # table -> what verify says of a copy inserted beside the original (None: the database refuses it)
    "treatments_addendum": "the row has no seal",
    "electrolysis_electrolysisaddendum": "the row has no seal",
    "clients_questionnaire": "the row has no seal",
    "audit_auditevent": "the row has no seal",
    "audit_recordview": "the row has no seal",
    "consents_consent": "the row has no seal",
    "outcomes_adverseevent": "the row has no seal",
    "outcomes_adverseeventupdate": "the row has no seal",
    "treatments_zonerecord": None,
    "electrolysis_arearecord": None,
    "outcomes_adverseeventlot": "the report's lot rows differ from the lots it was sealed with",
}


@pytest.mark.parametrize("table", sorted(FORGED_NAMED))
def test_a_forged_copy_inserted_beside_a_sealed_row_is_refused_or_named(
    world: World, targets: dict[str, Target], table: str
) -> None:
    t = next(x for x in targets.values() if x.table == table)
    cols = [c for c in _columns(table) if c != "id"]
    changes: dict[str, Callable[[str], str]] = {
        "treatments_zonerecord": lambda c: "'forehead-extra'" if c == "zone" else c,
        "electrolysis_arearecord": lambda c: "'forged-area'" if c == "area" else c,
        "outcomes_adverseeventlot": lambda c: str(world.roller.pk) if c == "unit_id" else c,
    }
    picked = ", ".join(changes.get(table, lambda c: c)(c) for c in cols)
    forge = f"INSERT INTO {table} ({', '.join(cols)}) SELECT {picked} FROM {table} WHERE id = %s"
    expected = FORGED_NAMED[table]
    if expected is None:
        _refused(forge, [t.pk])
        return
    _sql(forge, [t.pk])
    if table == "outcomes_adverseeventlot":  # a lot row is checked through the report it belongs to
        assert _broken(world) == _named(t, expected)
        return
    (forged,) = _sql(f"SELECT max(id) FROM {table}")[0]
    assert _broken(world) == (table, forged, None, expected)


def test_a_forged_erasure_vouches_for_nothing(world: World, targets: dict[str, Target]) -> None:
    """An erasure row inserted behind the app lets the triggers pass a change, but verify names the change."""
    s = world.signed
    entry = {"table": "treatments_session", "record": s.pk, "field": "notes", "kind": "session"}
    fields = [entry | {"before": "0" * 64, "after": "1" * 64}]
    _sql(
        "INSERT INTO audit_erasure (organization_id, client_id, erased_by_id, erased_at, reason, fields)"
        " VALUES (%s, %s, %s, %s, 'forged', %s)",
        [world.clinic.pk, world.ada.pk, world.owner.pk, timezone.now(), json.dumps(fields)],
    )
    forged = Erasure.objects.get(reason="forged")
    assert _broken(world) == ("audit_erasure", forged.pk, None, "the row has no seal")  # nothing else changed
    _sql("UPDATE treatments_session SET notes = 'rewritten' WHERE id = %s", [s.pk])  # the trigger lets it by
    assert _broken(world) == _named(targets["session"], DIFFERS)


# --- the record page --------------------------------------------------------------------------------


def test_the_session_page_says_altered_when_an_addendum_is_rewritten(world: World, targets: dict[str, Target]) -> None:
    t = targets["addendum"]
    page = world.login(world.owner).get(reverse("treatments:session", args=[world.signed.pk])).content
    assert b'id="hash-ok"' in page
    assert f'id="addendum-{t.pk}-altered"'.encode() not in page
    _unguard(t.table)
    _update(t)
    page = world.login(world.owner).get(reverse("treatments:session", args=[world.signed.pk])).content
    assert b'id="hash-bad"' in page
    assert b"Seal verified" not in page
    assert f'id="addendum-{t.pk}-altered"'.encode() in page
    assert b'other words <span class="bad"' in page


@pytest.mark.skipif(PG, reason="SQLite: UPDATE OR REPLACE deletes the row it clashes with, firing no delete trigger")
@pytest.mark.parametrize("table", ["treatments_session", "electrolysis_session"])
def test_update_or_replace_of_another_session_onto_a_signed_one_is_refused(
    world: World, targets: dict[str, Target], table: str
) -> None:
    signed = targets["session" if table == "treatments_session" else "electrolysis session"]
    cols = [c for c in _columns(table) if c not in ("id", "number", "status")]
    _sql(
        f"INSERT INTO {table} ({', '.join(cols)}, number, status)"
        f" SELECT {', '.join(cols)}, 999, 'booked' FROM {table} WHERE id = %s",
        [signed.pk],
    )
    (other,) = _sql(f"SELECT max(id) FROM {table}")[0]
    (number,) = _sql(f"SELECT number FROM {table} WHERE id = %s", [signed.pk])[0]
    _refused(f"UPDATE OR REPLACE {table} SET number = %s WHERE id = %s", [number, other])
    _refused(f"UPDATE OR REPLACE {table} SET id = %s WHERE id = %s", [signed.pk, other])
    assert _sql(f"SELECT count(*) FROM {table} WHERE id = %s", [signed.pk]) == [(1,)]
