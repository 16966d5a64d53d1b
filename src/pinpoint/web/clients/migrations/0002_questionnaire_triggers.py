# ruff: noqa: RUF012, S608 - class attributes of a migration are lists; the SQL is built from constants only
"""Database triggers: a questionnaire snapshot is never changed, deleted, replaced or truncated.

Plain SQL per database vendor (PostgreSQL uses ``pinpoint_refuse_sealed()`` of audit 0003);
no application code is imported here.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import migrations

T = "clients_questionnaire"

SQLITE_UP = [
    f"""CREATE TRIGGER pinpoint_{T}_no_update BEFORE UPDATE ON {T}
    BEGIN SELECT RAISE(ABORT, 'a questionnaire snapshot is sealed: never changed'); END""",
    f"""CREATE TRIGGER pinpoint_{T}_no_delete BEFORE DELETE ON {T}
    BEGIN SELECT RAISE(ABORT, 'a questionnaire snapshot is sealed: never deleted'); END""",
    f"""CREATE TRIGGER pinpoint_{T}_no_replace BEFORE INSERT ON {T}
    WHEN EXISTS (SELECT 1 FROM {T} WHERE id = NEW.id)
    BEGIN SELECT RAISE(ABORT, 'a questionnaire snapshot is sealed: never replaced'); END""",
]
SQLITE_DOWN = [f"DROP TRIGGER IF EXISTS pinpoint_{T}_{what}" for what in ("no_update", "no_delete", "no_replace")]

POSTGRES_UP = [
    f"""CREATE TRIGGER pinpoint_sealed_rows BEFORE UPDATE OR DELETE ON {T}
    FOR EACH ROW EXECUTE FUNCTION pinpoint_refuse_sealed()""",
    f"""CREATE TRIGGER pinpoint_sealed_truncate BEFORE TRUNCATE ON {T}
    FOR EACH STATEMENT EXECUTE FUNCTION pinpoint_refuse_sealed()""",
]
POSTGRES_DOWN = [
    f"DROP TRIGGER IF EXISTS pinpoint_sealed_rows ON {T}",
    f"DROP TRIGGER IF EXISTS pinpoint_sealed_truncate ON {T}",
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
    dependencies = [("clients", "0001_initial"), ("audit", "0003_sealed_table_triggers")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}),
            _run({"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}),
        ),
    ]
