"""``pinpoint backup FILE`` and ``pinpoint restore FILE``: the web app's database, copied and brought back.

Both use the database ``pinpoint serve`` uses: ``DATABASE_URL`` (PostgreSQL) or the SQLite file in
``PINPOINT_DATA_DIR`` (default ``./var``). Errors print one line on stderr and exit with status 2.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from pinpoint.core.errors import InputError

__all__ = ["backup", "restore"]

FileArg = Annotated[Path, typer.Argument(help="The backup file.", show_default=False)]


def _heads(heads: Any) -> str:
    if heads is None:
        return "chain heads: none recorded (the app has no sealed records yet)"
    return "chain heads: " + json.dumps(heads, sort_keys=True)


def _describe(summary: Any) -> str:
    from pinpoint.web.backup import ENGINE_NAMES

    return f"{ENGINE_NAMES[summary.engine]}, {len(summary.tables)} tables, {summary.rows:,} rows"


def _guarded(work: Any, what: str) -> Any:
    from django.core.exceptions import ImproperlyConfigured
    from django.db import DatabaseError

    from pinpoint.web.backup import BackupError

    try:
        return work()
    except BackupError as exc:
        raise InputError(what, f"{what}: {exc}") from None
    except (ImproperlyConfigured, DatabaseError, OSError) as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise InputError(what, f"{what}: {first}") from None


def backup(file: FileArg) -> None:
    """Write a consistent copy of the database, with the chain heads of the sealed records, to a new FILE.

    Safe while the app runs: SQLite's online backup API, or pg_dump's custom format on PostgreSQL.
    """
    from pinpoint.web.backup import backup as do_backup

    summary = _guarded(lambda: do_backup(file), "backup")
    typer.echo(f"Backup written: {file} ({_describe(summary)}, taken {summary.created_at})")
    typer.echo(_heads(summary.chain_heads))


def restore(file: FileArg) -> None:
    """Restore FILE into an empty database: a new data directory, or a new PostgreSQL database.

    Refuses a database that already holds data.
    """
    from pinpoint.web.backup import restore as do_restore

    summary = _guarded(lambda: do_restore(file), "restore")
    typer.echo(f"Restored: {file} taken {summary.created_at} ({_describe(summary)}); every table's rows match.")
    typer.echo(_heads(summary.chain_heads))
