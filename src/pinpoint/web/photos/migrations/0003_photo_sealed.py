# ruff: noqa: RUF012 - class attributes of a migration are lists
"""Photos are sealed records: the database refuses to change, delete or replace a photo row.

Row triggers refuse UPDATE and DELETE (SQLite and PostgreSQL); on SQLite an INSERT that would
replace an existing row (``INSERT OR REPLACE``, by id or by key) is refused too; on PostgreSQL a
statement-level trigger refuses TRUNCATE (the function ``pinpoint_refuse_sealed()`` of
``audit.0003``). Then the photos written before photos were sealed are sealed once ("adoption",
ADR 0007), per organization in the order they were written: such a seal proves only that the row
has not changed since this migration ran. On a new database it does nothing and reads no key.
Plain SQL per database vendor, in the shapes of :mod:`pinpoint.web.base.sealed_sql`; no model
module is imported here.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

from pinpoint.web.audit.sealing import Sealable, seal_rows, unsealed
from pinpoint.web.audit.sealkey import seal_key
from pinpoint.web.base.sealed_sql import (
    postgres_append_only,
    postgres_append_only_drops,
    run_per_vendor,
    sqlite_append_only,
    sqlite_append_only_drops,
)

TABLE = "photos_photo"
SQLITE_UP = sqlite_append_only(TABLE, "a photo is sealed: it is never {}", clash="id = NEW.id OR key = NEW.key")
SQLITE_DOWN = sqlite_append_only_drops(TABLE)
POSTGRES_UP = postgres_append_only(TABLE)
POSTGRES_DOWN = postgres_append_only_drops(TABLE)

PHOTOS_AT_ADOPTION = {"photo": Sealable("photos.Photo", "created_at")}
"""What this migration seals, frozen as it stood when it was written."""


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
            run_per_vendor({"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}),
            run_per_vendor({"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}),
        ),
        migrations.RunPython(adopt, migrations.RunPython.noop),
    ]
