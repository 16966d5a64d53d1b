# ruff: noqa: RUF012 - class attributes of a migration are lists
"""Database triggers: an adverse event's ``action_taken`` and a follow-up's ``note`` change only by an erasure.

Until now every update of these sealed rows was refused. From here an update is allowed when every
other column is unchanged and the free-text field that changes is listed, for that table and row,
in the ``fields`` of an ``audit_erasure`` row (as ``exports`` 0001 does for the treatment records,
ADR 0010). Deletes, replacing inserts (SQLite) and TRUNCATE (PostgreSQL) stay refused; the rows
naming a report's lots stay refused any change. The SQLite triggers name the columns the table has
when this runs; PostgreSQL uses ``pinpoint_erase_only()`` from ``exports`` 0001. No application
code is imported here.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import migrations

from pinpoint.web.base.sealed_sql import sqlite_columns, sqlite_erase_only_refused

ERASABLE = {"outcomes_adverseevent": "action_taken", "outcomes_adverseeventupdate": "note"}
"""Each table and the one free-text field an erasure may blank."""


def _sqlite_up(schema_editor: Any) -> None:
    for table, personal in ERASABLE.items():
        refused = sqlite_erase_only_refused(table, sqlite_columns(schema_editor, table), (personal,))
        schema_editor.execute(f"DROP TRIGGER IF EXISTS pinpoint_{table}_no_update")
        schema_editor.execute(
            f"""CREATE TRIGGER pinpoint_{table}_erase_only BEFORE UPDATE ON {table} WHEN {refused}
            BEGIN SELECT RAISE(ABORT, '{table} is sealed: only an erasure that lists {personal} changes it'); END"""
        )


def _sqlite_down(schema_editor: Any) -> None:
    for table in ERASABLE:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS pinpoint_{table}_erase_only")
        schema_editor.execute(
            f"""CREATE TRIGGER pinpoint_{table}_no_update BEFORE UPDATE ON {table}
            BEGIN SELECT RAISE(ABORT, '{table} is sealed: rows are never changed'); END"""
        )


POSTGRES_UP = [
    stmt
    for table, personal in ERASABLE.items()
    for stmt in (
        f"DROP TRIGGER IF EXISTS pinpoint_sealed_rows ON {table}",
        f"""CREATE TRIGGER pinpoint_sealed_rows BEFORE DELETE ON {table}
        FOR EACH ROW EXECUTE FUNCTION pinpoint_refuse_sealed()""",
        f"""CREATE TRIGGER pinpoint_erase_only BEFORE UPDATE ON {table}
        FOR EACH ROW EXECUTE FUNCTION pinpoint_erase_only('{personal}')""",
    )
]
POSTGRES_DOWN = [
    stmt
    for table in ERASABLE
    for stmt in (
        f"DROP TRIGGER IF EXISTS pinpoint_erase_only ON {table}",
        f"DROP TRIGGER IF EXISTS pinpoint_sealed_rows ON {table}",
        f"""CREATE TRIGGER pinpoint_sealed_rows BEFORE UPDATE OR DELETE ON {table}
        FOR EACH ROW EXECUTE FUNCTION pinpoint_refuse_sealed()""",
    )
]


def run_up(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _sqlite_up(schema_editor)
    elif vendor == "postgresql":
        for sql in POSTGRES_UP:
            schema_editor.execute(sql)
    else:
        msg = f"Pinpoint supports SQLite and PostgreSQL; {vendor} has no sealed-record triggers"
        raise ImproperlyConfigured(msg)


def run_down(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _sqlite_down(schema_editor)
    elif vendor == "postgresql":
        for sql in POSTGRES_DOWN:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("outcomes", "0002_sealed_triggers"),
        ("exports", "0001_erasure_triggers"),
    ]

    operations = [migrations.RunPython(run_up, run_down)]
