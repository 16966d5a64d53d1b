"""``pinpoint reminders [--on DATE] [--dry-run] [--json]``: send (or list) the reminders and recalls due.

It reads the same database as ``pinpoint serve`` (``$PINPOINT_DATA_DIR``, default ``./var``, or
``DATABASE_URL``) and sends through Django's email settings (``EMAIL_BACKEND``, ``EMAIL_HOST``...).
Each reminder is sent once: a row per reminder and due date is claimed before its email goes, so
a second run, even at the same time, sends nothing twice. Exit 0; 2 for a user error (one line
on stderr).
"""

from __future__ import annotations

from typing import Annotated

import typer

from pinpoint.cli.common import JsonOpt, emit_json, parse_date, setup_records, table, today

__all__ = ["reminders"]


def reminders(
    on: Annotated[str | None, typer.Option("--on", help="The day to send for, YYYY-MM-DD (default today).")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="List what would be sent; send nothing.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Send the appointment reminders, recalls and home reminders due on a day, each once."""
    day = parse_date(on, "--on") or today()
    setup_records()
    from pinpoint.web.reminders.actions import run

    rows = run(day, dry_run=dry_run)
    if as_json:
        emit_json({"on": day.isoformat(), "dry_run": dry_run, "reminders": rows})
        return
    title = f"Reminders due on {day:%A %d %B %Y}" + (" (dry run: nothing sent)" if dry_run else "")
    table(
        title,
        ["To", "What", "Due", "Status"],
        [[f"{r['name']} <{r['to']}>", r["subject"], r["due_on"], r["status"]] for r in rows],
    )
