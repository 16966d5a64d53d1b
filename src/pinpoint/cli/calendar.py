"""``pinpoint calendar --user EMAIL [--from DATE] [--to DATE]``: that user's calendar as ICS on stdout.

The same events as the user's private calendar address (RFC 5545, times with their VTIMEZONE):
appointments the user treats and, in a personal space, the home sessions. Default range: today
to 90 days ahead. Exit 0; 2 for a user error (one line on stderr).
"""

from __future__ import annotations

import datetime as dt
import sys
from typing import Annotated

import typer

from pinpoint.cli.common import parse_date, setup_records, today
from pinpoint.core.errors import InputError

__all__ = ["calendar"]

MAX_DAYS = 3660


def calendar(
    user: Annotated[str, typer.Option("--user", help="Email address of the user whose calendar to print.")],
    first: Annotated[str | None, typer.Option("--from", help="First day, YYYY-MM-DD (default today).")] = None,
    last: Annotated[str | None, typer.Option("--to", help="Last day, YYYY-MM-DD (default 90 days on).")] = None,
) -> None:
    """Print a user's appointments and home sessions as an iCalendar file."""
    start = parse_date(first, "--from") or today()
    end = parse_date(last, "--to", on=start) or start + dt.timedelta(days=90)
    if end < start:
        raise InputError("--to", f"--to {end} is before --from {start}")
    if (end - start).days > MAX_DAYS:
        raise InputError("--to", f"--from to --to spans {(end - start).days} days; at most {MAX_DAYS}")
    setup_records()
    from pinpoint.web.accounts.models import User
    from pinpoint.web.reminders.ics import to_ics
    from pinpoint.web.reminders.selectors import user_calendar

    who = User.objects.filter(email__iexact=user.strip()).first()
    if who is None:
        raise InputError("--user", f"--user: there is no user with the email '{user}'")
    events, zone = user_calendar(who, start, end)
    sys.stdout.write(to_ics(events, zone, f"Pinpoint: {who.display_name}").decode())
