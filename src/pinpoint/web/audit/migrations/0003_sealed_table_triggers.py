# ruff: noqa: RUF012, S608 - class attributes of a migration are lists; the SQL is built from constants only
"""Database triggers: audit events, record views, seals and chain heads are never changed or deleted.

Row triggers refuse UPDATE and DELETE (SQLite and PostgreSQL); on SQLite an INSERT that would
replace an existing row (``INSERT OR REPLACE``) is refused too; on PostgreSQL a statement-level
trigger refuses TRUNCATE. A chain head only moves forward by one seal at a time. The function
``pinpoint_refuse_sealed()`` is shared by the trigger migrations of the other apps. Plain SQL per
database vendor; no application code is imported here.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import migrations

APPEND_ONLY = ("audit_auditevent", "audit_recordview", "audit_seal")


def _sqlite_append_only(table: str, unique: str = "") -> list[str]:
    clash = f"id = NEW.id{unique}"
    return [
        f"""CREATE TRIGGER pinpoint_{table}_no_update BEFORE UPDATE ON {table}
        BEGIN SELECT RAISE(ABORT, '{table} is sealed: rows are never changed'); END""",
        f"""CREATE TRIGGER pinpoint_{table}_no_delete BEFORE DELETE ON {table}
        BEGIN SELECT RAISE(ABORT, '{table} is sealed: rows are never deleted'); END""",
        f"""CREATE TRIGGER pinpoint_{table}_no_replace BEFORE INSERT ON {table}
        WHEN EXISTS (SELECT 1 FROM {table} WHERE {clash})
        BEGIN SELECT RAISE(ABORT, '{table} is sealed: rows are never replaced'); END""",
    ]


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
    *(
        f"DROP TRIGGER IF EXISTS pinpoint_{table}_{what}"
        for table in APPEND_ONLY
        for what in ("no_update", "no_delete", "no_replace")
    ),
    "DROP TRIGGER IF EXISTS pinpoint_audit_sealchain_forward",
    "DROP TRIGGER IF EXISTS pinpoint_audit_sealchain_no_delete",
    "DROP TRIGGER IF EXISTS pinpoint_audit_sealchain_no_replace",
]

POSTGRES_UP = [
    """CREATE FUNCTION pinpoint_refuse_sealed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION USING MESSAGE = TG_TABLE_NAME || ' is sealed: rows are never changed, deleted or truncated';
    END $$""",
    *(
        f"""CREATE TRIGGER pinpoint_sealed_rows BEFORE UPDATE OR DELETE ON {table}
        FOR EACH ROW EXECUTE FUNCTION pinpoint_refuse_sealed()"""
        for table in APPEND_ONLY
    ),
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
    *(
        f"""CREATE TRIGGER pinpoint_sealed_truncate BEFORE TRUNCATE ON {table}
        FOR EACH STATEMENT EXECUTE FUNCTION pinpoint_refuse_sealed()"""
        for table in (*APPEND_ONLY, "audit_sealchain")
    ),
]
POSTGRES_DOWN = [
    *(f"DROP TRIGGER IF EXISTS pinpoint_sealed_rows ON {table}" for table in APPEND_ONLY),
    *(f"DROP TRIGGER IF EXISTS pinpoint_sealed_truncate ON {table}" for table in (*APPEND_ONLY, "audit_sealchain")),
    "DROP TRIGGER IF EXISTS pinpoint_sealchain_forward ON audit_sealchain",
    "DROP FUNCTION IF EXISTS pinpoint_sealchain_forward()",
    "DROP FUNCTION IF EXISTS pinpoint_refuse_sealed()",
]


def _run(statements: dict[str, list[str]]) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        vendor = schema_editor.connection.vendor
        if vendor not in statements:
            msg = f"Pinpoint supports SQLite and PostgreSQL; {vendor} has no sealed-record triggers"
            raise ImproperlyConfigured(msg)
        for sql in statements[vendor]:
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_seals")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}),
            _run({"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}),
        ),
    ]
