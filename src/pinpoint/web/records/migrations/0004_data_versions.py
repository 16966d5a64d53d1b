# ruff: noqa: RUF012, S105, S608 - migration class attributes are lists by convention; the SQL is built from constants
"""Each organization's data version: a token the database replaces on every write to what its pages keep.

``records_dataversion`` holds one row per organization, ``(organization_id, token)``. Triggers on
every table of its records that the dashboard and the timeline read replace the organization's
token with a new random one in the same transaction as the write (ADR 0015), so no write path can
forget it: the ORM, raw SQL, bulk updates, imports, erasure. ``records.versions`` reads the token
and the dashboard and the timeline keep their pages under it. A token is random, not a count: a
restored database brings back the tokens of the data it holds, and no new write can give a token
a page was kept under before.

On SQLite, row triggers (AFTER INSERT, UPDATE, DELETE) upsert the token of the row's organization
(before and after an update); SQLite runs one writer at a time. On PostgreSQL they are constraint
triggers, deferred: they fire at commit, after the statements of the transaction, beside the
foreign-key checks Django also defers. The version row is locked only while a transaction commits,
so it cannot close a cycle with the locks a transaction takes while it runs (the chain head it
seals into, a row read ``FOR UPDATE``): a transaction that seals before writing and one that
writes before sealing do not deadlock on it (with the triggers fired at each statement they did:
``tests/web/test_data_versions.py``). One cycle is left, narrow: a transaction whose commit has
locked the version row and then checks a later row's foreign key against a parent row that
another committing transaction holds ``FOR UPDATE``; PostgreSQL then aborts one of them.
A TRUNCATE replaces every token.

The organization table itself is covered: its name, time zone and policy overrides show on the
dashboard. So is a change of a user's name or email (shown beside what she recorded or signed): it
replaces every organization's token. Rows of organizations that exist now are made here.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

VERSIONS = "records_dataversion"
TABLES = (
    "accounts_organization",
    "clients_client",
    "clients_questionnaire",
    "consents_consent",
    "treatments_course",
    "treatments_session",
    "treatments_addendum",
    "electrolysis_course",
    "electrolysis_session",
    "electrolysis_electrolysisaddendum",
    "outcomes_adverseevent",
    "outcomes_adverseeventupdate",
)
"""Every table of an organization's records the dashboard and the timeline read (``tests/web/test_data_versions.py``
checks it against the queries they make)."""
USERS = "accounts_user"
"""Read for the names of who recorded or signed (the timeline): a change of a user's name or email replaces the
token of every organization, in organization order (a user's records may be in one she has left)."""
NAMED = ("full_name", "email")


def _organization(table: str) -> str:
    """The column naming a row's organization."""
    return "id" if table == "accounts_organization" else "organization_id"


SQLITE_TOKEN = "lower(hex(randomblob(16)))"
POSTGRES_TOKEN = "gen_random_uuid()::text"


def _sqlite_upsert(organization: str, when: str = "true") -> str:
    return (
        f"INSERT INTO {VERSIONS} (organization_id, token) SELECT {organization}, {SQLITE_TOKEN} WHERE {when}"
        " ON CONFLICT (organization_id) DO UPDATE SET token = excluded.token;"
    )


def _sqlite(table: str) -> list[str]:
    column = _organization(table)
    name = f"pinpoint_version_{table}"
    return [
        f"CREATE TRIGGER {name}_insert AFTER INSERT ON {table} BEGIN {_sqlite_upsert(f'NEW.{column}')} END",
        f"CREATE TRIGGER {name}_update AFTER UPDATE ON {table} BEGIN {_sqlite_upsert(f'NEW.{column}')}"
        f" {_sqlite_upsert(f'OLD.{column}', f'OLD.{column} IS NOT NEW.{column}')} END",
        f"CREATE TRIGGER {name}_delete AFTER DELETE ON {table} BEGIN {_sqlite_upsert(f'OLD.{column}')} END",
    ]


def _sqlite_users() -> str:
    changed = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in NAMED)
    return (
        f"CREATE TRIGGER pinpoint_version_{USERS}_update AFTER UPDATE ON {USERS} WHEN {changed} BEGIN"
        f" INSERT INTO {VERSIONS} (organization_id, token) SELECT id, {SQLITE_TOKEN} FROM accounts_organization"
        " WHERE true ON CONFLICT (organization_id) DO UPDATE SET token = excluded.token; END"
    )


def _sqlite_drops(table: str) -> list[str]:
    return [f"DROP TRIGGER IF EXISTS pinpoint_version_{table}_{op}" for op in ("insert", "update", "delete")]


def _postgres_upsert(organization: str) -> str:
    return (
        f"INSERT INTO {VERSIONS} (organization_id, token) VALUES ({organization}, {POSTGRES_TOKEN})"
        " ON CONFLICT (organization_id) DO UPDATE SET token = EXCLUDED.token;"
    )


def _postgres_function(column: str) -> str:
    return f"""CREATE FUNCTION pinpoint_version_by_{column}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    UPDATE {VERSIONS} SET token = {POSTGRES_TOKEN};
    RETURN NULL;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    {_postgres_upsert(f"NEW.{column}")}
  END IF;
  IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND OLD.{column} IS DISTINCT FROM NEW.{column}) THEN
    {_postgres_upsert(f"OLD.{column}")}
  END IF;
  RETURN NULL;
END $$"""


POSTGRES_USERS = [
    f"""CREATE FUNCTION pinpoint_version_every_organization() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO {VERSIONS} (organization_id, token)
    SELECT id, {POSTGRES_TOKEN} FROM accounts_organization ORDER BY id
    ON CONFLICT (organization_id) DO UPDATE SET token = EXCLUDED.token;
  RETURN NULL;
END $$""",
    f"CREATE CONSTRAINT TRIGGER pinpoint_version_{USERS}_update AFTER UPDATE ON {USERS} DEFERRABLE INITIALLY DEFERRED"
    f" FOR EACH ROW WHEN ({' OR '.join(f'NEW.{c} IS DISTINCT FROM OLD.{c}' for c in NAMED)})"
    " EXECUTE FUNCTION pinpoint_version_every_organization()",
]


def _postgres(table: str) -> list[str]:
    function = f"pinpoint_version_by_{_organization(table)}()"
    name = f"pinpoint_version_{table}"
    return [
        *(
            f"CREATE CONSTRAINT TRIGGER {name}_{op.lower()} AFTER {op} ON {table} DEFERRABLE INITIALLY DEFERRED"
            f" FOR EACH ROW EXECUTE FUNCTION {function}"
            for op in ("INSERT", "UPDATE", "DELETE")
        ),
        f"CREATE TRIGGER {name}_truncate AFTER TRUNCATE ON {table} FOR EACH STATEMENT EXECUTE FUNCTION {function}",
    ]


def _postgres_drops(table: str) -> list[str]:
    ops = ("insert", "update", "delete", "truncate")
    return [f"DROP TRIGGER IF EXISTS pinpoint_version_{table}_{op} ON {table}" for op in ops]


def create(apps: Any, schema_editor: Any) -> None:
    postgres = schema_editor.connection.vendor == "postgresql"
    schema_editor.execute(f"CREATE TABLE {VERSIONS} (organization_id integer PRIMARY KEY, token varchar(40) NOT NULL)")
    if postgres:
        for column in ("id", "organization_id"):
            schema_editor.execute(_postgres_function(column))
    for table in TABLES:
        for sql in _postgres(table) if postgres else _sqlite(table):
            schema_editor.execute(sql)
    for sql in POSTGRES_USERS if postgres else [_sqlite_users()]:
        schema_editor.execute(sql)
    token = POSTGRES_TOKEN if postgres else SQLITE_TOKEN
    schema_editor.execute(
        f"INSERT INTO {VERSIONS} (organization_id, token) SELECT id, {token} FROM accounts_organization"
    )


def drop(apps: Any, schema_editor: Any) -> None:
    postgres = schema_editor.connection.vendor == "postgresql"
    for table in TABLES:
        for sql in _postgres_drops(table) if postgres else _sqlite_drops(table):
            schema_editor.execute(sql)
    schema_editor.execute(
        f"DROP TRIGGER IF EXISTS pinpoint_version_{USERS}_update" + (f" ON {USERS}" if postgres else "")
    )
    if postgres:
        for column in ("id", "organization_id"):
            schema_editor.execute(f"DROP FUNCTION IF EXISTS pinpoint_version_by_{column}()")
        schema_editor.execute("DROP FUNCTION IF EXISTS pinpoint_version_every_organization()")
    schema_editor.execute(f"DROP TABLE IF EXISTS {VERSIONS}")


class Migration(migrations.Migration):
    dependencies = [
        ("records", "0003_phone_digit_grams"),
        ("accounts", "0001_initial"),
        ("clients", "0002_questionnaire_triggers"),
        ("consents", "0002_consent_triggers"),
        ("treatments", "0006_override_approval"),
        ("electrolysis", "0004_dashboard_indexes"),
        ("outcomes", "0003_erasure_triggers"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
