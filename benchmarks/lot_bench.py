# ruff: noqa: S608 - the SQL is built from numbers and table names this script chose
"""Who got lot X on PostgreSQL: the lot search over 100,000 recorded zone uses, median wall time (target < 200 ms).

A new PostgreSQL database is migrated and given the demo (``pinpoint serve --prepare-only``); the
export benchmark's builder (``export_bench.build``, plain SQL) adds a "Bench clinic" of 50,000
clients with two signed sessions each, one zone record per session: 100,000 zone uses. They are
spread over 100 lots (``LOT-000`` ... ``LOT-099``), 1,000 uses each; the sealed-row triggers of
this throwaway database are switched off for that one UPDATE. A child process then times the
search's selector (``outcomes.selectors.lot_recipients``, what the page and the CSV call) for one
lot, median of repeated runs, beside the median of a one-row primary-key query in the same process
(the baseline, so a loaded machine shows as a ratio), and counts its queries. The database is dropped at the end.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))  # pg_bulk beside this script, however it is loaded
from pg_bulk import bench_env, prepare

HERE = Path(__file__).parent
CLIENTS, TINY_CLIENTS = 50_000, 50
LOTS = 100
REPEAT = 15

CHILD = """
import json, statistics, time, django
django.setup()
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pinpoint.web.accounts.models import Membership
from pinpoint.web.base.tenancy import Actor
from pinpoint.web.outcomes.selectors import lot_recipients
m = Membership.objects.select_related("organization", "user").filter(
    organization__name="Bench clinic", role="owner").first()
actor = Actor(user=m.user, organization=m.organization, role=m.role)
times = []
for _ in range({repeat}):
    t0 = time.perf_counter()
    rows = lot_recipients(actor, "LOT-042")
    times.append((time.perf_counter() - t0) * 1000)
base = []
for _ in range({repeat}):
    t0 = time.perf_counter()
    Membership.objects.filter(pk=m.pk).exists()
    base.append((time.perf_counter() - t0) * 1000)
with CaptureQueriesContext(connection) as ctx:
    lot_recipients(actor, "LOT-042")
median, baseline = statistics.median(times), statistics.median(base)
print(json.dumps({{"rows": len(rows), "median_ms": round(median, 1), "best_ms": round(min(times), 1),
                  "baseline_ms": round(baseline, 2), "ratio_to_baseline": round(median / max(baseline, 1e-6), 1),
                  "queries": len(ctx.captured_queries)}}))
"""


def _export_bench() -> Any:
    spec = importlib.util.spec_from_file_location("export_bench", HERE / "export_bench.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _spread(url: str, org: int) -> int:
    """Make ``LOTS`` lots in ``org`` and spread its zone records over them; how many zone uses."""
    import psycopg  # noqa: PLC0415 - PostgreSQL only

    with psycopg.connect(url) as con, con.cursor() as cur:
        cur.execute(f"SELECT min(id) FROM devices_deviceunit WHERE organization_id = {org}")
        unit = cur.fetchone()[0]  # type: ignore[index]
        cur.execute(
            "INSERT INTO devices_deviceunit (organization_id, catalog_id, label, lot_number, expires_on, first_used_on,"
            " retired_on, units_total, recalled_on, recall_reason, created_by_id, created_at)"
            " SELECT t.organization_id, t.catalog_id, 'Lot ' || g, 'LOT-' || lpad(g::text, 3, '0'), t.expires_on,"
            " t.first_used_on, NULL, 100000, NULL, '', t.created_by_id, t.created_at"
            f" FROM devices_deviceunit t, generate_series(0, {LOTS - 1}) g WHERE t.id = {unit}"
        )
        cur.execute("ALTER TABLE treatments_zonerecord DISABLE TRIGGER USER")
        cur.execute(
            "UPDATE treatments_zonerecord z SET device_unit_id = u.id, lot_number = u.lot_number"
            " FROM devices_deviceunit u"
            f" WHERE z.organization_id = {org} AND u.organization_id = {org}"
            f" AND u.lot_number = 'LOT-' || lpad((z.id % {LOTS})::text, 3, '0')"
        )
        uses = int(cur.rowcount)
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cur.execute("ALTER TABLE treatments_zonerecord ENABLE TRIGGER USER")
        cur.execute("ANALYZE")
        con.commit()
        return uses


def run(tiny: bool = False) -> dict[str, Any]:
    """Build the history (tiny: 100 zone uses), time the search for one lot; its figures."""
    import psycopg  # noqa: PLC0415

    eb = _export_bench()
    admin = psycopg.connect(eb.PG_URL, autocommit=True, connect_timeout=3)
    name = f"pinpoint_lot_bench_{uuid.uuid4().hex[:10]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    url = eb.PG_URL.rsplit("/", 1)[0] + "/" + name
    try:
        with tempfile.TemporaryDirectory(prefix="pinpoint-lot-bench-") as tmp:
            env = bench_env(url, tmp)
            prepare(env)
            org = eb.build(url, TINY_CLIENTS if tiny else CLIENTS, eb.SIGNED)
            uses = _spread(url, org)
            child = subprocess.run(
                [sys.executable, "-c", CHILD.format(repeat=3 if tiny else REPEAT)],
                env=env, capture_output=True, text=True, check=False,
            )  # fmt: skip
            if child.returncode != 0:
                raise RuntimeError(child.stderr.strip().splitlines()[-1])
            figures: dict[str, Any] = json.loads(child.stdout.strip().splitlines()[-1])
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
    return {"zone_uses": uses, "lots": LOTS, **figures, "under_200_ms": figures["median_ms"] < 200}


if __name__ == "__main__":
    print(json.dumps(run(tiny="--tiny" in sys.argv), indent=2))
