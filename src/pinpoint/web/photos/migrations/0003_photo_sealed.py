# ruff: noqa: RUF012, S608 - class attributes of a migration are lists; the SQL is built from constants only
"""Photos are sealed records: the database refuses to change, delete or replace a photo row.

Row triggers refuse UPDATE and DELETE (SQLite and PostgreSQL); on SQLite an INSERT that would
replace an existing row (``INSERT OR REPLACE``, by id or by key) is refused too; on PostgreSQL a
statement-level trigger refuses TRUNCATE (the function ``pinpoint_refuse_sealed()`` of
``audit.0003``). Then the photos written before photos were sealed are sealed once ("adoption",
ADR 0007), per organization in the order they were written: such a seal proves only that the row
has not changed since this migration ran. On a new database it does nothing and reads no key.
Plain SQL per database vendor; no model module is imported here.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import migrations

from pinpoint.web.audit.sealing import Sealable, seal_rows, unsealed
from pinpoint.web.audit.sealkey import seal_key

TABLE = "photos_photo"
SQLITE_UP = [
    f"""CREATE TRIGGER pinpoint_{TABLE}_no_update BEFORE UPDATE ON {TABLE}
    BEGIN SELECT RAISE(ABORT, 'a photo is sealed: it is never changed'); END""",
    f"""CREATE TRIGGER pinpoint_{TABLE}_no_delete BEFORE DELETE ON {TABLE}
    BEGIN SELECT RAISE(ABORT, 'a photo is sealed: it is never deleted'); END""",
    f"""CREATE TRIGGER pinpoint_{TABLE}_no_replace BEFORE INSERT ON {TABLE}
    WHEN EXISTS (SELECT 1 FROM {TABLE} WHERE id = NEW.id OR key = NEW.key)
    BEGIN SELECT RAISE(ABORT, 'a photo is sealed: it is never replaced'); END""",
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

PHOTOS_AT_ADOPTION = {"photo": Sealable("photos.Photo", "created_at")}
"""What this migration seals, frozen as it stood when it was written."""


def _run(statements: dict[str, list[str]]) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        vendor = schema_editor.connection.vendor
        if vendor not in statements:
            msg = f"Pinpoint supports SQLite and PostgreSQL; {vendor} has no sealed-record triggers"
            raise ImproperlyConfigured(msg)
        for sql in statements[vendor]:
            schema_editor.execute(sql)

    return run


def adopt(apps: Any, schema_editor: Any) -> None:
    """Seal every photo written before photos were sealed, per organization, by time written then id."""
    using = schema_editor.connection.alias
    todo = unsealed(apps.get_model, using=using, sealable=PHOTOS_AT_ADOPTION)
    if not todo:
        return
    key = seal_key()
    for org, records in todo.items():
        seal_rows(apps.get_model, key, org, records, using=using, sealable=PHOTOS_AT_ADOPTION)


class Migration(migrations.Migration):
    dependencies = [("photos", "0002_photo_thumbnail"), ("audit", "0004_seal_existing_records")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}),
            _run({"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}),
        ),
        migrations.RunPython(adopt, migrations.RunPython.noop),
    ]
