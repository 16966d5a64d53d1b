"""``pinpoint token create``: a personal API token for a user, printed once.

It uses the database ``pinpoint serve`` uses (``DATABASE_URL`` or the SQLite file in
``PINPOINT_DATA_DIR``, default ``./var``). Errors print one line on stderr and exit 2.
"""

from __future__ import annotations

from typing import Annotated

import typer

from pinpoint.cli.common import setup_records
from pinpoint.core.errors import InputError

__all__ = ["app", "create"]

app = typer.Typer(help="Personal API tokens (Authorization: Bearer TOKEN).", no_args_is_help=True)


def _setup() -> None:
    setup_records("cannot open the database")


@app.command()
def create(
    user: Annotated[str, typer.Option("--user", help="Email address of the user the token acts as.")],
    scope: Annotated[str, typer.Option("--scope", help="read, or write (read and write).")] = "read",
    days: Annotated[
        int | None, typer.Option("--days", help="Days the token is valid (default 90, at most 366).")
    ] = None,
    organization: Annotated[
        int | None, typer.Option("--organization", help="Organization id, for a user who belongs to several.")
    ] = None,
    name: Annotated[str, typer.Option("--name", help="A name to recognise the token by.")] = "command line",
) -> None:
    """Create an API token for a user's membership and print it once (only its digest is stored)."""
    from django.db import DatabaseError

    _setup()
    from pinpoint.web.accounts.models import Membership, User
    from pinpoint.web.api.tokens import DEFAULT_DAYS, create_token

    if scope not in ("read", "write"):
        raise InputError("scope", f"--scope must be read or write, got {scope!r}")
    try:
        who = User.objects.filter(email=user.strip().lower()).first()
        if who is None:
            raise InputError("user", f"--user: no user with the email {user}")
        memberships = list(Membership.objects.filter(user=who).select_related("organization").order_by("pk"))
        if organization is not None:
            memberships = [m for m in memberships if m.organization_id == organization]
        if not memberships:
            raise InputError(
                "organization", f"{who.email} is not a member of {'that' if organization else 'any'} organization"
            )
        if len(memberships) > 1:
            names = ", ".join(f"{m.organization_id} ({m.organization.name})" for m in memberships)
            raise InputError(
                "organization", f"{who.email} belongs to several organizations; add --organization: {names}"
            )
        new = create_token(
            who, memberships[0].organization, name=name, scope=scope, days=DEFAULT_DAYS if days is None else days
        )
    except InputError as exc:
        if exc.field in ("days", "scope", "name"):
            raise InputError(exc.field, f"--{exc.field}: {exc.message}") from None
        raise
    except DatabaseError as exc:
        raise InputError("database", f"cannot write the token: {str(exc).splitlines()[0]}") from None
    typer.echo(new.text)
    expires = new.token.expires_at.date().isoformat()
    typer.echo(
        f"{new.token.get_scope_display()} token for {who.email} in {new.token.organization.name}, expires {expires}. "
        "It is shown only now.",
        err=True,
    )
