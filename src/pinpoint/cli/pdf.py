"""``pinpoint pdf KIND ID --out FILE --user EMAIL [--size a4|letter]``.

KIND is ``aftercare``, ``plan``, ``consent``, ``record``, ``electrolysis-plan``,
``electrolysis-record`` or ``electrolysis-aftercare``.

It prints the same document as the page's "Print / PDF" link, from the same database as
``pinpoint serve`` (``$PINPOINT_DATA_DIR``, default ``./var``, or ``DATABASE_URL``). It acts as the
user named by ``--user``: only records of that user's organizations can be printed, with that
user's permissions, and the print is recorded in the audit trail under that user's name.
ID is a course id for ``plan``, a consent id for ``consent``, a session id for ``record`` and
``aftercare``; an electrolysis course id for ``electrolysis-plan``, an electrolysis session id
for ``electrolysis-record`` and ``electrolysis-aftercare``. Exit status 0 when the file is written,
2 for a user error (one line on stderr).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from pinpoint.cli.common import setup_records
from pinpoint.core.errors import InputError

if TYPE_CHECKING:
    from pinpoint.web.base.tenancy import Actor

__all__ = ["pdf"]


def _setup() -> None:
    setup_records()


def _actors(email: str) -> list[Actor]:
    """The user with ``email`` acting in each of their organizations, oldest membership first."""
    from pinpoint.web.accounts.models import Membership, User
    from pinpoint.web.base.tenancy import Actor

    user = User.objects.filter(email__iexact=email.strip()).first()
    if user is None:
        raise InputError("--user", f"--user: there is no user with the email '{email}'")
    memberships = list(Membership.objects.filter(user=user).select_related("organization").order_by("pk"))
    if not memberships:
        raise InputError("--user", f"--user: {email} belongs to no organization")
    return [Actor(user=user, organization=m.organization, role=m.role) for m in memberships]


def _render(actors: list[Actor], kind: str, pk: int, size: str) -> bytes:
    """The document from the first of the user's organizations that holds record ``pk``."""
    from django.core.exceptions import PermissionDenied

    from pinpoint.web.documents.kinds import RECORDS
    from pinpoint.web.documents.render import DocumentNotFoundError, render_pdf

    for actor in actors:
        try:
            return render_pdf(actor, kind, pk, size)
        except DocumentNotFoundError:
            continue
        except PermissionDenied as exc:
            raise InputError("--user", f"--user: {exc}") from None
    names = ", ".join(a.organization.name for a in actors)
    raise InputError("id", f"there is no {RECORDS[kind]} {pk} in {names}")


def pdf(
    kind: Annotated[
        str,
        typer.Argument(
            help="The document: aftercare, plan, consent, record, "
            "electrolysis-plan, electrolysis-record or electrolysis-aftercare.",
        ),
    ],
    record_id: Annotated[
        int,
        typer.Argument(
            metavar="ID",
            help="Course id (plan), consent id, or session id (record, aftercare); the same for electrolysis.",
        ),
    ],
    out: Annotated[Path, typer.Option("--out", help="The PDF file to write.")],
    user: Annotated[str, typer.Option("--user", help="Print as this user (email): their organizations and role.")],
    size: Annotated[str, typer.Option("--size", help="Paper: a4 or letter.")] = "a4",
) -> None:
    """Print a course plan, a signed consent, an aftercare handout or a signed session record to PDF.

    Microneedling and needle electrolysis each have their plan, record and aftercare handout.
    """
    from django.db import DatabaseError

    from pinpoint.web.documents.kinds import KINDS, check_kind, check_size

    check_kind(kind)
    check_size(size)
    if out.is_dir():
        raise InputError("--out", f"--out: {out} is a folder; name the PDF file to write")
    if not out.parent.is_dir():
        raise InputError("--out", f"--out: the folder {out.parent} does not exist")
    _setup()
    try:
        data = _render(_actors(user), kind, record_id, size)
    except DatabaseError as exc:
        raise InputError("database", f"cannot read the records: {str(exc).splitlines()[0]}") from None
    try:
        out.write_bytes(data)
    except OSError as exc:
        raise InputError("--out", f"--out: cannot write {out}: {exc.strerror or exc}") from None
    sys.stdout.write(f"{KINDS[kind]} {record_id} written to {out} ({size.strip().lower()}, {len(data)} bytes)\n")
