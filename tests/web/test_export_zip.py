"""The full export (zip) and the ``pinpoint export`` contract: files, round trip of every record, one-line errors."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from pinpoint.cli.main import main
from pinpoint.web.audit.chains import chain_heads
from pinpoint.web.audit.models import row_values
from pinpoint.web.clients.models import Client
from pinpoint.web.exports.archive import export_tables, write_zip

NOW = dt.datetime(2026, 11, 29, 12, 0, tzinfo=dt.UTC)


def load_records(path: Path) -> dict[str, list[dict[str, Any]]]:
    """Test-only loader: the records of a zip, by table."""
    with zipfile.ZipFile(path) as zf:
        return {
            name.removeprefix("records/").removesuffix(".json"): json.loads(zf.read(name))
            for name in zf.namelist()
            if name.startswith("records/")
        }


@pytest.mark.django_db
def test_zip_holds_every_record_of_the_organization(world: Any, tmp_path: Path) -> None:
    target = tmp_path / "clinic.zip"
    counts = write_zip(target, world.clinic, now=NOW)
    loaded = load_records(target)
    tables = list(export_tables(world.clinic))
    assert set(loaded) == {t for t, _, _ in tables}
    for table, cols, qs in tables:
        expected = [{c: row_values(o)[c] for c in cols} for o in qs]
        assert loaded[table] == json.loads(json.dumps(expected, default=str)), table
        assert counts[table] == len(expected)
    clients = set(Client.objects.filter(organization=world.clinic).values_list("full_name", flat=True))
    assert {r["full_name"] for r in loaded["clients_client"]} == clients
    assert {"Ada Lovelace", "Grace Hopper", "Mary Seacole"} <= clients
    assert all("password" not in r for r in loaded["accounts_user"])
    assert {r["organization_id"] for r in loaded["audit_seal"]} == {world.clinic.pk}
    with zipfile.ZipFile(target) as zf:
        names = set(zf.namelist())
        assert {"README.md", "seals/heads.json", "fhir/bundle-r4b.json", "fhir/bundle-r5.json"} <= names
        heads = json.loads(zf.read("seals/heads.json"))
        head = next(h for h in chain_heads() if h.organization_id == world.clinic.pk)
        assert heads["heads"] == [{"organization": world.clinic.pk, "seq": head.seq, "digest": head.digest}]
        rows = list(csv.reader(io.StringIO(zf.read("csv/clients_client.csv").decode())))
        assert len(rows) == 1 + len(clients)
        readme = zf.read("README.md").decode()
        assert "records/audit_seal.json" in readme and f"- `clients_client`: {len(clients)} rows" in readme
        for version in ("r4b", "r5"):
            bundle = json.loads(zf.read(f"fhir/bundle-{version}.json"))
            assert bundle["type"] == "collection"


@pytest.fixture(autouse=True)
def _in_process(monkeypatch: Any) -> None:
    """The CLI runs in this process on the test database (set up already)."""
    monkeypatch.setattr("pinpoint.cli.export._setup", lambda: None)


def run(argv: list[str], capsys: Any) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exc:
        main(argv)
        raise SystemExit(0)
    out = capsys.readouterr()
    return int(exc.value.code or 0), out.out, out.err


@pytest.mark.django_db
def test_cli_writes_bundles_and_zip(world: Any, tmp_path: Path, capsys: Any) -> None:
    code, _out, _ = run(
        ["export", "--format", "fhir-r5", "--organization", "demo-clinic", "--out", str(tmp_path / "c.json")], capsys
    )
    assert code == 0
    assert json.loads((tmp_path / "c.json").read_text())["id"] == f"org-{world.clinic.pk}"
    code, _out, _ = run(
        ["export", "--format", "fhir-r4b", "--client", str(world.ada.pk), "--out", str(tmp_path / "ada.json")], capsys
    )
    assert code == 0
    patients = [
        e
        for e in json.loads((tmp_path / "ada.json").read_text())["entry"]
        if e["resource"]["resourceType"] == "Patient"
    ]
    assert [p["resource"]["name"][0]["text"] for p in patients] == ["Ada Lovelace"]
    code, _out, _ = run(["export", "--format", "fhir-r5", "--out", str(tmp_path / "all")], capsys)
    assert code == 0
    assert len(list((tmp_path / "all").glob("*-fhir-r5.json"))) == 2  # the clinic and the personal space
    code, _out, _ = run(
        ["export", "--format", "zip", "--organization", str(world.clinic.pk), "--out", str(tmp_path / "x.zip")], capsys
    )
    assert code == 0
    assert zipfile.is_zipfile(tmp_path / "x.zip")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--format", "zip", "--organization", "nowhere", "--out", "x.zip"],
            "--organization: no organization 'nowhere'; known: demo-clinic",
        ),
        (["--format", "zip", "--out", "x.zip"], "--organization: a zip holds one organization; name it"),
        (["--format", "fhir-r5", "--client", "999999", "--out", "x.json"], "--client: no client with id 999999"),
        (["--format", "pdf", "--out", "x"], "'pdf' is not one of"),
        (
            ["--format", "fhir-r5", "--out", "no/such/dir/x.json", "--organization", "demo-clinic"],
            "--out: directory 'no/such/dir' does not exist",
        ),
    ],
)
def test_cli_errors_are_one_line_exit_2(
    world: Any, tmp_path: Path, capsys: Any, monkeypatch: Any, args: list[str], message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    code, _out, err = run(["export", *args], capsys)
    assert code == 2
    assert err.count("\n") == 1
    assert err.startswith("pinpoint: error: ")
    assert message in err
    assert list(tmp_path.iterdir()) == []
