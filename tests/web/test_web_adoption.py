"""Upgrading a database written before sealing existed: the migration seals its records once, in order.

Each test builds a real database as ``pinpoint serve`` does, takes it back to the state before the
seals (``migrate audit 0001``: the seal tables and every trigger gone, the records kept), writes a
few more records there the way the old app did, then upgrades it as a user would (``pinpoint serve
--prepare-only``) and runs ``pinpoint verify``. On SQLite, and on PostgreSQL when a server answers.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.web.test_web_backup import _env, _pinpoint, pg_database  # noqa: F401 - pg_database is a fixture

# At the state before the seals: add records as the old app wrote them (an audit event and a record view
# older than everything else, a second consent withdrawn; signed sessions without the anaesthetic and
# approval entries, whose columns going back has dropped), then count, per organization, the rows that
# must carry a seal after the upgrade.
BEFORE_SEALS = r"""
import datetime as dt, hashlib, json, os
import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pinpoint.web.settings")
django.setup()
from django.core.management import call_command
from django.db import connection

call_command("migrate", "audit", "0001", interactive=False, verbosity=0)
with connection.cursor() as cur:
    tables = connection.introspection.table_names(cur)
    assert "audit_seal" not in tables and "audit_sealchain" not in tables, tables
    cur.execute("SELECT id FROM accounts_organization WHERE name = 'Demo Clinic'")
    (org,) = cur.fetchone()
    cur.execute(
        "SELECT client_id, actor_id FROM audit_auditevent WHERE organization_id = %s AND client_id IS NOT NULL"
        " AND actor_id IS NOT NULL ORDER BY id",
        [org],
    )
    client, user = cur.fetchone()
    old = dt.datetime(2020, 1, 2, 9, 30, tzinfo=dt.UTC)
    cur.execute(
        "INSERT INTO audit_auditevent (organization_id, actor_id, action, target_type, target_id, client_id,"
        " detail, at) VALUES (%s, %s, 'client.create', 'client', %s, %s, '{}', %s)",
        [org, user, client, client, old],
    )
    cur.execute(
        "INSERT INTO audit_recordview (organization_id, user_id, client_id, what, object_id, at)"
        " VALUES (%s, %s, %s, 'timeline', NULL, %s)",
        [org, user, client, old],
    )
    cur.execute("SELECT max(id) FROM audit_auditevent")
    (event,) = cur.fetchone()
    cur.execute("SELECT max(id) FROM audit_recordview")
    (view,) = cur.fetchone()
    cur.execute(
        "UPDATE consents_consent SET withdrawn_at = %s, withdrawal_reason = 'moved away', withdrawn_by_id = %s"
        " WHERE id = (SELECT min(id) FROM consents_consent WHERE organization_id = %s)",
        [dt.datetime.now(dt.UTC), user, org],
    )
    # the old app wrote these contents when it signed: its signed-session trigger is set aside to write them
    sqlite = connection.vendor == "sqlite"
    if sqlite:
        cur.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'treatments_session'")
        triggers = cur.fetchall()
        for name, _ in triggers:
            cur.execute(f"DROP TRIGGER {name}")
    else:
        cur.execute("ALTER TABLE treatments_session DISABLE TRIGGER USER")
    cur.execute("SELECT id, signed_content FROM treatments_session WHERE status = 'signed'")
    for session, text in cur.fetchall():
        content = json.loads(text)
        newer = [content.pop(key, None) for key in ("anaesthetic", "override_approval")]
        if any(entry is not None for entry in newer):
            old_text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
            cur.execute(
                "UPDATE treatments_session SET signed_content = %s, content_hash = %s WHERE id = %s",
                [old_text, hashlib.sha256(old_text.encode()).hexdigest(), session],
            )
    if sqlite:
        for _, sql in triggers:
            cur.execute(sql)
    else:
        cur.execute("ALTER TABLE treatments_session ENABLE TRIGGER USER")
    counts = {}
    cur.execute("SELECT id FROM accounts_organization ORDER BY id")
    for (org_id,) in cur.fetchall():
        n = 0
        for sql in (
            "SELECT count(*) FROM treatments_session WHERE organization_id = %s AND status = 'signed'",
            "SELECT count(*) FROM treatments_addendum WHERE organization_id = %s",
            "SELECT count(*) FROM consents_consent WHERE organization_id = %s",
            "SELECT count(*) FROM consents_consent WHERE organization_id = %s AND withdrawn_at IS NOT NULL",
            "SELECT count(*) FROM clients_questionnaire WHERE organization_id = %s",
            "SELECT count(*) FROM audit_auditevent WHERE organization_id = %s",
            "SELECT count(*) FROM audit_recordview WHERE organization_id = %s",
        ):
            cur.execute(sql, [org_id])
            n += cur.fetchone()[0]
        counts[org_id] = n
print(json.dumps({"clinic": org, "event": event, "view": view, "counts": counts}))
"""

# After the upgrade: the first seals of the clinic's chain, and how many seals each organization has.
SEALS = r"""
import json, os
import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pinpoint.web.settings")
django.setup()
from pinpoint.web.audit.models import Seal

seals = Seal.objects.order_by("organization", "seq")
print(json.dumps([[s.organization_id, s.seq, s.kind, s.record_id] for s in seals]))
"""


def _python(env: dict[str, str], script: str) -> Any:
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


def _upgrade_and_verify(env: dict[str, str]) -> None:
    assert _pinpoint(env, "serve", "--prepare-only").returncode == 0  # the demo, sealed as it is written
    before = _python(env, BEFORE_SEALS)
    counts = {int(k): v for k, v in before["counts"].items()}
    assert len(counts) == 2
    assert all(n > 5 for n in counts.values()), counts

    upgraded = _pinpoint(env, "serve", "--prepare-only", "--no-demo")
    assert upgraded.returncode == 0, upgraded.stderr
    verified = _pinpoint(env, "verify")
    assert (verified.returncode, verified.stderr) == (0, ""), verified.stdout
    lines = verified.stdout.splitlines()
    assert [re.sub(r" [0-9a-f]{64}$", "", line) for line in lines] == [
        f"organization {org} ({name}): ok, {n} sealed records, head {n}"
        for (org, n), name in zip(sorted(counts.items()), ("Demo Clinic", "Hana's space"), strict=True)
    ]

    seals = _python(env, SEALS)
    clinic = [s for s in seals if s[0] == before["clinic"]]
    assert [s[1] for s in clinic] == list(range(1, counts[before["clinic"]] + 1))
    # The oldest records first: the two written at the same moment in 2020, by id (the first record view,
    # then a later audit event); the withdrawal, recorded just now, after its consent.
    assert before["view"] < before["event"]
    assert [tuple(s[2:]) for s in clinic[:2]] == [("record_view", before["view"]), ("audit_event", before["event"])]
    order = [(kind, rid) for _, _, kind, rid in clinic]
    withdrawn = next(rid for kind, rid in order if kind == "consent_withdrawal")
    assert order.index(("consent", withdrawn)) < order.index(("consent_withdrawal", withdrawn))

    # Upgrading again seals nothing twice.
    again = _pinpoint(env, "serve", "--prepare-only", "--no-demo")
    assert again.returncode == 0, again.stderr
    assert _python(env, SEALS) == seals


def test_sqlite_database_from_before_the_seals_is_sealed_by_the_upgrade(tmp_path: Path) -> None:
    _upgrade_and_verify(_env(PINPOINT_DATA_DIR=str(tmp_path)))


def test_postgresql_database_from_before_the_seals_is_sealed_by_the_upgrade(
    tmp_path: Path,
    pg_database: Callable[[], str],  # noqa: F811 - the fixture imported above
) -> None:
    _upgrade_and_verify(_env(DATABASE_URL=pg_database(), PINPOINT_DATA_DIR=str(tmp_path)))
