"""``pinpoint import``: load full exports (``pinpoint export --format zip``) into an empty database.

It writes to the same database as ``pinpoint serve`` (``$PINPOINT_DATA_DIR``, default ``./var``,
or ``DATABASE_URL``), creating and migrating it when there is none yet, and refuses one that holds
any record. The seal key is never inside an export: put the exported instance's key in place first
(``PINPOINT_SEAL_KEY``, or its ``seal.key`` copied into the new data directory); the import is
rolled back unless every chain of seals verifies with it.
Exit status: 0 done, 2 for a user error (one line on stderr).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pinpoint.core.errors import InputError

__all__ = ["import_"]


def _setup() -> None:
    """Migrate the database (created if missing) and check there is a seal key to verify with."""
    import io
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pinpoint.web.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.db import OperationalError

    try:
        from pinpoint.web.serve import prepare

        prepare(demo=False, out=io.StringIO())
        from django.conf import settings

        from pinpoint.web.audit.sealkey import ENV_VAR, key_file, read_key

        if read_key(Path(settings.DATA_DIR), create=False) is None:
            where = key_file(Path(settings.DATA_DIR))
            raise InputError(
                "key", f"no seal key: copy the exported instance's key to {where} or set {ENV_VAR}, then import"
            )
    except (ImproperlyConfigured, OperationalError) as exc:
        raise InputError("environment", f"cannot open the database: {str(exc).splitlines()[0]}") from None


def import_(
    files: Annotated[list[Path], typer.Argument(help="Zip files written by `pinpoint export --format zip`.")],
) -> None:
    """Load full exports into an empty database, ids included; the seals must verify with the key in force."""
    for path in files:
        if not path.is_file():
            what = "does not exist" if not path.exists() else "is not a regular file (a directory, a device or a pipe)"
            raise InputError("file", f"file '{path}' {what}")
    _setup()
    from pinpoint.web.exports.importer import import_zips

    report = import_zips(files)
    names = ", ".join(name for _, name in report.organizations)
    total = sum(report.rows.values())
    photos = f"{report.photos} photos"
    if report.erased_photos:
        photos += f", {report.erased_photos} whose image an erasure deleted"
    typer.echo(f"imported {total} records of {names} ({photos}); every chain of seals verifies")
    typer.echo(
        "members have no password yet: each sets one with 'Forgotten your password?' on the sign-in page"
        " (or `python -m pinpoint.web changepassword EMAIL`)"
    )
