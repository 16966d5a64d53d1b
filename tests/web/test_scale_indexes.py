"""The indexes of the dashboard's electrolysis lists and of the phone search migrate both ways, and the
pages' queries are ones they serve (the planner told to avoid scans of the table or of another index in
order, so that a small database shows which index the query can use)."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pinpoint.core.errors import InputError
from pinpoint.core.hair import hair_data
from pinpoint.core.hair_course import StartCount, longest_spacing_days, planned_schedule
from pinpoint.evidence.loader import load_evidence
from tests.web.test_web_backup import _env, _pinpoint, pg_database  # noqa: F401 - pg_database is a fixture

SCRIPT = r"""
import datetime as dt, json, sys, django
django.setup()
sys.path.insert(0, "benchmarks")
from pg_bulk import clone, one
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pinpoint.web.accounts.models import Membership
from pinpoint.web.base.tenancy import Actor
from pinpoint.web.clients.selectors import client_search, phone_runs
from pinpoint.web.electrolysis import selectors as electrolysis

WANTED = {"el_session_org_date", "el_course_org_start", "client_phone_grams"}

def names():
    with connection.cursor() as cur:
        found = set()
        for table in ("electrolysis_session", "electrolysis_course", "clients_client"):
            found |= set(connection.introspection.get_constraints(cur, table))
        if connection.vendor == "postgresql":
            cur.execute("SELECT proname FROM pg_proc WHERE proname = 'pinpoint_digit_grams'")
            found |= {r[0] for r in cur.fetchall()}
    return sorted(found & (WANTED | {"pinpoint_digit_grams"}))

def plan(sql, params):
    with connection.cursor() as cur:
        cur.execute("SET enable_seqscan = off")
        cur.execute("SET enable_indexscan = off")  # and not read through another index in order
        cur.execute("EXPLAIN " + sql, params)
        return "\n".join(r[0] for r in cur.fetchall())

def plans():
    if connection.vendor != "postgresql":
        return {}
    with connection.cursor() as cur:  # a history: 3,000 courses, sessions and clients
        cur.execute("SET session_replication_role = replica")
        course = one(cur, "SELECT min(id) FROM electrolysis_course")
        session = one(cur, "SELECT min(id) FROM electrolysis_session")
        clone(cur, "electrolysis_course", f"electrolysis_course t, generate_series(1, 3000) g WHERE t.id = {course}",
              start_on="date '2015-01-01' + g % 1000")
        clone(cur, "electrolysis_session",
              f"electrolysis_session t, generate_series(1, 3000) g WHERE t.id = {session}",
              number="100 + g", performed_on="date '2015-01-01' + g % 1000", status="'in_progress'",
              signed_at="NULL", signed_by_id="NULL", signed_content="''", content_hash="''")
        client = one(cur, "SELECT min(c.id) FROM clients_client c JOIN accounts_organization o "
                          "ON o.id = c.organization_id WHERE o.name = 'Demo Clinic'")
        clone(cur, "clients_client", f"clients_client t, generate_series(1, 3000) g WHERE t.id = {client}",
              full_name="'Client ' || g", email="'c' || g || '@example.org'",
              phone="'+44 20 ' || lpad(g::text, 8, '0')")
        cur.execute("SET session_replication_role = origin")
        cur.execute("ANALYZE")
    m = Membership.objects.select_related("user", "organization").filter(organization__name="Demo Clinic",
                                                                         role="owner").first()
    actor = Actor(user=m.user, organization=m.organization, role=m.role)
    today = dt.date.today()
    out = {"today": plan(*electrolysis.sessions_between(actor, today, today).query.sql_with_params())}
    with CaptureQueriesContext(connection) as ctx:
        electrolysis.due_courses(actor, today, today - dt.timedelta(days=30), today + dt.timedelta(days=7), 100)
    out["due"] = plan(ctx.captured_queries[-1]["sql"], ())
    out["phone"] = plan(*client_search(actor, "020 7946 0958").query.sql_with_params())
    with connection.cursor() as cur:
        cur.execute("SELECT pinpoint_digit_grams('442079460958'), pinpoint_digit_grams('1234')")
        out["runs"] = list(cur.fetchone())
    out["python_runs"] = [phone_runs("442079460958"), phone_runs("1234")]
    return out

applied = names()
found = plans()
call_command("migrate", "electrolysis", "0003", interactive=False, verbosity=0)
call_command("migrate", "records", "0002", interactive=False, verbosity=0)
gone = names()
call_command("migrate", interactive=False, verbosity=0)
print(json.dumps({"applied": applied, "gone": gone, "again": names(), "vendor": connection.vendor,
                  "plans": found}))
"""
BOTH = ["el_course_org_start", "el_session_org_date"]
RUNS = ["07946", "20794", "42079", "44207", "46095", "60958", "79460", "94609"]


def _migrate_both_ways(env: dict[str, str]) -> dict[str, Any]:
    prepared = _pinpoint(env, "serve", "--prepare-only")
    assert prepared.returncode == 0, prepared.stderr
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=Path(__file__).parents[2],
        env=env | {"DJANGO_SETTINGS_MODULE": "pinpoint.web.settings"},
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    out: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    return out


def test_the_dashboard_and_phone_indexes_migrate_both_ways_on_sqlite(tmp_path: Path) -> None:
    out = _migrate_both_ways(_env(PINPOINT_DATA_DIR=str(tmp_path)))
    assert out == {"applied": BOTH, "gone": [], "again": BOTH, "vendor": "sqlite", "plans": {}}


def test_the_dashboard_and_phone_indexes_migrate_both_ways_and_serve_the_pages_on_postgresql(
    tmp_path: Path,
    pg_database: Callable[[], str],  # noqa: F811 - the fixture imported above
) -> None:
    out = _migrate_both_ways(_env(DATABASE_URL=pg_database(), PINPOINT_DATA_DIR=str(tmp_path)))
    every = sorted([*BOTH, "client_phone_grams", "pinpoint_digit_grams"])
    plans = out.pop("plans")
    assert out == {"applied": every, "gone": [], "again": every, "vendor": "postgresql"}
    # the dashboard's electrolysis sessions of the day: by organization and date
    assert "Bitmap Index Scan on el_session_org_date" in plans["today"], plans["today"]
    # the courses that can be due: their sessions since a date and their starts since it, both by index
    assert "Bitmap Index Scan on el_session_org_date" in plans["due"], plans["due"]
    assert "Bitmap Index Scan on el_course_org_start" in plans["due"], plans["due"]
    # a phone number of five digits or more: the runs of its digits, which the GIN index finds
    assert "Bitmap Index Scan on client_phone_grams" in plans["phone"], plans["phone"]
    assert plans["runs"] == [RUNS, []]
    assert plans["python_runs"] == [RUNS, []]  # the search asks for the runs the index holds


def test_no_planned_schedule_spaces_two_sessions_further_apart_than_the_longest_spacing() -> None:
    # due_courses reads only the courses with a session since the first day it lists less this
    # spacing: a course whose next session could fall due later must have one since then
    ev = load_evidence()
    data = hair_data(ev)
    gaps = set()
    for area in data.areas:
        for modality in data.modalities:
            try:
                dates = planned_schedule(ev, area, modality, start=dt.date(2026, 1, 5), count=StartCount())
            except InputError:  # a modality not used on this area
                continue
            gaps |= {(b - a).days for a, b in itertools.pairwise(dates)}
    assert longest_spacing_days(ev) == 28
    assert max(gaps) == 28  # reached: the bound is the schedules' own, not a margin
