"""``pinpoint export``: an organization's records as FHIR bundles, or everything as one zip.

It reads the same database as ``pinpoint serve`` (``$PINPOINT_DATA_DIR``, default ``./var``, or
``DATABASE_URL``). ``--format fhir-r4b|fhir-r5`` writes one Bundle JSON file per organization or, with ``--client``,
the one client's bundle: into the file ``PATH`` when it ends in ``.json`` (one bundle), else into
the directory ``PATH`` (created), one file per organization;
``--format zip`` writes the full export of one organization to the file ``PATH``.
Exit status: 0 done, 2 for a user error (one line on stderr).
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from pinpoint.cli.common import setup_records
from pinpoint.core.errors import InputError

__all__ = ["export"]


class Format(StrEnum):
    """What ``pinpoint export`` writes."""

    FHIR_R4B = "fhir-r4b"
    FHIR_R5 = "fhir-r5"
    ZIP = "zip"


def _setup() -> None:
    setup_records()


def export(
    fmt: Annotated[Format, typer.Option("--format", help="fhir-r4b, fhir-r5 or zip.", case_sensitive=False)],
    out: Annotated[Path, typer.Option("--out", help="Output file (zip, or one client), or directory (bundles).")],
    organization: Annotated[
        str | None, typer.Option("--organization", help="Organization id or slug of its name (default: all).")
    ] = None,
    client: Annotated[int | None, typer.Option("--client", help="Only this client's records (its id).")] = None,
) -> None:
    """Export records: FHIR R4B or R5 bundles, or the full zip of an organization."""
    _setup()
    from django.utils import timezone
    from django.utils.text import slugify

    from pinpoint.interop.fhir import Version
    from pinpoint.web.exports.archive import write_zip
    from pinpoint.web.exports.fhir import write_bundle

    now: dt.datetime = timezone.now()
    orgs = _organizations(organization, client)
    if fmt is Format.ZIP:
        if client is not None:
            raise InputError("client", "--client: a zip holds a whole organization; use --format fhir-r4b or fhir-r5")
        if len(orgs) != 1:
            raise InputError("organization", "--organization: a zip holds one organization; name it")
        if out.is_dir():
            raise InputError("out", f"--out: '{out}' is a directory; give the zip file's name")
        _parent(out)
        counts = write_zip(out, orgs[0], now=now)
        typer.echo(f"wrote {out} ({sum(counts.values())} records of {orgs[0].name})")
        return
    version = Version.R5 if fmt is Format.FHIR_R5 else Version.R4B
    if out.suffix.lower() == ".json" and not out.is_dir():
        if len(orgs) != 1:
            raise InputError("out", "--out: one .json file holds one bundle; name an organization, or give a directory")
        targets = [(orgs[0], out)]
    else:
        if out.exists() and not out.is_dir():
            raise InputError("out", f"--out: '{out}' is a file; give a .json file name or a directory")
        out.mkdir(parents=True, exist_ok=True)
        who = f"client-{client}" if client is not None else None
        targets = [(o, out / f"{who or slugify(o.name) or 'organization'}-{o.pk}-{fmt.value}.json") for o in orgs]
    for org, target in targets:
        _parent(target)
        with target.open("w", encoding="utf-8") as fh:
            n = write_bundle(fh, org, version, now=now, client_id=client)
        typer.echo(f"wrote {target} ({n} resources)")


def _organizations(organization: str | None, client: int | None) -> list[Any]:
    """The organizations to export: the client's, the one named, or all of them."""
    from django.utils.text import slugify

    from pinpoint.web.accounts.models import Organization
    from pinpoint.web.clients.models import Client
    from pinpoint.web.exports.selectors import find_organization

    if client is not None:
        found = Client.objects.filter(pk=client).select_related("organization").first()
        if found is None:
            raise InputError("client", f"--client: no client with id {client}")
        if organization is not None and find_organization(organization) != found.organization:
            raise InputError("client", f"--client: client {client} is not in organization '{organization}'")
        return [found.organization]
    if organization is not None:
        org = find_organization(organization)
        if org is None:
            names = ", ".join(slugify(o.name) for o in Organization.objects.order_by("pk"))
            raise InputError("organization", f"--organization: no organization '{organization}'; known: {names}")
        return [org]
    return list(Organization.objects.order_by("pk"))


def _parent(path: Path) -> None:
    if not path.parent.is_dir():
        raise InputError("out", f"--out: directory '{path.parent}' does not exist")
