# ruff: noqa: RUF012, S608 - class attributes of a migration are lists; the SQL is built from constants only
"""Database triggers: a signed electrolysis session, its area records and its addenda never change (ADR 0007).

As for microneedling sessions (``treatments`` 0002, 0004 and ``exports`` 0001): a signed session's
row changes only where an erasure lists one of its personal fields (``notes``, ``signed_content``);
no area record of a signed session is inserted, changed or deleted; an addendum changes only by an
erasure of its ``text``; no signed session or addendum is deleted, replaced (SQLite) or truncated
(PostgreSQL). Plain SQL per database vendor; shared shapes from :mod:`pinpoint.web.base.sealed_sql`;
no model is imported here.
"""

from __future__ import annotations

from django.db import migrations

from pinpoint.web.base.sealed_sql import run_per_vendor, sqlite_erase_only_refused

SESSION = "electrolysis_session"
AREA = "electrolysis_arearecord"
ADDENDUM = "electrolysis_electrolysisaddendum"
SESSION_COLUMNS = (
    "id", "organization_id", "course_id", "client_id", "number", "performed_on", "status", "practitioner_id",
    "signed_at", "signed_by_id", "content_hash", "created_at",
)  # fmt: skip
ADDENDUM_COLUMNS = ("id", "organization_id", "session_id", "author_id", "created_at")
SIGNED_SESSION = "(SELECT status FROM electrolysis_session WHERE id = {}.session_id) = 'signed'"


SQLITE_UP = [
    f"""CREATE TRIGGER pinpoint_el_session_erase_only BEFORE UPDATE ON {SESSION}
    WHEN OLD.status = 'signed' AND {sqlite_erase_only_refused(SESSION, SESSION_COLUMNS, ("notes", "signed_content"))}
    BEGIN SELECT RAISE(ABORT, 'a signed electrolysis session is immutable'); END""",
    f"""CREATE TRIGGER pinpoint_el_session_no_delete BEFORE DELETE ON {SESSION}
    WHEN OLD.status = 'signed' BEGIN SELECT RAISE(ABORT, 'a signed electrolysis session is immutable'); END""",
    f"""CREATE TRIGGER pinpoint_el_session_no_replace BEFORE INSERT ON {SESSION}
    WHEN EXISTS (SELECT 1 FROM {SESSION} WHERE status = 'signed' AND (id = NEW.id
      OR (organization_id = NEW.organization_id AND course_id = NEW.course_id AND number = NEW.number)))
    BEGIN SELECT RAISE(ABORT, 'a signed electrolysis session is immutable'); END""",
    f"""CREATE TRIGGER pinpoint_el_area_signed_insert BEFORE INSERT ON {AREA}
    WHEN {SIGNED_SESSION.format("NEW")}
      OR EXISTS (SELECT 1 FROM {AREA} a JOIN {SESSION} s ON s.id = a.session_id WHERE s.status = 'signed'
                 AND (a.id = NEW.id OR (a.session_id = NEW.session_id AND a.area = NEW.area)))
    BEGIN SELECT RAISE(ABORT, 'the area records of a signed session are immutable'); END""",
    f"""CREATE TRIGGER pinpoint_el_area_signed_update BEFORE UPDATE ON {AREA}
    WHEN {SIGNED_SESSION.format("OLD")} OR {SIGNED_SESSION.format("NEW")}
    BEGIN SELECT RAISE(ABORT, 'the area records of a signed session are immutable'); END""",
    f"""CREATE TRIGGER pinpoint_el_area_signed_delete BEFORE DELETE ON {AREA}
    WHEN {SIGNED_SESSION.format("OLD")}
    BEGIN SELECT RAISE(ABORT, 'the area records of a signed session are immutable'); END""",
    f"""CREATE TRIGGER pinpoint_el_addendum_erase_only BEFORE UPDATE ON {ADDENDUM}
    WHEN {sqlite_erase_only_refused(ADDENDUM, ADDENDUM_COLUMNS, ("text",))}
    BEGIN SELECT RAISE(ABORT, 'an addendum is immutable'); END""",
    f"""CREATE TRIGGER pinpoint_el_addendum_no_delete BEFORE DELETE ON {ADDENDUM}
    BEGIN SELECT RAISE(ABORT, 'an addendum is immutable'); END""",
    f"""CREATE TRIGGER pinpoint_el_addendum_no_replace BEFORE INSERT ON {ADDENDUM}
    WHEN EXISTS (SELECT 1 FROM {ADDENDUM} WHERE id = NEW.id)
    BEGIN SELECT RAISE(ABORT, 'an addendum is immutable'); END""",
]
SQLITE_DOWN = [
    f"DROP TRIGGER IF EXISTS {name}"
    for name in (
        "pinpoint_el_session_erase_only",
        "pinpoint_el_session_no_delete",
        "pinpoint_el_session_no_replace",
        "pinpoint_el_area_signed_insert",
        "pinpoint_el_area_signed_update",
        "pinpoint_el_area_signed_delete",
        "pinpoint_el_addendum_erase_only",
        "pinpoint_el_addendum_no_delete",
        "pinpoint_el_addendum_no_replace",
    )
]

POSTGRES_UP = [
    """CREATE FUNCTION pinpoint_el_session_guard() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF OLD.status = 'signed' THEN
        IF TG_OP = 'DELETE' THEN RAISE EXCEPTION 'a signed electrolysis session is immutable'; END IF;
        PERFORM pinpoint_erase_check(TG_TABLE_NAME, OLD.id, to_jsonb(OLD), to_jsonb(NEW),
                                     ARRAY['notes', 'signed_content']);
      END IF;
      IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
      RETURN NEW;
    END $$""",
    f"""CREATE TRIGGER pinpoint_el_session_signed BEFORE UPDATE OR DELETE ON {SESSION}
    FOR EACH ROW EXECUTE FUNCTION pinpoint_el_session_guard()""",
    """CREATE FUNCTION pinpoint_el_area_guard() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP IN ('UPDATE', 'DELETE')
         AND (SELECT status FROM electrolysis_session WHERE id = OLD.session_id) = 'signed' THEN
        RAISE EXCEPTION 'the area records of a signed session are immutable';
      END IF;
      IF TG_OP IN ('INSERT', 'UPDATE')
         AND (SELECT status FROM electrolysis_session WHERE id = NEW.session_id) = 'signed' THEN
        RAISE EXCEPTION 'the area records of a signed session are immutable';
      END IF;
      IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
      RETURN NEW;
    END $$""",
    f"""CREATE TRIGGER pinpoint_el_area_signed BEFORE INSERT OR UPDATE OR DELETE ON {AREA}
    FOR EACH ROW EXECUTE FUNCTION pinpoint_el_area_guard()""",
    f"""CREATE TRIGGER pinpoint_el_addendum_frozen BEFORE DELETE ON {ADDENDUM}
    FOR EACH ROW EXECUTE FUNCTION pinpoint_refuse_sealed()""",
    f"""CREATE TRIGGER pinpoint_erase_only BEFORE UPDATE ON {ADDENDUM}
    FOR EACH ROW EXECUTE FUNCTION pinpoint_erase_only('text')""",
    *(
        f"""CREATE TRIGGER pinpoint_sealed_truncate BEFORE TRUNCATE ON {table}
        FOR EACH STATEMENT EXECUTE FUNCTION pinpoint_refuse_sealed()"""
        for table in (SESSION, AREA, ADDENDUM)
    ),
]
POSTGRES_DOWN = [
    f"DROP TRIGGER IF EXISTS pinpoint_el_session_signed ON {SESSION}",
    f"DROP TRIGGER IF EXISTS pinpoint_el_area_signed ON {AREA}",
    f"DROP TRIGGER IF EXISTS pinpoint_el_addendum_frozen ON {ADDENDUM}",
    f"DROP TRIGGER IF EXISTS pinpoint_erase_only ON {ADDENDUM}",
    *(f"DROP TRIGGER IF EXISTS pinpoint_sealed_truncate ON {table}" for table in (SESSION, AREA, ADDENDUM)),
    "DROP FUNCTION IF EXISTS pinpoint_el_session_guard()",
    "DROP FUNCTION IF EXISTS pinpoint_el_area_guard()",
]


class Migration(migrations.Migration):
    dependencies = [
        ("electrolysis", "0001_courses_sessions_area_records"),
        ("audit", "0005_erasure"),
        ("exports", "0001_erasure_triggers"),
    ]

    operations = [
        migrations.RunPython(
            run_per_vendor({"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}),
            run_per_vendor({"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}),
        ),
    ]
