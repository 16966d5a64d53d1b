# ruff: noqa: RUF012 - class attributes of a migration are lists
"""Database triggers: a questionnaire snapshot is never changed, deleted, replaced or truncated.

Plain SQL per database vendor (PostgreSQL uses ``pinpoint_refuse_sealed()`` of audit 0003), in the
shapes of :mod:`pinpoint.web.base.sealed_sql`; no model is imported here.
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

T = "clients_questionnaire"


class Migration(migrations.Migration):
    dependencies = [("clients", "0001_initial"), ("audit", "0003_sealed_table_triggers")]

    operations = [
        migrations.RunPython(
            run_per_vendor(
                {
                    "sqlite": sqlite_append_only(T, "a questionnaire snapshot is sealed: never {}"),
                    "postgresql": postgres_append_only(T),
                }
            ),
            run_per_vendor({"sqlite": sqlite_append_only_drops(T), "postgresql": postgres_append_only_drops(T)}),
        ),
    ]
