# ruff: noqa: RUF012 - class attributes of a migration are lists
"""A referral override is a physician's approval: the physician's name and the approval date, on courses and sessions.

The columns are added with plain ``ALTER TABLE ... ADD COLUMN`` (SQLite and PostgreSQL alike):
Django's SQLite schema editor would rebuild ``treatments_session`` for a NOT NULL column, and a
rebuilt table loses its sealed-record triggers. On SQLite the erasure trigger of
``treatments_session`` names the columns a signed row must keep (exports 0001 read them with
``PRAGMA table_info``), so it is made again here with the new ones: a signed session's approval
never changes, and it is not personal data of the client (an erasure keeps it). PostgreSQL's trigger
compares whole rows and needs nothing. Shapes shared with the other trigger migrations come from
:mod:`pinpoint.web.base.sealed_sql`; no model is imported here.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations, models

from pinpoint.web.base.sealed_sql import sqlite_columns, sqlite_erase_only_refused

TABLE = "treatments_session"
TRIGGER = f"pinpoint_{TABLE}_erase_only"
PERSONAL = ("notes", "override_reason", "signed_content")  # as in exports 0001: unchanged
NEW_COLUMNS = ("override_physician", "override_approved_on")
BEFORE = ("anaesthetic_agent", "anaesthetic_ready_at", "needled_before_ready", "draft_saved_at")
"""0005's columns: added after exports 0001 made the trigger, so the trigger did not name them until this
migration; undone, it is made again without them, as it was, so that undoing 0005 can drop them."""


def _trigger(columns: list[str]) -> str:
    return f"""CREATE TRIGGER {TRIGGER} BEFORE UPDATE ON {TABLE}
    WHEN OLD.status = 'signed' AND {sqlite_erase_only_refused(TABLE, columns, PERSONAL)}
    BEGIN SELECT RAISE(ABORT, '{TABLE} is sealed: only an erasure that lists a personal field changes it'); END"""


def _remake_trigger(*, keep_new: bool) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor != "sqlite":
            return
        left_out = () if keep_new else NEW_COLUMNS + BEFORE
        columns = [c for c in sqlite_columns(schema_editor, TABLE) if c not in left_out]
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER}")
        schema_editor.execute(_trigger(columns))

    return run


def _add_columns(table: str) -> list[Any]:
    return [
        migrations.RunSQL(
            f"ALTER TABLE {table} ADD COLUMN override_physician varchar(150) NOT NULL DEFAULT ''",
            f"ALTER TABLE {table} DROP COLUMN override_physician",
        ),
        migrations.RunSQL(
            f"ALTER TABLE {table} ADD COLUMN override_approved_on date NULL",
            f"ALTER TABLE {table} DROP COLUMN override_approved_on",
        ),
    ]


def _fields(model: str) -> list[Any]:
    return [
        migrations.AddField(
            model_name=model, name="override_physician", field=models.CharField(blank=True, max_length=150)
        ),
        migrations.AddField(
            model_name=model, name="override_approved_on", field=models.DateField(blank=True, null=True)
        ),
    ]


class Migration(migrations.Migration):
    dependencies = [("treatments", "0005_session_anaesthetic_and_draft_times"), ("exports", "0001_erasure_triggers")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=_add_columns("treatments_course"), state_operations=_fields("course")
        ),
        migrations.SeparateDatabaseAndState(
            database_operations=_add_columns(TABLE), state_operations=_fields("session")
        ),
        *_fields("historicalcourse"),
        *_fields("historicalsession"),
        migrations.RunPython(_remake_trigger(keep_new=True), _remake_trigger(keep_new=False)),
    ]
