"""Backup and restore of the database: ``pinpoint backup FILE`` and ``pinpoint restore FILE``.

A backup is one tar file holding the database, the photo files it names (``photos/``) and
``manifest.json``:

- SQLite: a copy made with SQLite's online backup API (``database.sqlite3``);
- PostgreSQL: a ``pg_dump --format=custom`` archive (``database.pgdump``).

The copy, the row counts and the chain heads of the sealed records in the manifest are read in
one snapshot (a read transaction; on PostgreSQL ``pg_dump`` joins it with ``--snapshot``), so
they agree with each other while the app keeps writing. A restore goes only into an empty
database (a new data directory, or a freshly created PostgreSQL database) and checks the file's
digest and every table's row count against the manifest.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import hmac
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["BackupError", "BackupSummary", "backup", "restore", "sealed_chain_heads"]

FORMAT = 1
MANIFEST = "manifest.json"
MEMBERS = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
PHOTOS_DIR = "photos/"
"""Where the photo files (images and thumbnails) the database names go in the tar."""
ENGINE_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


class BackupError(Exception):
    """A backup or restore that cannot be done; the message is one line a person can act on."""


@dataclass(frozen=True)
class BackupSummary:
    """What a backup holds: when it was taken, of which kind of database, rows per table, chain heads."""

    path: Path
    engine: str
    created_at: str
    tables: dict[str, int] = field(default_factory=dict)
    chain_heads: Any = None

    @property
    def rows(self) -> int:
        """All rows of all tables."""
        return sum(self.tables.values())


def sealed_chain_heads() -> Any:
    """The chain head of each organization's sealed records, read inside the backup's snapshot.

    A list of ``{"organization_id", "seq", "digest"}``; ``None`` when the app has no sealed records
    (``pinpoint.web.audit.chains`` absent). With them, a later check can prove that nothing written
    before the backup was rewritten, even by someone who holds the seal key.
    """
    try:
        from pinpoint.web.audit.chains import chain_heads  # noqa: PLC0415 - optional until sealing is installed
    except ImportError:
        return None
    return [dataclasses.asdict(head) for head in chain_heads()]


def _seal_key_check(data_dir: Path) -> str | None:
    """A fingerprint of the seal key in force (it tells nothing about the key), or ``None`` without one.

    The key itself is never in a backup: it is kept apart from the data it protects.
    """
    try:
        from pinpoint.web.audit.sealkey import read_key  # noqa: PLC0415 - optional until sealing is installed
    except ImportError:
        return None
    key = read_key(data_dir, create=False)
    return None if key is None else hmac.new(key, b"pinpoint backup key check", hashlib.sha256).hexdigest()[:16]


def _check_seal_key(manifest: dict[str, Any], data_dir: Path) -> None:
    """Refuse to restore sealed records where the key that sealed them is missing or another one."""
    wanted = manifest.get("seal_key_check")
    if wanted is None:
        return
    here = _seal_key_check(data_dir)
    if here is None:
        msg = (
            "the backup's records are sealed and the seal key is not in backups: set PINPOINT_SEAL_KEY "
            f"or copy seal.key from the original data directory into {data_dir}, then restore"
        )
        raise BackupError(msg)
    if not hmac.compare_digest(here, wanted):
        msg = "the seal key here is not the one the backup's records were sealed with"
        raise BackupError(msg)


def _data_dir() -> Path:
    from django.conf import settings  # noqa: PLC0415

    return Path(settings.DATA_DIR)


def _setup() -> dict[str, Any]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pinpoint.web.settings")
    import django  # noqa: PLC0415 - Django loads only when a backup is asked for
    from django.conf import settings  # noqa: PLC0415

    django.setup()
    db: dict[str, Any] = settings.DATABASES["default"]
    return db


def _engine(db: dict[str, Any]) -> str:
    if db["ENGINE"].endswith("sqlite3"):
        return "sqlite"
    if db["ENGINE"].endswith("postgresql"):
        return "postgresql"
    msg = f"backups support SQLite and PostgreSQL, not {db['ENGINE']}"
    raise BackupError(msg)


def _counts() -> dict[str, int]:
    from django.db import connection  # noqa: PLC0415

    with connection.cursor() as cursor:
        names = sorted(connection.introspection.table_names(cursor))
        counts = {}
        for name in names:
            cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(name)}")  # noqa: S608 - catalog names
            counts[name] = int(cursor.fetchone()[0])
    return counts


@contextlib.contextmanager
def _snapshot(engine: str) -> Iterator[Any]:
    """One read transaction on the app's connection: what is read inside sees one moment of the database.

    SQLite (WAL): a deferred read transaction; writers go on meanwhile. PostgreSQL: REPEATABLE READ,
    its snapshot exported for pg_dump. Yields the raw connection (SQLite) or the snapshot id (PostgreSQL).
    """
    from django.db import connection, transaction  # noqa: PLC0415

    if engine == "sqlite":
        connection.ensure_connection()
        raw = connection.connection
        raw.execute("BEGIN DEFERRED")
        try:
            yield raw
        finally:
            raw.execute("ROLLBACK")
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        yield cursor.fetchone()[0]


def _pg_env(db: dict[str, Any]) -> dict[str, str]:
    env = dict(os.environ)
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if db.get(key):
            env[var] = str(db[key])
    env["PGDATABASE"] = str(db["NAME"])
    return env


def _pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        msg = f"{name} was not found: install the PostgreSQL client programs (Debian: postgresql-client)"
        raise BackupError(msg)
    return path


def _run_pg(args: list[str], db: dict[str, Any]) -> None:
    done = subprocess.run(args, env=_pg_env(db), capture_output=True, text=True, check=False)  # noqa: S603 - our argv
    if done.returncode != 0:
        first = (done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[0]
        msg = f"{Path(args[0]).name} failed: {first}"
        raise BackupError(msg)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _sqlite_ok(path: Path) -> None:
    with contextlib.closing(sqlite3.connect(path)) as con:
        result = con.execute("PRAGMA integrity_check").fetchone()[0]
    if result != "ok":
        msg = f"the database copy failed SQLite's integrity check: {result}"
        raise BackupError(msg)


def backup(target: Path, *, now: dt.datetime | None = None) -> BackupSummary:
    """Write a consistent backup of the configured database to ``target`` (a new file) while the app runs."""
    target = Path(target)
    if target.exists():
        msg = f"{target} already exists; a backup never overwrites a file, choose a new name"
        raise BackupError(msg)
    if not target.parent.is_dir():
        msg = f"{target.parent} is not a directory"
        raise BackupError(msg)
    db = _setup()
    engine = _engine(db)
    created = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).isoformat(timespec="seconds")
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".pinpoint-backup-") as work:
        copy = Path(work) / MEMBERS[engine]
        pg_dump = _pg_tool("pg_dump") if engine == "postgresql" else ""
        with _snapshot(engine) as snap:
            tables = _counts()
            heads = sealed_chain_heads()
            photos = _photo_files()
            if engine == "sqlite":
                with contextlib.closing(sqlite3.connect(copy)) as dest:
                    snap.backup(dest)  # all pages in one step, inside the read transaction
            else:
                _run_pg([pg_dump, "--format=custom", f"--snapshot={snap}", f"--file={copy}"], db)
        if engine == "sqlite":
            _sqlite_ok(copy)
        manifest = {
            "format": FORMAT,
            "engine": engine,
            "created_at": created,
            "database": MEMBERS[engine],
            "sha256": _sha256(copy),
            "tables": tables,
            "chain_heads": heads,
            "seal_key_check": _seal_key_check(_data_dir()),
            "photos": {},
        }
        partial = Path(work) / "backup.tar"
        with tarfile.open(partial, "w:gz") as tar:
            tar.add(copy, arcname=MEMBERS[engine])
            manifest["photos"] = _add_photos(tar, photos)  # the manifest goes last, with the photos' digests
            data = json.dumps(manifest, indent=2, sort_keys=True).encode("utf-8")
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mode, info.mtime = len(data), 0o600, int(time.time())
            tar.addfile(info, io.BytesIO(data))
        partial.chmod(0o600)  # it holds health records
        os.link(partial, target)  # never replaces a file that appeared meanwhile
    return BackupSummary(target, engine, created, tables, heads)


def _photo_files() -> list[tuple[str, str]]:
    """(stored name, SHA-256) of every photo file (image and thumbnail) the database names, read in the snapshot."""
    from django.db import connection  # noqa: PLC0415

    from pinpoint.web.exports.archive import PHOTO_FILES  # noqa: PLC0415 - Django is set up only by now

    if "photos_photo" not in connection.introspection.table_names():
        return []
    columns = ", ".join(c for pair in PHOTO_FILES for c in pair)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM photos_photo ORDER BY id")  # noqa: S608 - fixed column names
        rows = cursor.fetchall()
    return [(row[i], row[i + 1]) for row in rows for i in range(0, len(row), 2) if row[i]]


def _add_photos(tar: tarfile.TarFile, photos: list[tuple[str, str]]) -> dict[str, str]:
    """Copy each named photo file into the tar; a file an erasure deleted since the snapshot is passed over."""
    from pinpoint.web.photos.storage import photo_storage  # noqa: PLC0415

    storage = photo_storage()
    added: dict[str, str] = {}
    for name, sha in photos:
        try:
            with storage.open(name, "rb") as src:
                data = src.read()
        except FileNotFoundError:
            continue
        info = tarfile.TarInfo(PHOTOS_DIR + name)
        info.size, info.mode, info.mtime = len(data), 0o600, int(time.time())
        tar.addfile(info, io.BytesIO(data))
        added[name] = sha
    return added


def _restore_photos(tar: tarfile.TarFile, manifest: dict[str, Any]) -> int:
    """Write the backup's photo files back into the photo storage, each checked against its SHA-256."""
    from pinpoint.web.photos.storage import photo_storage  # noqa: PLC0415

    storage = photo_storage()
    photos: dict[str, str] = manifest.get("photos", {})
    for name, sha in photos.items():
        member = tar.extractfile(PHOTOS_DIR + name)
        data = member.read() if member is not None else b""
        if hashlib.sha256(data).hexdigest() != sha:
            msg = f"the backup's photo file {name} does not match its digest: the file is damaged"
            raise BackupError(msg)
        if storage.exists(name):  # the same photo store as the backed-up database (a new PostgreSQL database)
            with storage.open(name, "rb") as held:
                if hashlib.sha256(held.read()).hexdigest() == sha:
                    continue
            msg = f"the photo storage already holds another file named {name}; restore into an empty data directory"
            raise BackupError(msg)
        storage.save(name, io.BytesIO(data))
    return len(photos)


def _read_manifest(tar: tarfile.TarFile, source: Path) -> dict[str, Any]:
    try:
        member = tar.extractfile(MANIFEST)
        manifest: dict[str, Any] = json.load(member) if member is not None else {}
    except (KeyError, json.JSONDecodeError):
        manifest = {}
    if manifest.get("format") != FORMAT or manifest.get("engine") not in MEMBERS:
        msg = f"{source} is not a Pinpoint backup (no readable {MANIFEST} of format {FORMAT})"
        raise BackupError(msg)
    return manifest


def _extract(tar: tarfile.TarFile, manifest: dict[str, Any], folder: Path) -> Path:
    out = folder / MEMBERS[manifest["engine"]]
    try:
        member = tar.extractfile(MEMBERS[manifest["engine"]])
    except KeyError:
        member = None
    if member is None:
        msg = f"the backup has no {MEMBERS[manifest['engine']]}"
        raise BackupError(msg)
    with out.open("wb") as f:
        shutil.copyfileobj(member, f)
    if _sha256(out) != manifest["sha256"]:
        msg = "the backup's database does not match the digest in its manifest: the file is damaged"
        raise BackupError(msg)
    return out


def _sqlite_tables(path: Path) -> int:
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as con:
        return int(con.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0])


def _restore_sqlite(tar: tarfile.TarFile, manifest: dict[str, Any], db: dict[str, Any]) -> None:
    target = Path(db["NAME"])
    if target.exists() and target.stat().st_size > 0 and _sqlite_tables(target) > 0:
        msg = f"{target} already holds data; restore into an empty data directory (PINPOINT_DATA_DIR)"
        raise BackupError(msg)
    for leftover in (target, Path(f"{target}-wal"), Path(f"{target}-shm")):
        leftover.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".pinpoint-restore-") as work:
        copy = _extract(tar, manifest, Path(work))
        _sqlite_ok(copy)
        copy.chmod(0o600)
        os.link(copy, target)  # fails rather than replace a database that appeared meanwhile


def _restore_postgresql(tar: tarfile.TarFile, manifest: dict[str, Any], db: dict[str, Any]) -> None:
    pg_restore = _pg_tool("pg_restore")
    if _counts():
        msg = f"database {db['NAME']} already holds tables; restore into a new, empty database"
        raise BackupError(msg)
    with tempfile.TemporaryDirectory(prefix="pinpoint-restore-") as work:
        dump = _extract(tar, manifest, Path(work))
        args = [pg_restore, "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction"]
        _run_pg([*args, f"--dbname={db['NAME']}", str(dump)], db)


def restore(source: Path) -> BackupSummary:
    """Restore the backup ``source`` into the configured database, which must be empty."""
    source = Path(source)
    if not source.is_file():
        what = "does not exist" if not source.exists() else "is not a regular file (a directory, a device or a pipe)"
        msg = f"backup file {source} {what}"
        raise BackupError(msg)
    db = _setup()
    engine = _engine(db)
    try:
        tar = tarfile.open(source, "r:*")  # noqa: SIM115 - closed below
    except (tarfile.TarError, OSError):
        msg = f"{source} is not a Pinpoint backup (not a tar archive)"
        raise BackupError(msg) from None
    with tar:
        manifest = _read_manifest(tar, source)
        if manifest["engine"] != engine:
            how = "unset DATABASE_URL" if engine == "postgresql" else "set DATABASE_URL to an empty PostgreSQL database"
            have, want = ENGINE_NAMES[manifest["engine"]], ENGINE_NAMES[engine]
            msg = f"{source} is a {have} backup but the configured database is {want}: {how}"
            raise BackupError(msg)
        _check_seal_key(manifest, _data_dir())
        if engine == "sqlite":
            _restore_sqlite(tar, manifest, db)
        else:
            _restore_postgresql(tar, manifest, db)
        _restore_photos(tar, manifest)
    tables = _counts()
    if tables != manifest["tables"]:
        expected = manifest["tables"]
        differ = sorted(k for k in expected.keys() | tables.keys() if tables.get(k) != expected.get(k))
        msg = f"the restored database differs from the backup's manifest in {', '.join(differ)}"
        raise BackupError(msg)
    return BackupSummary(source, engine, manifest["created_at"], tables, manifest["chain_heads"])
