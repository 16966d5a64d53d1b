"""``pinpoint backup`` and ``pinpoint restore``: a consistent copy taken while the app writes, brought back row for row.

Each test runs the commands as a user would (subprocesses, the data directory or ``DATABASE_URL`` of
``pinpoint serve``), while another process keeps creating clients through the app's actions.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

VENV_BIN = Path(sys.executable).parent
WRITES = 200
WRITER = """
import os, sys, time
import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pinpoint.web.settings")
django.setup()
from pinpoint.web.accounts.models import Membership
from pinpoint.web.base.tenancy import Actor
from pinpoint.web.clients.actions import ClientData, create_client

m = Membership.objects.select_related("organization", "user").get(
    user__email="owner@demo-clinic.example", organization__kind="clinic"
)
actor = Actor(user=m.user, organization=m.organization, role=m.role)
for i in range(int(sys.argv[1])):
    create_client(actor, ClientData(full_name=f"Writer {i:03d}"))
    print(i, flush=True)
    time.sleep(0.03)
"""
Dump = dict[str, list[tuple[Any, ...]]]


def _env(**extra: str) -> dict[str, str]:
    drop = {"DATABASE_URL", "PINPOINT_PROFILE", "SECRET_KEY", "PINPOINT_DATA_DIR"}
    return {k: v for k, v in os.environ.items() if k not in drop} | extra


def _pinpoint(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(VENV_BIN / "pinpoint"), *args], env=env, capture_output=True, text=True, timeout=300, check=False
    )


@contextlib.contextmanager
def _writing(env: dict[str, str]) -> Iterator[subprocess.Popen[str]]:
    """Another process creating ``WRITES`` clients through the actions; yields once the first one is written."""
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(WRITES)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "0", proc.stderr.read() if proc.stderr else ""
        yield proc
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
        assert out.split()[-1] == str(WRITES - 1)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def _rows(cursor: Any) -> list[tuple[Any, ...]]:
    """Every row as ((column, value), ...), in a fixed order."""
    columns = [d[0] for d in cursor.description]

    def plain(value: Any) -> Any:  # JSON columns come back from PostgreSQL as dicts and lists
        return json.dumps(value, sort_keys=True) if isinstance(value, dict | list) else value

    rows = (tuple((c, plain(v)) for c, v in zip(columns, row, strict=True)) for row in cursor.fetchall())
    return sorted(rows, key=repr)


def _sqlite_dump(path: Path) -> Dump:
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as con:
        names = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {n: _rows(con.execute(f'SELECT * FROM "{n}"')) for n in names}  # noqa: S608 - catalog names


VERSIONED: tuple[str, ...] = importlib.import_module("pinpoint.web.records.migrations.0004_data_versions").TABLES
VERSION_TRIGGERS = len(VERSIONED) * 3 + 1  # a trigger per insert, update and delete of each; the users' names


def _versions_move_after_restore(con: Any, triggers_sql: str, more_on_postgresql: int = 0) -> None:
    """The restored database keeps the data-version triggers: each organization has its token, and a write moves it."""
    (triggers,) = con.execute(triggers_sql).fetchone()
    assert triggers == VERSION_TRIGGERS + more_on_postgresql
    orgs = {r[0] for r in con.execute("SELECT id FROM accounts_organization")}
    tokens = dict(con.execute("SELECT organization_id, token FROM records_dataversion").fetchall())
    assert set(tokens) == orgs
    client, org = con.execute("SELECT id, organization_id FROM clients_client ORDER BY id LIMIT 1").fetchone()
    con.execute(f"UPDATE clients_client SET full_name = full_name WHERE id = {int(client)}")  # noqa: S608
    con.commit()
    moved = dict(con.execute("SELECT organization_id, token FROM records_dataversion").fetchall())
    assert {o for o in orgs if moved[o] != tokens[o]} == {org}


def _check_snapshot(restored: Dump, live: Dump) -> None:
    """A backup taken mid-way holds some of the writes, each whole, and every row as the live database has it."""
    assert restored.keys() == live.keys()
    for table, rows in restored.items():  # no row invented: each one's key is in the live database
        assert {r[0] for r in rows} <= {r[0] for r in live[table]}, table
    for table in ("clients_client", "clients_historicalclient", "audit_auditevent"):  # written once, never changed
        assert set(restored[table]) <= set(live[table]), table
    clients = [dict(r) for r in restored["clients_client"]]
    writers = {c["id"] for c in clients if c["full_name"].startswith("Writer ")}
    assert 0 < len(writers) < WRITES, "the backup was not taken while the writes ran"
    events = [dict(r) for r in restored["audit_auditevent"]]
    created = {e["target_id"] for e in events if e["action"] == "client.create"}
    assert created >= writers  # each client with its audit event: no half-written transaction
    assert {e["client_id"] for e in events} - {None} <= {c["id"] for c in clients}


def _manifest(backup: Path) -> dict[str, Any]:
    with tarfile.open(backup) as tar:
        member = tar.extractfile("manifest.json")
        assert member is not None
        manifest: dict[str, Any] = json.load(member)
        return manifest


def _needs_the_seal_key(env: dict[str, str], backup: Path, live_dir: Path, target_dir: Path) -> None:
    """Sealed records are restored only beside the key that sealed them (never in the backup itself)."""
    key = live_dir / "seal.key"
    if not key.exists():  # the app seals nothing yet
        assert _manifest(backup)["seal_key_check"] is None
        return
    refused = _pinpoint(env, "restore", str(backup))
    assert (refused.returncode, refused.stderr) == (
        2,
        "pinpoint: error: restore: the backup's records are sealed and the seal key is not in backups: set "
        f"PINPOINT_SEAL_KEY or copy seal.key from the original data directory into {target_dir}, then restore\n",
    )
    with tarfile.open(backup) as tar:
        assert "seal.key" not in tar.getnames()
        assert key.read_bytes() not in b"".join(tar.extractfile(m).read() for m in tar.getmembers())  # type: ignore[union-attr]
    target_dir.mkdir(exist_ok=True)
    shutil.copy2(key, target_dir / "seal.key")


def _check_heads(backup: Path, restored: Dump, printed: str) -> None:
    """The chain heads in the manifest are those of the copied rows: read in the same snapshot."""
    heads = _manifest(backup)["chain_heads"]
    if "audit_sealchain" not in restored:
        assert heads is None
        return
    rows = [dict(r) for r in restored["audit_sealchain"]]
    assert heads == [{"organization_id": r["organization_id"], "seq": r["seq"], "digest": r["digest"]} for r in rows]
    assert len(heads) == 2  # the demo clinic and the demo personal space
    assert f"chain heads: {json.dumps(heads, sort_keys=True)}" in printed


def _verified(env: dict[str, str], restored: Dump) -> None:
    """``pinpoint verify`` passes on the restored copy, each organization's chain at the head the copy holds."""
    done = _pinpoint(env, "verify")
    assert (done.returncode, done.stderr) == (0, ""), done.stdout
    heads = sorted((dict(r) for r in restored["audit_sealchain"]), key=lambda h: h["organization_id"])
    orgs = {dict(r)["id"]: dict(r)["name"] for r in restored["accounts_organization"]}
    assert done.stdout.splitlines() == [
        f"organization {h['organization_id']} ({orgs[h['organization_id']]}): ok, {h['seq']} sealed records, "
        f"head {h['seq']} {h['digest']}"
        for h in heads
    ]


def test_sqlite_backup_while_writing_then_restore_into_a_new_directory(tmp_path: Path) -> None:
    live_dir, restored_dir, final_dir = tmp_path / "live", tmp_path / "restored", tmp_path / "final"
    live = _env(PINPOINT_DATA_DIR=str(live_dir))
    assert _pinpoint(live, "serve", "--prepare-only").returncode == 0

    with _writing(live):
        taken = _pinpoint(live, "backup", str(tmp_path / "during.tar.gz"))
    assert taken.returncode == 0, taken.stderr
    assert taken.stdout.startswith(f"Backup written: {tmp_path / 'during.tar.gz'} (SQLite, ")
    restored = _env(PINPOINT_DATA_DIR=str(restored_dir))
    _needs_the_seal_key(restored, tmp_path / "during.tar.gz", live_dir, restored_dir)
    done = _pinpoint(restored, "restore", str(tmp_path / "during.tar.gz"))
    assert done.returncode == 0, done.stderr
    assert "every table's rows match" in done.stdout
    in_backup = _sqlite_dump(restored_dir / "pinpoint.sqlite3")
    _check_snapshot(in_backup, _sqlite_dump(live_dir / "pinpoint.sqlite3"))
    _check_heads(tmp_path / "during.tar.gz", in_backup, done.stdout)
    _verified(restored, in_backup)

    # Once the writes are over, a backup restores to exactly the live database.
    assert _pinpoint(live, "backup", str(tmp_path / "after.tar.gz")).returncode == 0
    final = _env(PINPOINT_DATA_DIR=str(final_dir))
    _needs_the_seal_key(final, tmp_path / "after.tar.gz", live_dir, final_dir)
    assert _pinpoint(final, "restore", str(tmp_path / "after.tar.gz")).returncode == 0
    expected = _sqlite_dump(live_dir / "pinpoint.sqlite3")
    assert _sqlite_dump(final_dir / "pinpoint.sqlite3") == expected
    assert [dict(r)["full_name"] for r in expected["clients_client"]].count("Writer 199") == 1
    _verified(final, expected)

    # The restored directory serves: migrations are already applied, nothing else is loaded.
    served = _pinpoint(final, "serve", "--prepare-only", "--no-demo")
    assert served.returncode == 0, served.stderr
    assert _sqlite_dump(final_dir / "pinpoint.sqlite3") == expected
    with contextlib.closing(sqlite3.connect(final_dir / "pinpoint.sqlite3")) as con:
        _versions_move_after_restore(
            con, "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'pinpoint_version_%'"
        )


def test_restore_refuses_a_database_that_holds_data(tmp_path: Path) -> None:
    env = _env(PINPOINT_DATA_DIR=str(tmp_path / "live"))
    assert _pinpoint(env, "serve", "--prepare-only").returncode == 0
    assert _pinpoint(env, "backup", str(tmp_path / "b.tar.gz")).returncode == 0
    before = _sqlite_dump(tmp_path / "live" / "pinpoint.sqlite3")
    refused = _pinpoint(env, "restore", str(tmp_path / "b.tar.gz"))
    assert (refused.returncode, refused.stdout) == (2, "")
    db = tmp_path / "live" / "pinpoint.sqlite3"
    assert refused.stderr == (
        f"pinpoint: error: restore: {db} already holds data; restore into an empty data directory (PINPOINT_DATA_DIR)\n"
    )
    assert _sqlite_dump(db) == before

    again = _pinpoint(env, "backup", str(tmp_path / "b.tar.gz"))
    assert (again.returncode, again.stderr) == (
        2,
        f"pinpoint: error: backup: {tmp_path / 'b.tar.gz'} already exists; "
        "a backup never overwrites a file, choose a new name\n",
    )
    (tmp_path / "junk.tar.gz").write_bytes(b"not a backup")
    junk = _pinpoint(_env(PINPOINT_DATA_DIR=str(tmp_path / "new")), "restore", str(tmp_path / "junk.tar.gz"))
    assert (junk.returncode, junk.stderr) == (
        2,
        f"pinpoint: error: restore: {tmp_path / 'junk.tar.gz'} is not a Pinpoint backup (not a tar archive)\n",
    )
    assert not (tmp_path / "new" / "pinpoint.sqlite3").exists()


# PostgreSQL ------------------------------------------------------------------------------------------------

PG_URL = os.environ.get("PINPOINT_TEST_POSTGRES") or "postgres://postgres@127.0.0.1:5432/postgres"


def _pg_admin() -> Any:
    psycopg = pytest.importorskip("psycopg")
    missing = [tool for tool in ("pg_dump", "pg_restore") if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"{' and '.join(missing)} not installed (Debian package postgresql-client; make test installs it)")
    try:
        return psycopg.connect(PG_URL, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        pytest.skip(f"no PostgreSQL server at {PG_URL}: {str(exc).splitlines()[0]}")


@pytest.fixture
def pg_database() -> Iterator[Callable[[], str]]:
    """Create empty PostgreSQL databases on the test server; each call gives the URL of a new one."""
    admin = _pg_admin()
    made: list[str] = []

    def create() -> str:
        name = f"pinpoint_backup_{uuid.uuid4().hex[:12]}"
        admin.execute(f'CREATE DATABASE "{name}"')
        made.append(name)
        return PG_URL.rsplit("/", 1)[0] + "/" + name

    yield create
    for name in made:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


def _pg_dump_rows(url: str) -> Dump:
    import psycopg

    with psycopg.connect(url) as con:
        tables = [
            r[0]
            for r in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name"
            )
        ]
        dump: Dump = {t: _rows(con.execute(f'SELECT * FROM "{t}"')) for t in tables}  # noqa: S608 - catalog names
        for (seq,) in con.execute("SELECT sequence_name FROM information_schema.sequences ORDER BY sequence_name"):
            dump[f"sequence {seq}"] = con.execute(f'SELECT last_value, is_called FROM "{seq}"').fetchall()  # noqa: S608
        return dump


def test_postgresql_backup_while_writing_then_restore_into_a_new_database(
    tmp_path: Path, pg_database: Callable[[], str]
) -> None:
    live_url, restored_url, final_url = pg_database(), pg_database(), pg_database()
    live = _env(DATABASE_URL=live_url, PINPOINT_DATA_DIR=str(tmp_path))
    assert _pinpoint(live, "serve", "--prepare-only").returncode == 0

    with _writing(live):
        taken = _pinpoint(live, "backup", str(tmp_path / "during.tar.gz"))
    assert taken.returncode == 0, taken.stderr
    assert taken.stdout.startswith(f"Backup written: {tmp_path / 'during.tar.gz'} (PostgreSQL, ")
    restored = _env(DATABASE_URL=restored_url, PINPOINT_DATA_DIR=str(tmp_path))
    done = _pinpoint(restored, "restore", str(tmp_path / "during.tar.gz"))
    assert done.returncode == 0, done.stderr
    in_backup = {k: v for k, v in _pg_dump_rows(restored_url).items() if not k.startswith("sequence ")}
    _check_snapshot(in_backup, {k: v for k, v in _pg_dump_rows(live_url).items() if not k.startswith("sequence ")})
    _verified(restored, in_backup)

    assert _pinpoint(live, "backup", str(tmp_path / "after.tar.gz")).returncode == 0
    final = _env(DATABASE_URL=final_url, PINPOINT_DATA_DIR=str(tmp_path))
    assert _pinpoint(final, "restore", str(tmp_path / "after.tar.gz")).returncode == 0
    expected = _pg_dump_rows(live_url)
    assert _pg_dump_rows(final_url) == expected  # every row, and every sequence where it was
    _verified(final, expected)

    refused = _pinpoint(final, "restore", str(tmp_path / "after.tar.gz"))
    assert (refused.returncode, refused.stdout) == (2, "")
    name = final_url.rsplit("/", 1)[1]
    assert refused.stderr == (
        f"pinpoint: error: restore: database {name} already holds tables; restore into a new, empty database\n"
    )
    assert _pg_dump_rows(final_url) == expected

    wrong_kind = _pinpoint(_env(PINPOINT_DATA_DIR=str(tmp_path / "sqlite")), "restore", str(tmp_path / "after.tar.gz"))
    assert (wrong_kind.returncode, wrong_kind.stderr) == (
        2,
        f"pinpoint: error: restore: {tmp_path / 'after.tar.gz'} is a PostgreSQL backup but the configured database "
        "is SQLite: set DATABASE_URL to an empty PostgreSQL database\n",
    )
    import psycopg

    with psycopg.connect(final_url) as con:  # one more trigger per table on PostgreSQL: TRUNCATE
        _versions_move_after_restore(
            con,
            "SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'pinpoint_version_%'",
            more_on_postgresql=len(VERSIONED),
        )
