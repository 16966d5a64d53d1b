# ruff: noqa: RUF012 - class attributes of a migration are lists by convention
"""Database triggers, completing 0002: no replacing a signed row on SQLite, no TRUNCATE on PostgreSQL.

SQLite's ``INSERT OR REPLACE`` and ``UPDATE OR REPLACE`` delete the row they clash with without
firing its delete trigger; these triggers refuse an insert or update that would clash with a
signed session, a zone record of a signed session, or an addendum (by id or by a unique key).
On PostgreSQL a statement-level trigger refuses TRUNCATE of the three tables. Plain SQL per
database vendor; shared shapes from :mod:`pinpoint.web.base.sealed_sql`; no model is imported here.
"""

from __future__ import annotations

from django.db import migrations

from pinpoint.web.base.sealed_sql import postgres_append_only, postgres_append_only_drops, run_per_vendor

SESSION_CLASH = """EXISTS (SELECT 1 FROM treatments_session WHERE status = 'signed' AND id IS NOT {old}
      AND (id = NEW.id OR (organization_id = NEW.organization_id AND course_id = NEW.course_id
           AND number = NEW.number)))"""
ZONE_CLASH = """EXISTS (SELECT 1 FROM treatments_zonerecord z JOIN treatments_session s ON s.id = z.session_id
      WHERE s.status = 'signed' AND z.id IS NOT {old}
      AND (z.id = NEW.id OR (z.organization_id = NEW.organization_id AND z.session_id = NEW.session_id
           AND z.zone = NEW.zone)))"""
SESSION_MSG = "a signed session is immutable"
ZONE_MSG = "the zones of a signed session are immutable"

SQLITE_UP = [
    f"""CREATE TRIGGER pinpoint_session_no_replace BEFORE INSERT ON treatments_session
    WHEN {SESSION_CLASH.format(old="NULL")} BEGIN SELECT RAISE(ABORT, '{SESSION_MSG}'); END""",
    f"""CREATE TRIGGER pinpoint_session_no_replace_update BEFORE UPDATE ON treatments_session
    WHEN {SESSION_CLASH.format(old="OLD.id")} BEGIN SELECT RAISE(ABORT, '{SESSION_MSG}'); END""",
    f"""CREATE TRIGGER pinpoint_zone_no_replace BEFORE INSERT ON treatments_zonerecord
    WHEN {ZONE_CLASH.format(old="NULL")} BEGIN SELECT RAISE(ABORT, '{ZONE_MSG}'); END""",
    f"""CREATE TRIGGER pinpoint_zone_no_replace_update BEFORE UPDATE ON treatments_zonerecord
    WHEN {ZONE_CLASH.format(old="OLD.id")} BEGIN SELECT RAISE(ABORT, '{ZONE_MSG}'); END""",
    """CREATE TRIGGER pinpoint_addendum_no_replace BEFORE INSERT ON treatments_addendum
    WHEN EXISTS (SELECT 1 FROM treatments_addendum WHERE id = NEW.id)
    BEGIN SELECT RAISE(ABORT, 'an addendum is immutable'); END""",
]
SQLITE_DOWN = [
    f"DROP TRIGGER IF EXISTS {name}"
    for name in (
        "pinpoint_session_no_replace",
        "pinpoint_session_no_replace_update",
        "pinpoint_zone_no_replace",
        "pinpoint_zone_no_replace_update",
        "pinpoint_addendum_no_replace",
    )
]

TABLES = ("treatments_session", "treatments_zonerecord", "treatments_addendum")
POSTGRES_UP = [sql for table in TABLES for sql in postgres_append_only(table, rows=False)]
POSTGRES_DOWN = [sql for table in TABLES for sql in postgres_append_only_drops(table, rows=False)]


class Migration(migrations.Migration):
    dependencies = [("treatments", "0003_course_override_reason"), ("audit", "0003_sealed_table_triggers")]

    operations = [
        migrations.RunPython(
            run_per_vendor({"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}),
            run_per_vendor({"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}),
        ),
    ]
