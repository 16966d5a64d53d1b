# ruff: noqa: S608 - the SQL is built from table and column names of the migrations, never from input
"""The SQL of the sealed-record triggers, for the migrations that install them (SQLite and PostgreSQL).

Every app with sealed rows installs its triggers in a migration; the shapes they share live here:
running statements per database vendor, the append-only triggers of a table (no update, delete or
replacing insert on SQLite; row and TRUNCATE triggers calling ``pinpoint_refuse_sealed()`` of
``audit`` 0003 on PostgreSQL) and the "changed only by an erasure that lists the field" condition
of ADR 0010. A migration's SQL is history: what these functions return for given arguments never
changes (a new shape is a new function), and they import no model.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from django.core.exceptions import ImproperlyConfigured

__all__ = [
    "VENDORS",
    "erasure_lists",
    "postgres_append_only",
    "postgres_append_only_drops",
    "run_per_vendor",
    "sqlite_append_only",
    "sqlite_append_only_drops",
    "sqlite_columns",
    "sqlite_erase_only_refused",
]

VENDORS = ("sqlite", "postgresql")
"""The databases Pinpoint supports; every trigger migration has SQL for both."""

APPEND_ONLY_TRIGGERS = ("no_update", "no_delete", "no_replace")


def run_per_vendor(statements: Mapping[str, Sequence[str]], what: str = "sealed-record") -> Callable[[Any, Any], None]:
    """A ``RunPython`` function executing the statements of the database in use, in order.

    A vendor Pinpoint supports but ``statements`` leaves out runs nothing; any other is refused.
    """

    def run(apps: Any, schema_editor: Any) -> None:
        vendor = schema_editor.connection.vendor
        if vendor not in VENDORS:
            msg = f"Pinpoint supports SQLite and PostgreSQL; {vendor} has no {what} triggers"
            raise ImproperlyConfigured(msg)
        for sql in statements.get(vendor, ()):
            schema_editor.execute(sql)

    return run


def sqlite_append_only(table: str, refusal: str, clash: str = "id = NEW.id") -> list[str]:
    """SQLite triggers refusing any UPDATE or DELETE of ``table``, and an INSERT that would replace a row.

    ``refusal`` is the error with ``{}`` where "changed", "deleted" or "replaced" goes; ``clash`` the
    condition on an existing row that the new one would replace (by id, or also by a unique key).
    """
    return [
        f"""CREATE TRIGGER pinpoint_{table}_no_update BEFORE UPDATE ON {table}
    BEGIN SELECT RAISE(ABORT, '{refusal.format("changed")}'); END""",
        f"""CREATE TRIGGER pinpoint_{table}_no_delete BEFORE DELETE ON {table}
    BEGIN SELECT RAISE(ABORT, '{refusal.format("deleted")}'); END""",
        f"""CREATE TRIGGER pinpoint_{table}_no_replace BEFORE INSERT ON {table}
    WHEN EXISTS (SELECT 1 FROM {table} WHERE {clash})
    BEGIN SELECT RAISE(ABORT, '{refusal.format("replaced")}'); END""",
    ]


def sqlite_append_only_drops(table: str) -> list[str]:
    """Undo :func:`sqlite_append_only`."""
    return [f"DROP TRIGGER IF EXISTS pinpoint_{table}_{what}" for what in APPEND_ONLY_TRIGGERS]


def postgres_append_only(table: str, *, rows: bool = True) -> list[str]:
    """PostgreSQL triggers refusing UPDATE and DELETE of ``table``'s rows (unless ``rows`` is false) and TRUNCATE."""
    row = f"""CREATE TRIGGER pinpoint_sealed_rows BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION pinpoint_refuse_sealed()"""
    truncate = f"""CREATE TRIGGER pinpoint_sealed_truncate BEFORE TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION pinpoint_refuse_sealed()"""
    return [row, truncate] if rows else [truncate]


def postgres_append_only_drops(table: str, *, rows: bool = True) -> list[str]:
    """Undo :func:`postgres_append_only`."""
    drops = [f"DROP TRIGGER IF EXISTS pinpoint_sealed_truncate ON {table}"]
    return [f"DROP TRIGGER IF EXISTS pinpoint_sealed_rows ON {table}", *drops] if rows else drops


def erasure_lists(table: str, column: str) -> str:
    """SQLite condition: an ``audit_erasure`` row lists ``column`` of this row (``OLD.id``) of ``table``."""
    return (
        "EXISTS (SELECT 1 FROM audit_erasure e, json_each(e.fields) f"
        f" WHERE json_extract(f.value, '$.table') = '{table}' AND json_extract(f.value, '$.record') = OLD.id"
        f" AND json_extract(f.value, '$.field') = '{column}')"
    )


def sqlite_erase_only_refused(table: str, columns: Iterable[str], personal: Sequence[str]) -> str:
    """SQLite condition refusing an update: a column other than ``personal`` changed, or a personal one
    changed that no erasure lists (ADR 0010)."""
    others = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in columns if c not in personal)
    unlisted = " OR ".join(f"(NEW.{c} IS NOT OLD.{c} AND NOT {erasure_lists(table, c)})" for c in personal)
    return f"({others} OR {unlisted})"


def sqlite_columns(schema_editor: Any, table: str) -> list[str]:
    """The columns ``table`` has now (SQLite), in order."""
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"PRAGMA table_info({table})")
        return [row[1] for row in cursor.fetchall()]
