# ruff: noqa: S608 - the SQL is built from table names and ids this script read from the database
"""Export of a large organization on PostgreSQL: wall time and peak memory at two sizes (memory must stay flat).

A new PostgreSQL database is migrated and given the demo (``pinpoint serve --prepare-only``); then a
"Bench clinic" is added with plain SQL (``INSERT ... SELECT`` over ``generate_series``, never the
ORM): its members and devices copied from the demo clinic, ``clients`` clients each with one
course of ``sessions`` sessions, the first ``signed`` of them signed with a zone record, the rest
booked. Every row is a copy of a demo row with new ids and keys, so it is what the export reads
(the new rows carry no seals: the export does not check seals). ``pinpoint export`` then runs in a
child process for FHIR R5 and for the zip; each child's wall time and peak resident memory
(``os.wait4``'s ``ru_maxrss``) are reported. The database is dropped at the end.

``PINPOINT_BENCH_POSTGRES`` names the server (default ``postgres://postgres@127.0.0.1:5432/postgres``).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))  # pg_bulk beside this script, however it is loaded
from pg_bulk import PG_URL, bench_env, clone, one, prepare

SIZES = ((1_000, 20), (10_000, 20))
"""(clients, sessions per client): 20,000 and 200,000 sessions."""
TINY = ((20, 3), (40, 3))
SIGNED = 2
"""Sessions of each course that are signed (with a zone record); the others are booked."""


def build(url: str, clients: int, sessions: int) -> int:
    """Add a Bench clinic of ``clients`` clients, one course each of ``sessions`` sessions; its id."""
    import psycopg  # noqa: PLC0415 - PostgreSQL only

    with psycopg.connect(url) as con, con.cursor() as cur:
        demo = one(cur, "SELECT id FROM accounts_organization WHERE kind = 'clinic' ORDER BY id LIMIT 1")
        t_session = one(
            cur,
            "SELECT s.id FROM treatments_session s JOIN treatments_zonerecord z ON z.session_id = s.id "
            f"WHERE s.organization_id = {demo} AND s.status = 'signed' ORDER BY s.id LIMIT 1",
        )
        t_course, t_client = (
            one(cur, f"SELECT course_id FROM treatments_session WHERE id = {t_session}"),
            one(cur, f"SELECT client_id FROM treatments_session WHERE id = {t_session}"),
        )
        t_zone = one(cur, f"SELECT min(id) FROM treatments_zonerecord WHERE session_id = {t_session}")
        clone(cur, "accounts_organization", f"accounts_organization t WHERE t.id = {demo}", name="'Bench clinic'")
        org = one(cur, "SELECT max(id) FROM accounts_organization")
        clone(cur, "accounts_membership", f"accounts_membership t WHERE t.organization_id = {demo}",
               organization_id=str(org))  # fmt: skip
        clone(cur, "devices_deviceunit", f"devices_deviceunit t WHERE t.organization_id = {demo}",
               organization_id=str(org))  # fmt: skip
        unit = one(cur, f"SELECT min(id) FROM devices_deviceunit WHERE organization_id = {org}")
        clone(cur, "clients_client", f"clients_client t, generate_series(1, {clients}) g WHERE t.id = {t_client}",
               organization_id=str(org), full_name="'Client ' || g", is_self="false",
               email="'client' || g || '@example.org'", phone="''")  # fmt: skip
        clone(cur, "treatments_course",
               f"treatments_course t, clients_client c WHERE t.id = {t_course} AND c.organization_id = {org}",
               organization_id=str(org), client_id="c.id")  # fmt: skip
        later = f"CASE WHEN g <= {SIGNED} THEN t.{{}} ELSE NULL END"
        clone(cur, "treatments_session",
               f"treatments_session t, treatments_course co, generate_series(1, {sessions}) g "
               f"WHERE t.id = {t_session} AND co.organization_id = {org}",
               organization_id=str(org), course_id="co.id", client_id="co.client_id", number="g",
               status=f"CASE WHEN g <= {SIGNED} THEN 'in_progress' ELSE 'booked' END",
               scheduled_on="t.scheduled_on + 28 * g",
               **{c: later.format(c) for c in ("performed_on", "started_at", "started_by_id", "signed_at",
                                              "signed_by_id")})  # fmt: skip
        clone(cur, "treatments_zonerecord",
               f"treatments_zonerecord t, treatments_session s WHERE t.id = {t_zone} "
               f"AND s.organization_id = {org} AND s.status = 'in_progress'",
               organization_id=str(org), session_id="s.id",
               device_unit_id=f"CASE WHEN t.device_unit_id IS NULL THEN NULL ELSE {unit} END")  # fmt: skip
        cur.execute(
            f"UPDATE treatments_session SET status = 'signed' WHERE organization_id = {org} AND status = 'in_progress'"
        )
        con.commit()
        return int(org)


def _measure(env: dict[str, str], *args: str) -> dict[str, float]:
    """Run ``pinpoint`` with ``args`` in a child process: wall seconds and peak resident MB."""
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "pinpoint.cli", *args], env=env, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        msg = f"pinpoint {' '.join(args)} exited {proc.returncode}"
        raise RuntimeError(msg)
    return {"seconds": round(wall, 2), "peak_rss_mb": round(usage.ru_maxrss / 1024, 1)}


def _size(env: dict[str, str], url: str, clients: int, sessions: int, out: Path) -> dict[str, Any]:
    t0 = time.perf_counter()
    org = build(url, clients, sessions)
    figures: dict[str, Any] = {
        "clients": clients,
        "sessions": clients * sessions,
        "build_seconds": round(time.perf_counter() - t0, 2),
    }
    bundle, archive = out / f"bench-{clients}.json", out / f"bench-{clients}.zip"
    org_arg = ("--organization", str(org))
    figures["fhir_r5"] = _measure(env, "export", "--format", "fhir-r5", *org_arg, "--out", str(bundle))
    figures["fhir_r5"]["mb"] = round(bundle.stat().st_size / 1e6, 1)
    figures["zip"] = _measure(env, "export", "--format", "zip", *org_arg, "--out", str(archive))
    figures["zip"]["mb"] = round(archive.stat().st_size / 1e6, 1)
    bundle.unlink()
    archive.unlink()
    return figures


def run(tiny: bool = False) -> dict[str, Any]:
    """Both sizes (tiny ones with ``tiny``) in one new database; ratios of the large to the small."""
    import psycopg  # noqa: PLC0415

    admin = psycopg.connect(PG_URL, autocommit=True, connect_timeout=3)
    name = f"pinpoint_export_bench_{uuid.uuid4().hex[:10]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    url = PG_URL.rsplit("/", 1)[0] + "/" + name
    try:
        with tempfile.TemporaryDirectory(prefix="pinpoint-export-bench-") as tmp:
            env = bench_env(url, tmp)
            prepare(env)
            small, large = (_size(env, url, c, s, Path(tmp)) for c, s in (TINY if tiny else SIZES))
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
    return {
        "small": small,
        "large": large,
        "fhir_r5_rss_ratio": round(large["fhir_r5"]["peak_rss_mb"] / small["fhir_r5"]["peak_rss_mb"], 2),
        "zip_rss_ratio": round(large["zip"]["peak_rss_mb"] / small["zip"]["peak_rss_mb"], 2),
        "sessions_ratio": large["sessions"] / small["sessions"],
    }


if __name__ == "__main__":
    import json

    print(json.dumps(run(tiny="--tiny" in sys.argv), indent=2))
