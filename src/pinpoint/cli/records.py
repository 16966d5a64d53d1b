"""``pinpoint verify``: walk every organization's chain of sealed records.

It reads the same database as ``pinpoint serve`` (``$PINPOINT_DATA_DIR``, default ``./var``, or
``DATABASE_URL``) and the same seal key (``PINPOINT_SEAL_KEY`` or ``$PINPOINT_DATA_DIR/seal.key``).
Exit status: 0 when every chain holds, 1 when one is broken, 2 for a user error.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from pinpoint.cli.common import emit_json, parse_json_text, read_text_file, setup_records
from pinpoint.core.errors import InputError

if TYPE_CHECKING:
    from pinpoint.web.records.verify import OrgReport

__all__ = ["HEADS_FORMAT", "verify"]

HEADS_FORMAT = "pinpoint-chain-heads/1"


def _setup() -> None:
    """Load the web app's settings and check there is a database and a key to verify with."""
    setup_records()
    from django.conf import settings

    from pinpoint.web.audit.sealkey import ENV_VAR, key_file, read_key

    if read_key(Path(settings.DATA_DIR), create=False) is None:
        where = key_file(Path(settings.DATA_DIR))
        raise InputError("key", f"no seal key: set {ENV_VAR} or put the key file at {where}")


def _read_heads(path: Path) -> list[tuple[int, int, str]]:
    """The saved heads as (organization, seq, digest), read before Django is set up."""

    def bad(why: str) -> InputError:
        what = f"--against: '{path}' is not a chain-heads file from `pinpoint verify --head`: {why}"
        return InputError("against", what)

    text = read_text_file(path, "--against")  # at most 5 MB: /dev/zero or an endless FIFO stops there
    try:
        data: Any = parse_json_text(text, path, "--against")  # nesting, integer and number limits
    except InputError as exc:
        raise bad(exc.message.removeprefix(f"{path}: ")) from None
    if not isinstance(data, dict) or data.get("format") != HEADS_FORMAT or not isinstance(data.get("heads"), list):
        raise bad(f'no "format": "{HEADS_FORMAT}" with a list of "heads"')
    heads = []
    for item in data["heads"]:
        if not isinstance(item, dict):
            raise bad("a head is not an object")
        org, seq, digest = item.get("organization"), item.get("seq"), item.get("digest")
        if not (isinstance(org, int) and isinstance(seq, int) and seq >= 0 and isinstance(digest, str)):
            raise bad("a head needs an organization id, a seq (0 or more) and a digest")
        heads.append((org, seq, digest))
    return heads


def _line(r: OrgReport) -> str:
    who = f"organization {r.organization_id} ({r.name})"
    if r.problem is None:
        records = "record" if r.count == 1 else "records"
        return f"{who}: ok, {r.count} sealed {records}, head {r.head.seq} {r.head.digest}"
    p = r.problem
    row = f"{p.table} id {p.record_id}" if p.record_id is not None else p.table
    seal = f" (seal {p.seq})" if p.seq is not None else ""
    return f"{who}: BROKEN at {row}{seal}: {p.what}"


def _report_gone(tables: list[str], *, as_json: bool) -> None:
    """Sealed tables dropped from a migrated database: every record they held is gone."""
    what = "the table is gone: every sealed record it held was deleted"
    if as_json:
        emit_json({"ok": False, "organizations": [], "missing_tables": [{"table": t, "what": what} for t in tables]})
        return
    for table in tables:
        sys.stdout.write(f"BROKEN at {table}: {what}\n")


def _as_json(r: OrgReport) -> dict[str, Any]:
    p = r.problem
    return {
        "organization": r.organization_id,
        "name": r.name,
        "ok": p is None,
        "count": r.count,
        "head": {"seq": r.head.seq, "digest": r.head.digest},
        "problem": None if p is None else {"table": p.table, "id": p.record_id, "seal": p.seq, "what": p.what},
    }


def verify(
    head: Annotated[
        bool, typer.Option("--head", help="When every chain holds, print the chain heads (JSON) to keep elsewhere.")
    ] = False,
    against: Annotated[
        Path | None,
        typer.Option("--against", help="A file written by --head: prove nothing before those heads was rewritten."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON on stdout instead of lines.")] = False,
) -> None:
    """Check every organization's chain of sealed records; exit 1 when one is broken."""
    from django.db import DatabaseError

    raw = _read_heads(against) if against is not None else []
    _setup()
    from pinpoint.web.audit.chains import ChainHead
    from pinpoint.web.records.verify import missing_sealed_tables, verify_all

    saved = [ChainHead(organization_id=org, seq=seq, digest=digest) for org, seq, digest in raw]

    try:
        reports = verify_all(saved)
    except DatabaseError as exc:
        gone = missing_sealed_tables()
        if not gone:
            raise InputError("database", f"cannot read the records: {str(exc).splitlines()[0]}") from None
        _report_gone(gone, as_json=as_json)
        raise SystemExit(1) from None
    broken = any(r.problem is not None for r in reports)
    if head and not broken:
        heads = [{"organization": r.organization_id, "seq": r.head.seq, "digest": r.head.digest} for r in reports]
        emit_json({"format": HEADS_FORMAT, "heads": heads})
    elif as_json:
        emit_json({"ok": not broken, "organizations": [_as_json(r) for r in reports]})
    else:
        out = sys.stderr if head else sys.stdout
        for r in reports:
            out.write(_line(r) + "\n")
    if broken:
        raise SystemExit(1)  # click returns, rather than raises, a typer.Exit in non-standalone mode
