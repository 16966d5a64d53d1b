"""Under concurrency, on a fresh data directory prepared by ``pinpoint serve --prepare-only`` (SQLite in WAL
mode, or a fresh PostgreSQL database when ``DATABASE_URL`` names a server):

- two threads, each with its own database connection, book one slot of one practitioner for two
  sessions at the same moment: one succeeds, the other is refused in words;
- two ``pinpoint reminders`` runs at the same time send each reminder once through a real SMTP
  server on 127.0.0.1 (aiosmtpd), and a third run sends nothing;
- ``pinpoint calendar`` prints ICS that icalendar reads back; errors are one line, exit 2.
"""

from __future__ import annotations

import email
import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from icalendar import Calendar

from tests.web.test_reminders import _free_port, _Sink
from tests.web.test_web_backup import VENV_BIN, _env, _pinpoint

BOOKER = """
import datetime as dt, json, os, threading
import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pinpoint.web.settings")
django.setup()
from django.db import connection
from django.utils import timezone
from pinpoint.core.errors import PinpointError
from pinpoint.web.accounts.models import Membership
from pinpoint.web.base.tenancy import Actor
from pinpoint.web.scheduling.actions import book, free
from pinpoint.web.scheduling.models import Appointment, Hold

m = Membership.objects.select_related("organization", "user").get(user__email="practitioner@demo-clinic.example")
actor = Actor(user=m.user, organization=m.organization, role=m.role)
today = actor.today()
appts = Appointment.objects.filter(organization=m.organization, session__scheduled_on=today)
appts = list(appts.select_related("session"))
sessions = [a.session for a in appts]
for a in appts:
    free(actor, a)
start = timezone.make_aware(dt.datetime.combine(today, dt.time(15, 0)), dt.UTC)
barrier = threading.Barrier(len(sessions))
results = []

def go(session):
    try:
        barrier.wait(timeout=30)
        book(actor, session, m.user, start, 60)
        results.append("booked")
    except PinpointError as exc:
        results.append("refused: " + exc.message)
    finally:
        connection.close()

threads = [threading.Thread(target=go, args=(s,)) for s in sessions]
for t in threads:
    t.start()
for t in threads:
    t.join(timeout=60)
print(json.dumps({
    "sessions": len(sessions),
    "results": sorted(results),
    "appointments": Appointment.objects.filter(starts_at=start).count(),
    "holds": Hold.objects.filter(resource=f"user:{m.user.pk}", appointment__starts_at=start).count(),
}))
"""


def _postgres_env(base: dict[str, str]) -> Iterator[dict[str, str]]:
    import psycopg

    url = os.environ["DATABASE_URL"]
    name = f"pinpoint_conc_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield base | {"DATABASE_URL": url.rsplit("/", 1)[0] + "/" + name}
    finally:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


def prepared_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """A fresh data directory (or PostgreSQL database) with the demo loaded; removed afterwards."""
    base = _env(PINPOINT_DATA_DIR=str(tmp_path_factory.mktemp("data")))
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        gen = _postgres_env(base)
        e = next(gen)
    else:
        gen, e = None, base
    done = _pinpoint(e, "serve", "--prepare-only")
    assert done.returncode == 0, done.stderr
    yield e
    if gen is not None:
        next(gen, None)


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """A fresh data directory (or database) with the demo loaded."""
    yield from prepared_env(tmp_path_factory)


def test_two_simultaneous_bookings_of_one_slot_one_succeeds(env: dict[str, str]) -> None:
    done = subprocess.run(
        [sys.executable, "-c", BOOKER], env=env, capture_output=True, text=True, timeout=180, check=False
    )
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["sessions"] == 2
    assert out["results"] == [
        "booked",
        "refused: Priya Patel already has an appointment between 15:00 and 16:00; choose a free time",
    ]
    assert out["appointments"] == 1
    assert out["holds"] == 12  # one hour in 5-minute cells, held once


def _reminders(env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [str(VENV_BIN / "pinpoint"), "reminders", "--json"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_two_concurrent_runs_send_each_reminder_once(env: dict[str, str]) -> None:
    from aiosmtpd.controller import Controller

    sink = _Sink()
    port = _free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    smtp = env | {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(port),
    }
    try:
        runs = [_reminders(smtp), _reminders(smtp)]
        outputs = []
        for p in runs:
            stdout, stderr = p.communicate(timeout=180)
            assert p.returncode == 0, stderr
            outputs.append(json.loads(stdout))
        third = _pinpoint(smtp, "reminders", "--json")
    finally:
        controller.stop()
    keys = {r["key"] for r in outputs[0]["reminders"]}
    assert keys == {r["key"] for r in outputs[1]["reminders"]}
    assert {k.split(":")[0] for k in keys} >= {"appointment", "home_session", "recall"}
    sent = [r["key"] for o in outputs for r in o["reminders"] if r["status"] == "sent"]
    assert sorted(sent) == sorted(keys)  # every reminder sent, none twice
    assert len(sink.messages) == len(keys)
    assert {r["status"] for r in json.loads(third.stdout)["reminders"]} == {"already"}
    recall = next(c for to, c in sink.messages if to == ["dorothy@example.org"])
    parts = [p for p in email.message_from_bytes(recall).walk() if p.get_content_type() == "text/calendar"]
    payload = parts[0].get_payload(decode=True)
    assert isinstance(payload, bytes)
    assert str(Calendar.from_ical(payload).events[0]["uid"]).startswith("recall:course:")


def test_calendar_prints_ics_and_errors_are_one_line(env: dict[str, str], tmp_path: Path) -> None:
    done = _pinpoint(env, "calendar", "--user", "PRACTITIONER@demo-clinic.example")
    assert done.returncode == 0, done.stderr
    cal = Calendar.from_ical(done.stdout)
    assert str(cal["prodid"]) == "-//Pinpoint//Reminders//EN"
    assert any(str(e["summary"]).startswith("Mae Jemison: ") for e in cal.events)
    nobody = _pinpoint(env, "calendar", "--user", "nobody@example.org")
    assert (nobody.returncode, nobody.stderr) == (
        2,
        "pinpoint: error: --user: there is no user with the email 'nobody@example.org'\n",
    )
    backwards = _pinpoint(env, "calendar", "--user", "x@y.z", "--from", "2030-01-02", "--to", "2030-01-01")
    assert (backwards.returncode, backwards.stderr) == (
        2,
        "pinpoint: error: --to 2030-01-01 is before --from 2030-01-02\n",
    )
    bad = _pinpoint(env, "reminders", "--on", "2026-13-01")
    assert bad.returncode == 2
    assert bad.stderr.count("\n") == 1
    assert bad.stderr.startswith("pinpoint: error: --on: '2026-13-01' is not a valid date")
