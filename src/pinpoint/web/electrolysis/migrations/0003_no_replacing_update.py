# ruff: noqa: RUF012 - class attributes of a migration are lists by convention
"""Database trigger, completing 0002 on SQLite: no ``UPDATE OR REPLACE`` over a signed electrolysis session.

SQLite's ``UPDATE OR REPLACE`` deletes the row an update clashes with (same id, or the same course and
number) without firing that row's delete trigger: moving an unsigned session onto a signed one's number
would delete the signed record. This trigger refuses an update of another row that would clash with a
signed session, as ``treatments`` 0004 does for microneedling sessions. PostgreSQL has no such clause;
nothing changes there.
"""

from __future__ import annotations

from django.db import migrations

from pinpoint.web.base.sealed_sql import run_per_vendor

SQLITE_UP = [
    """CREATE TRIGGER pinpoint_el_session_no_replace_update BEFORE UPDATE ON electrolysis_session
    WHEN EXISTS (SELECT 1 FROM electrolysis_session WHERE status = 'signed' AND id IS NOT OLD.id
      AND (id = NEW.id OR (organization_id = NEW.organization_id AND course_id = NEW.course_id
           AND number = NEW.number)))
    BEGIN SELECT RAISE(ABORT, 'a signed electrolysis session is immutable'); END""",
]
SQLITE_DOWN = ["DROP TRIGGER IF EXISTS pinpoint_el_session_no_replace_update"]


class Migration(migrations.Migration):
    dependencies = [("electrolysis", "0002_sealed_triggers")]

    operations = [
        migrations.RunPython(run_per_vendor({"sqlite": SQLITE_UP}), run_per_vendor({"sqlite": SQLITE_DOWN})),
    ]
