# ruff: noqa: RUF012 - class attributes of a migration are lists
"""Database triggers: a sealed row's personal field changes only by an erasure that lists it (ADR 0010).

Until now every update of a sealed row was refused (a consent's withdrawal apart). From here an
update is also allowed when every column but the record's personal fields is unchanged, and each
personal field that changes is listed, for that table and row, in the ``fields`` of an
``audit_erasure`` row. What the field becomes is not checked here (no key in the database); the
erasure's *after* digest, sealed, is what ``pinpoint verify`` checks it against.

Deletes, replacing inserts and TRUNCATE stay refused as before. Plain SQL per database vendor; the
SQLite triggers name the columns the table has when this runs (read with ``PRAGMA table_info``);
PostgreSQL compares whole rows (``to_jsonb``). Shapes shared with the other trigger migrations come
from :mod:`pinpoint.web.base.sealed_sql`; no model is imported here.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import migrations

from pinpoint.web.base.sealed_sql import sqlite_columns, sqlite_erase_only_refused

# table -> (personal fields an erasure may blank, condition under which the row is sealed (SQLite))
ERASABLE = {
    "clients_questionnaire": (("answers",), "1"),
    "audit_auditevent": (("detail",), "1"),
    "treatments_addendum": (("text",), "1"),
    "treatments_session": (("notes", "override_reason", "signed_content"), "OLD.status = 'signed'"),
    "treatments_zonerecord": (
        ("notes",),
        "((SELECT status FROM treatments_session WHERE id = OLD.session_id) = 'signed'"
        " OR (SELECT status FROM treatments_session WHERE id = NEW.session_id) = 'signed')",
    ),
    "consents_consent": (("signed_name", "withdrawal_reason"), "1"),
}
# The triggers these replace (SQLite); the ones kept refuse deletes and replacing inserts as before.
SQLITE_REPLACED = {
    "clients_questionnaire": "pinpoint_clients_questionnaire_no_update",
    "audit_auditevent": "pinpoint_audit_auditevent_no_update",
    "treatments_addendum": "pinpoint_addendum_update",
    "treatments_session": "pinpoint_session_signed_update",
    "treatments_zonerecord": "pinpoint_zone_signed_update",
    "consents_consent": "pinpoint_consents_consent_withdraw_only",
}
CONSENT_SIGNED = (
    "id", "organization_id", "client_id", "template_id", "treatment", "template_version", "title", "text",
    "signed_name", "signer", "signed_at", "recorded_by_id", "photo_clinical", "photo_marketing",
)  # fmt: skip


def _sqlite_trigger(table: str, columns: list[str]) -> str:
    personal, sealed = ERASABLE[table]
    refused = sqlite_erase_only_refused(table, columns, personal)
    if table == "consents_consent":
        changed = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in CONSENT_SIGNED)
        withdrawal = f"(OLD.withdrawn_at IS NULL AND NEW.withdrawn_at IS NOT NULL AND NOT ({changed}))"
        refused = f"(NOT {withdrawal} AND {refused})"
    return f"""CREATE TRIGGER pinpoint_{table}_erase_only BEFORE UPDATE ON {table}
    WHEN {sealed} AND {refused}
    BEGIN SELECT RAISE(ABORT, '{table} is sealed: only an erasure that lists a personal field changes it'); END"""


def sqlite_up(schema_editor: Any) -> None:
    for table in ERASABLE:
        columns = sqlite_columns(schema_editor, table)
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {SQLITE_REPLACED[table]}")
        schema_editor.execute(_sqlite_trigger(table, columns))


CHECK_FN = """CREATE FUNCTION pinpoint_erase_check(tbl text, rec bigint, o jsonb, n jsonb, personal text[])
RETURNS void LANGUAGE plpgsql AS $$
DECLARE c text;
BEGIN
  FOREACH c IN ARRAY personal LOOP
    IF (o -> c) IS DISTINCT FROM (n -> c) AND NOT EXISTS (
        SELECT 1 FROM audit_erasure e
        WHERE e.fields @> jsonb_build_array(jsonb_build_object('table', tbl, 'record', rec, 'field', c))) THEN
      RAISE EXCEPTION USING MESSAGE = tbl || ' is sealed: ' || c || ' changes only by an erasure that lists it';
    END IF;
    o := o - c;
    n := n - c;
  END LOOP;
  IF o IS DISTINCT FROM n THEN
    RAISE EXCEPTION USING MESSAGE = tbl || ' is sealed: only an erasure that lists a personal field changes it';
  END IF;
END $$"""

ERASE_ONLY_FN = """CREATE FUNCTION pinpoint_erase_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pinpoint_erase_check(TG_TABLE_NAME, OLD.id, to_jsonb(OLD), to_jsonb(NEW), TG_ARGV::text[]);
  RETURN NEW;
END $$"""

ZONE_UPDATE_FN = """CREATE FUNCTION pinpoint_zone_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF (SELECT status FROM treatments_session WHERE id = OLD.session_id) = 'signed'
     OR (SELECT status FROM treatments_session WHERE id = NEW.session_id) = 'signed' THEN
    PERFORM pinpoint_erase_check(TG_TABLE_NAME, OLD.id, to_jsonb(OLD), to_jsonb(NEW), ARRAY['notes']);
  END IF;
  RETURN NEW;
END $$"""

_NEW = ", ".join("NEW." + c for c in CONSENT_SIGNED)
_OLD = ", ".join("OLD." + c for c in CONSENT_SIGNED)
_CHANGED_PG = f"({_NEW}) IS DISTINCT FROM ({_OLD})"
CONSENT_FN = f"""CREATE OR REPLACE FUNCTION pinpoint_consent_withdraw_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'a signed consent is never changed; only its withdrawal is recorded, once';
  END IF;
  IF OLD.withdrawn_at IS NULL AND NEW.withdrawn_at IS NOT NULL AND NOT {_CHANGED_PG} THEN
    RETURN NEW;
  END IF;
  PERFORM pinpoint_erase_check(TG_TABLE_NAME, OLD.id, to_jsonb(OLD), to_jsonb(NEW),
                               ARRAY['signed_name', 'withdrawal_reason']);
  RETURN NEW;
END $$"""

POSTGRES_UP = [
    CHECK_FN,
    ERASE_ONLY_FN,
    ZONE_UPDATE_FN,
    CONSENT_FN,
    *(
        stmt
        for table, column in (("clients_questionnaire", "answers"), ("audit_auditevent", "detail"))
        for stmt in (
            f"DROP TRIGGER IF EXISTS pinpoint_sealed_rows ON {table}",
            f"""CREATE TRIGGER pinpoint_sealed_rows BEFORE DELETE ON {table}
            FOR EACH ROW EXECUTE FUNCTION pinpoint_refuse_sealed()""",
            f"""CREATE TRIGGER pinpoint_erase_only BEFORE UPDATE ON {table}
            FOR EACH ROW EXECUTE FUNCTION pinpoint_erase_only('{column}')""",
        )
    ),
    "DROP TRIGGER IF EXISTS pinpoint_addendum_frozen ON treatments_addendum",
    """CREATE TRIGGER pinpoint_addendum_frozen BEFORE DELETE ON treatments_addendum
    FOR EACH ROW EXECUTE FUNCTION pinpoint_addendum_immutable()""",
    """CREATE TRIGGER pinpoint_erase_only BEFORE UPDATE ON treatments_addendum
    FOR EACH ROW EXECUTE FUNCTION pinpoint_erase_only('text')""",
    "DROP TRIGGER IF EXISTS pinpoint_session_signed ON treatments_session",
    """CREATE TRIGGER pinpoint_session_signed BEFORE DELETE ON treatments_session
    FOR EACH ROW EXECUTE FUNCTION pinpoint_session_immutable()""",
    """CREATE TRIGGER pinpoint_erase_only BEFORE UPDATE ON treatments_session
    FOR EACH ROW WHEN (OLD.status = 'signed')
    EXECUTE FUNCTION pinpoint_erase_only('notes', 'override_reason', 'signed_content')""",
    "DROP TRIGGER IF EXISTS pinpoint_zone_signed ON treatments_zonerecord",
    """CREATE TRIGGER pinpoint_zone_signed BEFORE INSERT OR DELETE ON treatments_zonerecord
    FOR EACH ROW EXECUTE FUNCTION pinpoint_zone_immutable()""",
    """CREATE TRIGGER pinpoint_zone_update BEFORE UPDATE ON treatments_zonerecord
    FOR EACH ROW EXECUTE FUNCTION pinpoint_zone_update()""",
]


def run_up(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        sqlite_up(schema_editor)
    elif vendor == "postgresql":
        for sql in POSTGRES_UP:
            schema_editor.execute(sql)
    else:
        msg = f"Pinpoint supports SQLite and PostgreSQL; {vendor} has no sealed-record triggers"
        raise ImproperlyConfigured(msg)


# Going back: the triggers as the earlier migrations made them (copied, so that their own reversal finds them).
_CHANGED_SQLITE = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in CONSENT_SIGNED)
_CONSENT_REFUSAL = "a signed consent is never changed; only its withdrawal is recorded, once"
SQLITE_DOWN = [
    *(f"DROP TRIGGER IF EXISTS pinpoint_{table}_erase_only" for table in ERASABLE),
    """CREATE TRIGGER pinpoint_clients_questionnaire_no_update BEFORE UPDATE ON clients_questionnaire
    BEGIN SELECT RAISE(ABORT, 'a questionnaire snapshot is sealed: never changed'); END""",
    """CREATE TRIGGER pinpoint_audit_auditevent_no_update BEFORE UPDATE ON audit_auditevent
    BEGIN SELECT RAISE(ABORT, 'audit_auditevent is sealed: rows are never changed'); END""",
    """CREATE TRIGGER pinpoint_addendum_update BEFORE UPDATE ON treatments_addendum
    BEGIN SELECT RAISE(ABORT, 'an addendum is immutable'); END""",
    """CREATE TRIGGER pinpoint_session_signed_update BEFORE UPDATE ON treatments_session
    WHEN OLD.status = 'signed' BEGIN SELECT RAISE(ABORT, 'a signed session is immutable'); END""",
    """CREATE TRIGGER pinpoint_zone_signed_update BEFORE UPDATE ON treatments_zonerecord
    WHEN (SELECT status FROM treatments_session WHERE id = OLD.session_id) = 'signed'
      OR (SELECT status FROM treatments_session WHERE id = NEW.session_id) = 'signed'
    BEGIN SELECT RAISE(ABORT, 'the zones of a signed session are immutable'); END""",
    f"""CREATE TRIGGER pinpoint_consents_consent_withdraw_only BEFORE UPDATE ON consents_consent
    WHEN OLD.withdrawn_at IS NOT NULL OR NEW.withdrawn_at IS NULL OR {_CHANGED_SQLITE}
    BEGIN SELECT RAISE(ABORT, '{_CONSENT_REFUSAL}'); END""",
]
POSTGRES_DOWN = [
    *(
        f"DROP TRIGGER IF EXISTS pinpoint_erase_only ON {table}"
        for table in ("clients_questionnaire", "audit_auditevent", "treatments_addendum", "treatments_session")
    ),
    "DROP TRIGGER IF EXISTS pinpoint_zone_update ON treatments_zonerecord",
    *(
        stmt
        for table in ("clients_questionnaire", "audit_auditevent")
        for stmt in (
            f"DROP TRIGGER IF EXISTS pinpoint_sealed_rows ON {table}",
            f"""CREATE TRIGGER pinpoint_sealed_rows BEFORE UPDATE OR DELETE ON {table}
            FOR EACH ROW EXECUTE FUNCTION pinpoint_refuse_sealed()""",
        )
    ),
    "DROP TRIGGER IF EXISTS pinpoint_addendum_frozen ON treatments_addendum",
    """CREATE TRIGGER pinpoint_addendum_frozen BEFORE UPDATE OR DELETE ON treatments_addendum
    FOR EACH ROW EXECUTE FUNCTION pinpoint_addendum_immutable()""",
    "DROP TRIGGER IF EXISTS pinpoint_session_signed ON treatments_session",
    """CREATE TRIGGER pinpoint_session_signed BEFORE UPDATE OR DELETE ON treatments_session
    FOR EACH ROW EXECUTE FUNCTION pinpoint_session_immutable()""",
    "DROP TRIGGER IF EXISTS pinpoint_zone_signed ON treatments_zonerecord",
    """CREATE TRIGGER pinpoint_zone_signed BEFORE INSERT OR UPDATE OR DELETE ON treatments_zonerecord
    FOR EACH ROW EXECUTE FUNCTION pinpoint_zone_immutable()""",
    f"""CREATE OR REPLACE FUNCTION pinpoint_consent_withdraw_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'DELETE' OR OLD.withdrawn_at IS NOT NULL OR NEW.withdrawn_at IS NULL OR {_CHANGED_PG} THEN
        RAISE EXCEPTION '{_CONSENT_REFUSAL}';
      END IF;
      RETURN NEW;
    END $$""",
    "DROP FUNCTION IF EXISTS pinpoint_zone_update()",
    "DROP FUNCTION IF EXISTS pinpoint_erase_only()",
    "DROP FUNCTION IF EXISTS pinpoint_erase_check(text, bigint, jsonb, jsonb, text[])",
]


def run_down(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    for sql in {"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}.get(vendor, []):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0005_erasure"),
        ("clients", "0002_questionnaire_triggers"),
        ("consents", "0002_consent_triggers"),
        ("treatments", "0004_sealed_triggers"),
    ]

    operations = [migrations.RunPython(run_up, run_down)]
