"""Export, then import into an empty instance: the same records, ids included, and the seals still verify.

The demo is built once by ``pinpoint serve --prepare-only`` in a new data directory (SQLite), and
both its organizations are exported as zips. ``pinpoint import`` into another new data directory
(SQLite) or a new PostgreSQL database, with the same seal key, gives back every row of every table
of both exports (the CSV files and photos byte for byte); ``pinpoint verify`` exits 0 there; ids given afterwards
follow the imported ones. Without the key, with another key, with an altered row, into a database
that holds records, or from a file that is no export, the import is refused in one line with exit
status 2 and leaves nothing behind.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from pinpoint.cli.main import main
from pinpoint.web.audit.sealkey import seal_key


def _env(data_dir: Path, key: str, database_url: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "PINPOINT_SEAL_KEY")}
    env.update(PINPOINT_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="pinpoint.web.settings")
    if key:
        env["PINPOINT_SEAL_KEY"] = key
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pinpoint.cli", *args], env=env, capture_output=True, text=True, timeout=300, check=False
    )


def _contents(path: Path) -> dict[str, bytes]:
    """Every file of an export but those stamped with the moment it was taken."""
    stamped = {"README.md", "seals/heads.json", "fhir/bundle-r4b.json", "fhir/bundle-r5.json"}
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist() if n not in stamped}


def _heads(path: Path) -> list[dict[str, Any]]:
    with zipfile.ZipFile(path) as zf:
        heads: list[dict[str, Any]] = json.loads(zf.read("seals/heads.json"))["heads"]
        return heads


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The demo built in a new data directory and exported: one zip per organization."""
    base = tmp_path_factory.mktemp("demo-export")
    key = seal_key().decode()
    env = _env(base / "data", key)
    done = _cli(env, "serve", "--prepare-only")
    assert done.returncode == 0, done.stderr
    zips = []
    for org, name in (("demo-clinic", "clinic.zip"), ("2", "personal.zip")):
        done = _cli(env, "export", "--format", "zip", "--organization", org, "--out", str(base / name))
        assert done.returncode == 0, done.stderr
        zips.append(base / name)
    return {"base": base, "key": key, "zips": zips}


PG_URL = os.environ.get("PINPOINT_TEST_POSTGRES") or "postgres://postgres@127.0.0.1:5432/postgres"


@pytest.fixture
def new_database() -> Iterator[Callable[[str], str | None]]:
    """A new empty database for a backend: ``None`` for SQLite (the data directory's file), a URL for PostgreSQL."""
    made: list[str] = []
    admin: Any = None

    def create(backend: str) -> str | None:
        nonlocal admin
        if backend == "sqlite":
            return None
        psycopg = pytest.importorskip("psycopg")
        try:
            admin = admin or psycopg.connect(PG_URL, autocommit=True, connect_timeout=3)
        except psycopg.OperationalError as exc:
            pytest.skip(f"no PostgreSQL server at {PG_URL}: {str(exc).splitlines()[0]}")
        name = f"pinpoint_import_{uuid.uuid4().hex[:12]}"
        admin.execute(f'CREATE DATABASE "{name}"')
        made.append(name)
        return PG_URL.rsplit("/", 1)[0] + "/" + name

    yield create
    for name in made:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    if admin is not None:
        admin.close()


NEXT_IDS = (
    "import django; django.setup(); "
    "from pinpoint.web.accounts.models import Organization, User; from pinpoint.web.clients.models import Client; "
    "o = Organization.objects.create(name='After', kind='clinic'); u = User.objects.order_by('pk').first(); "
    "print(o.pk, Client.objects.create(organization=o, full_name='New', created_by=u).pk)"
)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_import_into_a_new_instance_gives_every_table_back_and_verify_passes(
    demo: dict[str, Any], new_database: Callable[[str], str | None], backend: str
) -> None:
    target = demo["base"] / f"imported-{backend}"
    env = _env(target, demo["key"], new_database(backend))
    done = _cli(env, "import", *map(str, demo["zips"]))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("imported ")
    assert "records of Demo Clinic, Hana's space (10 photos); every chain of seals verifies" in done.stdout
    done = _cli(env, "verify")
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count(": ok, ") == 2
    for org, original in zip(("demo-clinic", "2"), demo["zips"], strict=True):
        again = target / f"again-{original.name}"
        done = _cli(env, "export", "--format", "zip", "--organization", org, "--out", str(again))
        assert done.returncode == 0, done.stderr
        before, after = _contents(original), _contents(again)
        assert org == "2" or any(n.startswith("photos/") for n in before)
        assert sorted(after) == sorted(before)
        assert [n for n in before if _parsed(n, after[n]) != _parsed(n, before[n])] == []
        assert _heads(again) == _heads(original)
        with zipfile.ZipFile(original) as zf:
            zf.extract("seals/heads.json", target / f"heads-{org}")
        done = _cli(env, "verify", "--against", str(target / f"heads-{org}" / "seals" / "heads.json"))
        assert done.returncode == 0, done.stdout + done.stderr
    tables = _tables(demo["zips"])
    ids = {t: [r["id"] for r in tables[t]] for t in ("accounts_organization", "clients_client")}
    done = subprocess.run(
        [sys.executable, "-c", NEXT_IDS], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [str(max(ids["accounts_organization"]) + 1), str(max(ids["clients_client"]) + 1)]


def _parsed(name: str, data: bytes) -> Any:
    """A records file as its rows (PostgreSQL gives a JSON column's keys back in its own order), else the bytes."""
    return json.loads(data) if name.startswith("records/") else data


def _tables(zips: list[Path]) -> dict[str, list[dict[str, Any]]]:
    tables: dict[str, list[dict[str, Any]]] = {}
    for path in zips:
        with zipfile.ZipFile(path) as zf:
            for name in zf.namelist():
                if name.startswith("records/"):
                    tables.setdefault(name[8:-5], []).extend(json.loads(zf.read(name)))
    return tables


def _refused(env: dict[str, str], path: Path) -> str:
    done = _cli(env, "import", str(path))
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1
    return done.stderr


def test_an_altered_row_or_another_key_is_refused_and_nothing_is_left(demo: dict[str, Any], tmp_path: Path) -> None:
    def older(rows: list[dict[str, Any]]) -> None:
        rows[0]["answers"]["birth_date"] = "1900-01-01"

    bad = _altered(demo["zips"][0], tmp_path / "bad.zip", "clients_questionnaire", older)
    env = _env(tmp_path / "data", demo["key"])
    err = _refused(env, bad)
    assert err.startswith("pinpoint: error: organization Demo Clinic: its seals do not verify after the import (")
    assert err.endswith("is the seal key in force the one of the exported instance?\n")
    assert not any((tmp_path / "data" / "photos").rglob("*.jpg"))
    err = _refused(_env(tmp_path / "data", "another key of at least thirty-two characters"), demo["zips"][0])
    assert "organization Demo Clinic: its seals do not verify after the import" in err
    done = _cli(env, "import", str(demo["zips"][0]))  # rolled back both times: the database is still empty
    assert done.returncode == 0, done.stderr
    assert len(list((tmp_path / "data").rglob("*.jpg"))) == 10 + 10  # each photo and its thumbnail


def test_import_refuses_without_the_seal_key_in_place(demo: dict[str, Any]) -> None:
    env = _env(demo["base"] / "no-key", "")
    done = _cli(env, "import", str(demo["zips"][0]))
    assert done.returncode == 2
    assert done.stderr == (
        f"pinpoint: error: no seal key: copy the exported instance's key to {demo['base'] / 'no-key' / 'seal.key'}"
        " or set PINPOINT_SEAL_KEY, then import\n"
    )


# --- in this process, on the test database (SQLite or PostgreSQL) --------------------------------


@pytest.fixture
def in_process(monkeypatch: Any) -> None:
    monkeypatch.setattr("pinpoint.cli.importer._setup", lambda: None)


def run(capsys: Any, *argv: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exc:
        main(list(argv))
        raise SystemExit(0)
    out = capsys.readouterr()
    return int(exc.value.code or 0), out.out, out.err


@pytest.mark.django_db
def test_import_refuses_a_database_that_holds_records(
    world: Any, demo: dict[str, Any], capsys: Any, in_process: None
) -> None:
    code, _out, err = run(capsys, "import", str(demo["zips"][0]))
    assert code == 2
    assert err == (
        "pinpoint: error: the database is not empty (table accounts_membership has rows); import needs a new one\n"
    )


def _altered(src: Path, dst: Path, table: str, change: Any) -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == f"records/{table}.json":
                rows = json.loads(data)
                change(rows)
                data = ("[\n" + ",\n".join(json.dumps(r) for r in rows) + "\n]\n").encode()
            zout.writestr(info, data)
    return dst


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d: d / "missing.zip", "file '{path}' does not exist"),
        (lambda d: _write(d / "notes.zip", b"not a zip"), "'{path}' is not a zip from `pinpoint export --format zip`"),
        (lambda d: _zip(d / "empty.zip", {"README.md": "hello"}), "'{path}' has no records/accounts_organization.json"),
        (
            lambda d: _zip(d / "odd.zip", {"records/accounts_organization.json": "[\n]\n", "records/x_y.json": "[]"}),
            "'{path}' holds table 'x_y', which this Pinpoint version does not have",
        ),
    ],
)
def test_what_is_not_an_export_is_one_line(
    capsys: Any, in_process: None, tmp_path: Path, make: Any, message: str
) -> None:
    path = make(tmp_path)
    code, _out, err = run(capsys, "import", str(path))
    assert code == 2
    assert err.count("\n") == 1
    assert message.format(path=path) in err


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _zip(path: Path, files: dict[str, str]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, text in files.items():
            zf.writestr(name, text)
    return path
