# ruff: noqa: RUF012, S608 - class attributes of a migration are lists; the SQL is built from constants only
"""Database triggers: a signed consent never changes except for its withdrawal, recorded once.

The one update allowed sets ``withdrawn_at`` (with who and why) on a consent not yet withdrawn and
leaves every signed column as it was; deletes, replacing inserts (SQLite) and TRUNCATE (PostgreSQL)
are refused. Plain SQL per database vendor; shared shapes from :mod:`pinpoint.web.base.sealed_sql`;
no model is imported here.
"""

from __future__ import annotations

from django.db import migrations

from pinpoint.web.base.sealed_sql import run_per_vendor

T = "consents_consent"
SIGNED = (
    "id",
    "organization_id",
    "client_id",
    "template_id",
    "treatment",
    "template_version",
    "title",
    "text",
    "signed_name",
    "signer",
    "signed_at",
    "recorded_by_id",
    "photo_clinical",
    "photo_marketing",
)
CHANGED_SQLITE = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in SIGNED)
CHANGED_PG = f"({', '.join('NEW.' + c for c in SIGNED)}) IS DISTINCT FROM ({', '.join('OLD.' + c for c in SIGNED)})"
REFUSAL = "a signed consent is never changed; only its withdrawal is recorded, once"

SQLITE_UP = [
    f"""CREATE TRIGGER pinpoint_{T}_withdraw_only BEFORE UPDATE ON {T}
    WHEN OLD.withdrawn_at IS NOT NULL OR NEW.withdrawn_at IS NULL OR {CHANGED_SQLITE}
    BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END""",
    f"""CREATE TRIGGER pinpoint_{T}_no_delete BEFORE DELETE ON {T}
    BEGIN SELECT RAISE(ABORT, 'a consent is sealed: never deleted'); END""",
    f"""CREATE TRIGGER pinpoint_{T}_no_replace BEFORE INSERT ON {T}
    WHEN EXISTS (SELECT 1 FROM {T} WHERE id = NEW.id)
    BEGIN SELECT RAISE(ABORT, 'a consent is sealed: never replaced'); END""",
]
SQLITE_DOWN = [f"DROP TRIGGER IF EXISTS pinpoint_{T}_{what}" for what in ("withdraw_only", "no_delete", "no_replace")]

POSTGRES_UP = [
    f"""CREATE FUNCTION pinpoint_consent_withdraw_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'DELETE' OR OLD.withdrawn_at IS NOT NULL OR NEW.withdrawn_at IS NULL OR {CHANGED_PG} THEN
        RAISE EXCEPTION '{REFUSAL}';
      END IF;
      RETURN NEW;
    END $$""",
    f"""CREATE TRIGGER pinpoint_consent_withdraw_only BEFORE UPDATE OR DELETE ON {T}
    FOR EACH ROW EXECUTE FUNCTION pinpoint_consent_withdraw_only()""",
    f"""CREATE TRIGGER pinpoint_sealed_truncate BEFORE TRUNCATE ON {T}
    FOR EACH STATEMENT EXECUTE FUNCTION pinpoint_refuse_sealed()""",
]
POSTGRES_DOWN = [
    f"DROP TRIGGER IF EXISTS pinpoint_consent_withdraw_only ON {T}",
    f"DROP TRIGGER IF EXISTS pinpoint_sealed_truncate ON {T}",
    "DROP FUNCTION IF EXISTS pinpoint_consent_withdraw_only()",
]


class Migration(migrations.Migration):
    dependencies = [("consents", "0001_initial"), ("audit", "0003_sealed_table_triggers")]

    operations = [
        migrations.RunPython(
            run_per_vendor({"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}),
            run_per_vendor({"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}),
        ),
    ]
