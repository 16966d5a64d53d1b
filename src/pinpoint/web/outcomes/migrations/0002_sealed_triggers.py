# ruff: noqa: RUF012 - class attributes of a migration are lists
"""Database triggers: adverse event reports, their lots and follow-ups are never changed or deleted.

Row triggers refuse UPDATE and DELETE; on SQLite an INSERT that would replace a row is refused
too; on PostgreSQL a statement-level trigger refuses TRUNCATE (``pinpoint_refuse_sealed()`` from
``audit.0003``). Plain SQL per database vendor, in the shapes of :mod:`pinpoint.web.base.sealed_sql`;
no model is imported here.
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

TABLES = ("outcomes_adverseevent", "outcomes_adverseeventlot", "outcomes_adverseeventupdate")

SQLITE_UP = [sql for t in TABLES for sql in sqlite_append_only(t, f"{t} is sealed: rows are never {{}}")]
SQLITE_DOWN = [sql for t in TABLES for sql in sqlite_append_only_drops(t)]
POSTGRES_UP = [sql for t in TABLES for sql in postgres_append_only(t)]
POSTGRES_DOWN = [sql for t in TABLES for sql in postgres_append_only_drops(t)]


class Migration(migrations.Migration):
    dependencies = [("outcomes", "0001_assessments_and_adverse_events"), ("audit", "0003_sealed_table_triggers")]

    operations = [
        migrations.RunPython(
            run_per_vendor({"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}),
            run_per_vendor({"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}),
        ),
    ]
