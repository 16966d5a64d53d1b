# ruff: noqa: RUF012 - class attributes of a migration are lists by convention
"""Database triggers: a signed session, its zone records and any addendum cannot be changed or deleted.

The models refuse such writes already; the triggers also stop raw SQL and bulk writes that bypass
``save()``. Plain SQL per database vendor; shared shapes from :mod:`pinpoint.web.base.sealed_sql`;
no model is imported here.
"""

from __future__ import annotations

from django.db import migrations

from pinpoint.web.base.sealed_sql import run_per_vendor

SQLITE_UP = [
    """CREATE TRIGGER pinpoint_session_signed_update BEFORE UPDATE ON treatments_session
    WHEN OLD.status = 'signed' BEGIN SELECT RAISE(ABORT, 'a signed session is immutable'); END""",
    """CREATE TRIGGER pinpoint_session_signed_delete BEFORE DELETE ON treatments_session
    WHEN OLD.status = 'signed' BEGIN SELECT RAISE(ABORT, 'a signed session is immutable'); END""",
    """CREATE TRIGGER pinpoint_zone_signed_insert BEFORE INSERT ON treatments_zonerecord
    WHEN (SELECT status FROM treatments_session WHERE id = NEW.session_id) = 'signed'
    BEGIN SELECT RAISE(ABORT, 'the zones of a signed session are immutable'); END""",
    """CREATE TRIGGER pinpoint_zone_signed_update BEFORE UPDATE ON treatments_zonerecord
    WHEN (SELECT status FROM treatments_session WHERE id = OLD.session_id) = 'signed'
      OR (SELECT status FROM treatments_session WHERE id = NEW.session_id) = 'signed'
    BEGIN SELECT RAISE(ABORT, 'the zones of a signed session are immutable'); END""",
    """CREATE TRIGGER pinpoint_zone_signed_delete BEFORE DELETE ON treatments_zonerecord
    WHEN (SELECT status FROM treatments_session WHERE id = OLD.session_id) = 'signed'
    BEGIN SELECT RAISE(ABORT, 'the zones of a signed session are immutable'); END""",
    """CREATE TRIGGER pinpoint_addendum_update BEFORE UPDATE ON treatments_addendum
    BEGIN SELECT RAISE(ABORT, 'an addendum is immutable'); END""",
    """CREATE TRIGGER pinpoint_addendum_delete BEFORE DELETE ON treatments_addendum
    BEGIN SELECT RAISE(ABORT, 'an addendum is immutable'); END""",
]
SQLITE_DOWN = [
    f"DROP TRIGGER IF EXISTS {name}"
    for name in (
        "pinpoint_session_signed_update",
        "pinpoint_session_signed_delete",
        "pinpoint_zone_signed_insert",
        "pinpoint_zone_signed_update",
        "pinpoint_zone_signed_delete",
        "pinpoint_addendum_update",
        "pinpoint_addendum_delete",
    )
]

POSTGRES_UP = [
    """CREATE FUNCTION pinpoint_session_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF OLD.status = 'signed' THEN RAISE EXCEPTION 'a signed session is immutable'; END IF;
      IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
      RETURN NEW;
    END $$""",
    """CREATE TRIGGER pinpoint_session_signed BEFORE UPDATE OR DELETE ON treatments_session
    FOR EACH ROW EXECUTE FUNCTION pinpoint_session_immutable()""",
    """CREATE FUNCTION pinpoint_zone_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP IN ('UPDATE', 'DELETE')
         AND (SELECT status FROM treatments_session WHERE id = OLD.session_id) = 'signed' THEN
        RAISE EXCEPTION 'the zones of a signed session are immutable';
      END IF;
      IF TG_OP IN ('INSERT', 'UPDATE')
         AND (SELECT status FROM treatments_session WHERE id = NEW.session_id) = 'signed' THEN
        RAISE EXCEPTION 'the zones of a signed session are immutable';
      END IF;
      IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
      RETURN NEW;
    END $$""",
    """CREATE TRIGGER pinpoint_zone_signed BEFORE INSERT OR UPDATE OR DELETE ON treatments_zonerecord
    FOR EACH ROW EXECUTE FUNCTION pinpoint_zone_immutable()""",
    """CREATE FUNCTION pinpoint_addendum_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'an addendum is immutable'; END $$""",
    """CREATE TRIGGER pinpoint_addendum_frozen BEFORE UPDATE OR DELETE ON treatments_addendum
    FOR EACH ROW EXECUTE FUNCTION pinpoint_addendum_immutable()""",
]
POSTGRES_DOWN = [
    "DROP TRIGGER IF EXISTS pinpoint_session_signed ON treatments_session",
    "DROP TRIGGER IF EXISTS pinpoint_zone_signed ON treatments_zonerecord",
    "DROP TRIGGER IF EXISTS pinpoint_addendum_frozen ON treatments_addendum",
    "DROP FUNCTION IF EXISTS pinpoint_session_immutable()",
    "DROP FUNCTION IF EXISTS pinpoint_zone_immutable()",
    "DROP FUNCTION IF EXISTS pinpoint_addendum_immutable()",
]


class Migration(migrations.Migration):
    dependencies = [("treatments", "0001_initial")]

    operations = [
        migrations.RunPython(
            run_per_vendor({"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}, "signed-record"),
            run_per_vendor({"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}, "signed-record"),
        ),
    ]
