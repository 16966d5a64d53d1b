# ruff: noqa: RUF012 - class attributes of a migration are lists
"""Database triggers: an erasure record, sealed like an audit event, is never changed, deleted or replaced.

The sealed tables' own triggers let a personal field change once an ``audit_erasure`` row lists it
(``exports`` 0001), so an erasure row rewritten in place would open them to any change; and an erasure
row is sealed in its organization's chain like any other. As for audit events (0003): row triggers
refuse UPDATE and DELETE, on SQLite a replacing INSERT (same id, or the same client's erasure), on
PostgreSQL a statement-level trigger refuses TRUNCATE. Plain SQL per database vendor, in the shapes of
:mod:`pinpoint.web.base.sealed_sql`.
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

TABLE = "audit_erasure"

SQLITE_UP = sqlite_append_only(
    TABLE,
    f"{TABLE} is sealed: rows are never {{}}",
    clash="id = NEW.id OR (organization_id = NEW.organization_id AND client_id = NEW.client_id)",
)
SQLITE_DOWN = sqlite_append_only_drops(TABLE)
POSTGRES_UP = postgres_append_only(TABLE)
POSTGRES_DOWN = postgres_append_only_drops(TABLE)


class Migration(migrations.Migration):
    dependencies = [("audit", "0005_erasure")]

    operations = [
        migrations.RunPython(
            run_per_vendor({"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}),
            run_per_vendor({"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}),
        ),
    ]
