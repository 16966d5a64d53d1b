# ruff: noqa: RUF012, S608 - class attributes of a migration are lists; the SQL is built from constants only
"""Database triggers: adverse event reports, their lots and follow-ups are never changed or deleted.

Row triggers refuse UPDATE and DELETE; on SQLite an INSERT that would replace a row is refused
too; on PostgreSQL a statement-level trigger refuses TRUNCATE (``pinpoint_refuse_sealed()`` from
``audit.0003``). Plain SQL per database vendor; no application code is imported here.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import migrations

TABLES = ("outcomes_adverseevent", "outcomes_adverseeventlot", "outcomes_adverseeventupdate")


def _sqlite(table: str) -> list[str]:
    return [
        f"""CREATE TRIGGER pinpoint_{table}_no_update BEFORE UPDATE ON {table}
        BEGIN SELECT RAISE(ABORT, '{table} is sealed: rows are never changed'); END""",
        f"""CREATE TRIGGER pinpoint_{table}_no_delete BEFORE DELETE ON {table}
        BEGIN SELECT RAISE(ABORT, '{table} is sealed: rows are never deleted'); END""",
        f"""CREATE TRIGGER pinpoint_{table}_no_replace BEFORE INSERT ON {table}
        WHEN EXISTS (SELECT 1 FROM {table} WHERE id = NEW.id)
        BEGIN SELECT RAISE(ABORT, '{table} is sealed: rows are never replaced'); END""",
    ]


SQLITE_UP = [sql for table in TABLES for sql in _sqlite(table)]
SQLITE_DOWN = [
    f"DROP TRIGGER IF EXISTS pinpoint_{table}_{what}"
    for table in TABLES
    for what in ("no_update", "no_delete", "no_replace")
]
POSTGRES_UP = [
    *(
        f"""CREATE TRIGGER pinpoint_sealed_rows BEFORE UPDATE OR DELETE ON {table}
        FOR EACH ROW EXECUTE FUNCTION pinpoint_refuse_sealed()"""
        for table in TABLES
    ),
    *(
        f"""CREATE TRIGGER pinpoint_sealed_truncate BEFORE TRUNCATE ON {table}
        FOR EACH STATEMENT EXECUTE FUNCTION pinpoint_refuse_sealed()"""
        for table in TABLES
    ),
]
POSTGRES_DOWN = [
    *(f"DROP TRIGGER IF EXISTS pinpoint_sealed_rows ON {table}" for table in TABLES),
    *(f"DROP TRIGGER IF EXISTS pinpoint_sealed_truncate ON {table}" for table in TABLES),
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
    dependencies = [("outcomes", "0001_assessments_and_adverse_events"), ("audit", "0003_sealed_table_triggers")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}),
            _run({"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}),
        ),
    ]
