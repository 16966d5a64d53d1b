# ruff: noqa: RUF012 - class attributes of a migration are lists
"""Database triggers: audit events, record views, seals and chain heads are never changed or deleted.

Row triggers refuse UPDATE and DELETE (SQLite and PostgreSQL); on SQLite an INSERT that would
replace an existing row (``INSERT OR REPLACE``) is refused too; on PostgreSQL a statement-level
trigger refuses TRUNCATE. A chain head only moves forward by one seal at a time. The function
``pinpoint_refuse_sealed()`` is shared by the trigger migrations of the other apps. Plain SQL per
database vendor, in the shapes of :mod:`pinpoint.web.base.sealed_sql`; no model is imported here.
"""

from __future__ import annotations

from django.db import migrations

from pinpoint.web.base.sealed_sql import (
    postgres_append_only,
    postgres_append_only_drops,
    run_per_vendor,
    sqlite_append_only,
    sqlite_append_only_drops,
)

APPEND_ONLY = ("audit_auditevent", "audit_recordview", "audit_seal")


def _sqlite_append_only(table: str, unique: str = "") -> list[str]:
    return sqlite_append_only(table, f"{table} is sealed: rows are never {{}}", clash=f"id = NEW.id{unique}")


SQLITE_UP = [
    *_sqlite_append_only("audit_auditevent"),
    *_sqlite_append_only("audit_recordview"),
    *_sqlite_append_only(
        "audit_seal",
        " OR (organization_id = NEW.organization_id AND seq = NEW.seq)"
        " OR (kind = NEW.kind AND record_id = NEW.record_id)",
    ),
    """CREATE TRIGGER pinpoint_audit_sealchain_forward BEFORE UPDATE ON audit_sealchain
    WHEN NEW.organization_id IS NOT OLD.organization_id OR NEW.seq IS NOT OLD.seq + 1
    BEGIN SELECT RAISE(ABORT, 'a chain head only moves forward, one seal at a time'); END""",
    """CREATE TRIGGER pinpoint_audit_sealchain_no_delete BEFORE DELETE ON audit_sealchain
    BEGIN SELECT RAISE(ABORT, 'audit_sealchain is sealed: rows are never deleted'); END""",
    """CREATE TRIGGER pinpoint_audit_sealchain_no_replace BEFORE INSERT ON audit_sealchain
    WHEN EXISTS (SELECT 1 FROM audit_sealchain WHERE organization_id = NEW.organization_id)
    BEGIN SELECT RAISE(ABORT, 'audit_sealchain is sealed: rows are never replaced'); END""",
]
SQLITE_DOWN = [
    *(sql for table in APPEND_ONLY for sql in sqlite_append_only_drops(table)),
    "DROP TRIGGER IF EXISTS pinpoint_audit_sealchain_forward",
    "DROP TRIGGER IF EXISTS pinpoint_audit_sealchain_no_delete",
    "DROP TRIGGER IF EXISTS pinpoint_audit_sealchain_no_replace",
]

POSTGRES_UP = [
    """CREATE FUNCTION pinpoint_refuse_sealed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION USING MESSAGE = TG_TABLE_NAME || ' is sealed: rows are never changed, deleted or truncated';
    END $$""",
    *(sql for table in APPEND_ONLY for sql in postgres_append_only(table)),
    """CREATE FUNCTION pinpoint_sealchain_forward() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'DELETE' OR NEW.organization_id IS DISTINCT FROM OLD.organization_id
         OR NEW.seq IS DISTINCT FROM OLD.seq + 1 THEN
        RAISE EXCEPTION 'a chain head only moves forward, one seal at a time';
      END IF;
      RETURN NEW;
    END $$""",
    """CREATE TRIGGER pinpoint_sealchain_forward BEFORE UPDATE OR DELETE ON audit_sealchain
    FOR EACH ROW EXECUTE FUNCTION pinpoint_sealchain_forward()""",
    *postgres_append_only("audit_sealchain", rows=False),
]
POSTGRES_DOWN = [
    *(sql for table in APPEND_ONLY for sql in postgres_append_only_drops(table)),
    *postgres_append_only_drops("audit_sealchain", rows=False),
    "DROP TRIGGER IF EXISTS pinpoint_sealchain_forward ON audit_sealchain",
    "DROP FUNCTION IF EXISTS pinpoint_sealchain_forward()",
    "DROP FUNCTION IF EXISTS pinpoint_refuse_sealed()",
]


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_seals")]

    operations = [
        migrations.RunPython(
            run_per_vendor({"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}),
            run_per_vendor({"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}),
        ),
    ]
