# ruff: noqa: RUF012 - class attributes of a migration are lists by convention
"""Indexes for a million clients: the search, the client list's next session, the dashboard's open sessions.

They are on other apps' tables, read by this app's selectors (``records.clients``) and by the
dashboard, so they are added here (this app has no models; migrations run SQL only, importing no app
code). On both databases: partial indexes of booked (and running) sessions, by client for the
client list's "next session" and by organization and date for the dashboard. On PostgreSQL only:
``pg_trgm`` trigram GIN indexes that serve the search's substring matches (``UPPER(...) LIKE``, as
Django writes ``icontains``) on the name, the email and the phone's digits; SQLite has none and
scans, which is fine at the sizes a SQLite file holds.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

PHONE_DIGITS = "REPLACE(" * 7 + "phone, ' ', ''), '-', ''), '(', ''), ')', ''), '.', ''), '+', ''), '/', '')"
"""The phone's digits exactly as ``clients.selectors.client_search`` computes them (so the planner matches it)."""

BOTH = [
    (
        "session_booked_client",
        "CREATE INDEX session_booked_client ON treatments_session (organization_id, client_id, scheduled_on)"
        " WHERE status = 'booked'",
    ),
    (
        "session_open_org_date",
        "CREATE INDEX session_open_org_date ON treatments_session (organization_id, scheduled_on)"
        " WHERE status IN ('booked', 'in_progress')",
    ),
]
POSTGRESQL = [
    (
        "client_name_trgm",
        "CREATE INDEX client_name_trgm ON clients_client USING gin (UPPER(full_name::text) gin_trgm_ops)",
    ),
    (
        "client_email_trgm",
        "CREATE INDEX client_email_trgm ON clients_client USING gin (UPPER(email::text) gin_trgm_ops)",
    ),
    (
        "client_phone_trgm",
        f"CREATE INDEX client_phone_trgm ON clients_client USING gin (({PHONE_DIGITS}) gin_trgm_ops)",
    ),
]


def _indexes(schema_editor: Any) -> list[tuple[str, str]]:
    if schema_editor.connection.vendor == "postgresql":
        return BOTH + POSTGRESQL
    return BOTH


def create(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for _, sql in _indexes(schema_editor):
        schema_editor.execute(sql)


def drop(apps: Any, schema_editor: Any) -> None:
    for name, _ in _indexes(schema_editor):
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("clients", "0002_questionnaire_triggers"),
        ("treatments", "0004_sealed_triggers"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
