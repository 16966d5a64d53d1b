"""Erase, export, import into an empty instance: the erased stay erased, the rest comes back, the seals verify.

The demo is built by ``pinpoint serve --prepare-only`` in a new data directory; Ada Lovelace is
given distinctive personal values (details, an addendum, a cancellation reason, an adverse event
and its follow-up) by the real actions, then she and Hedy Lamarr are erased by the real erasure
action. Both organizations are exported (``pinpoint export --format zip``) and imported
(``pinpoint import``) into a new SQLite data directory and a new PostgreSQL database. There:
``pinpoint verify`` passes, also against the exported chain heads; no table of the imported
database and no file of its photo store holds any of the erased clients' personal values; their
clinical records are there, pseudonymised (same sessions, zones, depths, lots and seals); and an
export of the imported instance holds every record, CSV row and photo of the original export.
"""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from collections.abc import Callable
from typing import Any

import pytest

from pinpoint.web.audit.sealkey import seal_key
from tests.web.test_export_import import _cli, _contents, _env, _heads, _parsed, new_database  # noqa: F401 - a fixture

PHONE = "+44 7700 900461"
NOTES = "Prefers the quiet room, ZQX-client-note"
ADDENDUM = "Called back about redness, ZQX-addendum"
CANCEL = "Away at her sister's, ZQX-cancel"
ACTION = "Cool compresses at her home in Marylebone, ZQX-adverse"
FOLLOW_UP = "Her husband William called: still red, ZQX-follow-up"
PERSONAL = ("Ada Lovelace", "Lovelace", "ada@example.org", "1985-12-10", PHONE, NOTES, ADDENDUM, CANCEL, ACTION,
            FOLLOW_UP, "Hedy Lamarr", "Lamarr")  # fmt: skip
"""Values of the two clients that no table or file may hold after their erasure."""

ERASE = f"""
import datetime as dt, json, django
django.setup()
from pinpoint.web.accounts.models import Membership, Organization
from pinpoint.web.base.tenancy import Actor
from pinpoint.web.clients.actions import ClientData, update_client
from pinpoint.web.clients.models import Client
from pinpoint.web.exports.erasure import erase_client
from pinpoint.web.outcomes.actions import report_adverse_event, update_adverse_event
from pinpoint.web.treatments.actions import add_addendum, cancel_session
from pinpoint.web.treatments.models import Session

clinic = Organization.objects.get(name="Demo Clinic")
def actor(role):
    m = Membership.objects.select_related("user").get(organization=clinic, role=role)
    return Actor(user=m.user, organization=clinic, role=m.role)
owner, prac = actor("owner"), actor("practitioner")
ada = Client.objects.get(organization=clinic, full_name="Ada Lovelace")
hedy = Client.objects.get(organization=clinic, full_name="Hedy Lamarr")
update_client(owner, ada, ClientData(full_name="Ada Lovelace", birth_date=dt.date(1985, 12, 10),
                                     email="ada@example.org", phone={PHONE!r}, notes={NOTES!r}))
signed = Session.objects.filter(client=ada, status="signed").order_by("number").first()
add_addendum(prac, signed, {ADDENDUM!r})
cancel_session(prac, Session.objects.filter(client=ada, status="booked").order_by("pk").first(), {CANCEL!r})
event = report_adverse_event(prac, signed, "pih", "mild", signed.date, {ACTION!r})
update_adverse_event(prac, event, "ongoing", None, {FOLLOW_UP!r})
erase_client(owner, ada.pk, "The client's written request of 2 March")
erase_client(owner, hedy.pk, "The client's written request of 3 March")
print(json.dumps({{"ada": ada.pk, "hedy": hedy.pk}}))
"""

DUMP = """
import json, sys, django
django.setup()
from django.apps import apps
from django.db import connection
tables = set(connection.introspection.table_names())
out = {}
for model in apps.get_models(include_auto_created=True):
    if model._meta.db_table in tables:
        rows = model._base_manager.order_by("pk").values_list()
        out[model._meta.db_table] = [json.dumps(r, default=str, ensure_ascii=False) for r in rows]
json.dump(out, sys.stdout)
"""
"""Every row of every table of the database, as JSON text by table."""


def _python(env: dict[str, str], code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def erased(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The demo with Ada and Hedy erased, exported: one zip per organization, and the source database's rows."""
    base = tmp_path_factory.mktemp("erased-export")
    key = seal_key().decode()
    env = _env(base / "data", key)
    done = _cli(env, "serve", "--prepare-only")
    assert done.returncode == 0, done.stderr
    ids = json.loads(_python(env, ERASE))
    zips = []
    for org, name in (("demo-clinic", "clinic.zip"), ("2", "personal.zip")):
        done = _cli(env, "export", "--format", "zip", "--organization", org, "--out", str(base / name))
        assert done.returncode == 0, done.stderr
        zips.append(base / name)
    return {"base": base, "key": key, "zips": zips, "ids": ids, "rows": json.loads(_python(env, DUMP))}


def _parsed_rows(rows: dict[str, list[str]]) -> dict[str, list[Any]]:
    """Rows as values (PostgreSQL gives a JSON column's keys back in its own order)."""
    return {t: [json.loads(r) for r in rs] for t, rs in rows.items()}


def _found(texts: dict[str, Any]) -> set[tuple[str, str]]:
    return {(v, where) for v in PERSONAL for where, text in texts.items() if v in text}


def test_the_source_holds_no_personal_value_after_erasure(erased: dict[str, Any]) -> None:
    assert _found({t: "\n".join(rows) for t, rows in erased["rows"].items()}) == set()
    files = {}
    for path in erased["zips"]:
        with zipfile.ZipFile(path) as zf:
            files.update({f"{path.name}:{n}": zf.read(n).decode("utf-8", "replace") for n in zf.namelist()})
    assert _found(files) == set()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_erased_clients_stay_erased_through_export_and_import(
    erased: dict[str, Any],
    new_database: Callable[[str], str | None],  # noqa: F811 - the fixture imported above
    backend: str,
) -> None:
    target = erased["base"] / f"imported-{backend}"
    target.mkdir()  # on PostgreSQL with no photo to restore, nothing else creates the data directory
    env = _env(target, erased["key"], new_database(backend))
    done = _cli(env, "import", *map(str, erased["zips"]))
    assert done.returncode == 0, done.stderr
    photos = "(0 photos, 10 whose image an erasure deleted)"  # Ada's: the clinic's only photos
    assert f"records of Demo Clinic, Hana's space {photos}; every chain of seals verifies" in done.stdout
    done = _cli(env, "verify")
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count(": ok, ") == 2

    # No table of the imported database, and no stored photo, holds an erased client's personal value.
    rows: dict[str, list[str]] = json.loads(_python(env, DUMP))
    assert _found({t: "\n".join(r) for t, r in rows.items()}) == set()
    assert list(target.rglob("*.jpg")) == []  # the clinic's only photos were Ada's: their files stay deleted

    # Their clinical records are there, pseudonymised, exactly as in the source instance.
    ada, hedy = erased["ids"]["ada"], erased["ids"]["hedy"]
    imported, source = _parsed_rows(rows), _parsed_rows(erased["rows"])
    clients = {r[0]: r for r in imported["clients_client"]}
    assert clients[ada] == {r[0]: r for r in source["clients_client"]}[ada]
    assert (f"Erased client {ada}", f"Erased client {hedy}") == (clients[ada][2], clients[hedy][2])
    for table in ("treatments_session", "treatments_zonerecord", "treatments_addendum", "clients_questionnaire",
                  "consents_consent", "outcomes_adverseevent", "outcomes_adverseeventupdate", "electrolysis_session",
                  "electrolysis_arearecord", "photos_photo", "audit_erasure", "audit_seal"):  # fmt: skip
        assert imported[table] == source[table], table
    assert len(imported["audit_erasure"]) == 2

    # Every record of both organizations comes back: an export of the imported instance is the same.
    for org, original in zip(("demo-clinic", "2"), erased["zips"], strict=True):
        again = target / f"again-{original.name}"
        done = _cli(env, "export", "--format", "zip", "--organization", org, "--out", str(again))
        assert done.returncode == 0, done.stderr
        before, after = _contents(original), _contents(again)
        assert sorted(after) == sorted(before)
        assert [n for n in before if _parsed(n, after[n]) != _parsed(n, before[n])] == []
        assert _heads(again) == _heads(original)
        heads = target / f"heads-{org}"
        with zipfile.ZipFile(original) as zf:
            zf.extract("seals/heads.json", heads)
        done = _cli(env, "verify", "--against", str(heads / "seals" / "heads.json"))
        assert done.returncode == 0, done.stdout + done.stderr
