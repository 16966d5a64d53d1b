# ruff: noqa: RUF012, S608 - class attributes of a migration are lists; the SQL is built from constants only
"""Database triggers: an erasure record, sealed like an audit event, is never changed, deleted or replaced.

The sealed tables' own triggers let a personal field change once an ``audit_erasure`` row lists it
(``exports`` 0001), so an erasure row rewritten in place would open them to any change; and an erasure
row is sealed in its organization's chain like any other. As for audit events (0003): row triggers
refuse UPDATE and DELETE, on SQLite a replacing INSERT (same id, or the same client's erasure), on
PostgreSQL a statement-level trigger refuses TRUNCATE. Plain SQL per database vendor.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import migrations

TABLE = "audit_erasure"

SQLITE_UP = [
    f"""CREATE TRIGGER pinpoint_{TABLE}_no_update BEFORE UPDATE ON {TABLE}
    BEGIN SELECT RAISE(ABORT, '{TABLE} is sealed: rows are never changed'); END""",
    f"""CREATE TRIGGER pinpoint_{TABLE}_no_delete BEFORE DELETE ON {TABLE}
    BEGIN SELECT RAISE(ABORT, '{TABLE} is sealed: rows are never deleted'); END""",
    f"""CREATE TRIGGER pinpoint_{TABLE}_no_replace BEFORE INSERT ON {TABLE}
    WHEN EXISTS (SELECT 1 FROM {TABLE} WHERE id = NEW.id
                 OR (organization_id = NEW.organization_id AND client_id = NEW.client_id))
    BEGIN SELECT RAISE(ABORT, '{TABLE} is sealed: rows are never replaced'); END""",
]
SQLITE_DOWN = [f"DROP TRIGGER IF EXISTS pinpoint_{TABLE}_{what}" for what in ("no_update", "no_delete", "no_replace")]

POSTGRES_UP = [
    f"""CREATE TRIGGER pinpoint_sealed_rows BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION pinpoint_refuse_sealed()""",
    f"""CREATE TRIGGER pinpoint_sealed_truncate BEFORE TRUNCATE ON {TABLE}
    FOR EACH STATEMENT EXECUTE FUNCTION pinpoint_refuse_sealed()""",
]
POSTGRES_DOWN = [
    f"DROP TRIGGER IF EXISTS pinpoint_sealed_rows ON {TABLE}",
    f"DROP TRIGGER IF EXISTS pinpoint_sealed_truncate ON {TABLE}",
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
    dependencies = [("audit", "0005_erasure")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}),
            _run({"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}),
        ),
    ]
