"""At the same moment, each with its own database connection: a lot's last unit chosen by two sessions signed
together (one signs, the other is refused beside the field with the reason, the lot's units never overspent),
and two resolutions of one adverse event (one is recorded, the other is refused).

On a fresh data directory prepared by ``pinpoint serve --prepare-only`` (SQLite, or a fresh PostgreSQL
database when ``DATABASE_URL`` names a server). The first signing holds the lot's lock while the second
waits for it, so the second counts the units only after the first has committed; likewise the first
resolution holds the event while the second waits.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator

import pytest

from tests.web.test_schedule_concurrency import prepared_env

RACE = """
import json, os, threading, time
from decimal import Decimal
import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pinpoint.web.settings")
django.setup()
from django.db import connection, transaction
from pinpoint.core.errors import PinpointError
from pinpoint.web.accounts.models import Membership
from pinpoint.web.base.tenancy import Actor
from pinpoint.web.devices.models import DeviceUnit
from pinpoint.web.devices.selectors import units
from pinpoint.web.treatments.actions import (
    RecordInput, RecordInvalidError, ZoneInput, record_session, sign_session, start_session,
)
from pinpoint.web.treatments.models import Session, ZoneRecord
from pinpoint.web.treatments.selectors import session_context

m = Membership.objects.select_related("organization", "user").get(user__email="practitioner@demo-clinic.example")
actor = Actor(user=m.user, organization=m.organization, role=m.role)
today = actor.today()
pen = units(actor).get(label="Pen cartridges")
DeviceUnit.objects.filter(pk=pen.pk).update(units_total=pen.uses + 1)  # one unit left
sessions = []
candidates = Session.objects.filter(organization=m.organization, status__in=("booked", "in_progress"))
for s in candidates.order_by("scheduled_on", "client__full_name"):
    if len(sessions) < 2 and s.course_id not in {x.course_id for x in sessions}:
        try:
            if s.status == "booked":
                start_session(actor, s, today)
            sessions.append(Session.objects.get(pk=s.pk))
        except PinpointError as exc:
            pass


def record(session):
    zones = tuple(
        ZoneInput(zone=zp.zone, device="pen_14", device_unit_id=pen.pk, depth_mm=Decimal(f"{zp.depth_mm.min:g}"),
                  passes=int(zp.passes.min), endpoint_reached=True)
        for zp in session.course.plan_obj().zones
    )
    return RecordInput(checklist=(), notes="", zones=zones, needled_before_ready=True)


data = {s.pk: record(s) for s in sessions}
first, second = sessions
locked, results = threading.Event(), {}


def hold_then_sign():
    try:
        with transaction.atomic():
            ctx = session_context(actor, first.pk, for_update=True)  # the lot's row locked
            locked.set()
            time.sleep(1.5)  # the other signing is waiting for the lot now
            record_session(actor, ctx, data[first.pk], sign=True)
        results["first"] = "signed"
    except PinpointError as exc:
        results["first"] = "refused: " + exc.message
    finally:
        connection.close()


def sign_meanwhile():
    locked.wait(30)
    try:
        sign_session(actor, second, data[second.pk])
        results["second"] = "signed"
    except RecordInvalidError as exc:
        results["second"] = "refused: " + " / ".join(sorted(set(exc.errors.values())))
    except PinpointError as exc:
        results["second"] = "refused: " + exc.message
    finally:
        connection.close()


threads = [threading.Thread(target=hold_then_sign), threading.Thread(target=sign_meanwhile)]
for t in threads:
    t.start()
for t in threads:
    t.join(timeout=60)
uses = ZoneRecord.objects.filter(device_unit=pen, session__status="signed").values("session").distinct().count()
print(json.dumps({"results": results, "signed_uses": uses, "units_total": pen.uses + 1}))
"""


RESOLVE = """
import datetime as dt, json, os, threading, time
import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pinpoint.web.settings")
django.setup()
from django.db import connection, transaction
from pinpoint.core.errors import PinpointError
from pinpoint.web.accounts.models import Membership
from pinpoint.web.base.tenancy import Actor
from pinpoint.web.outcomes.actions import report_adverse_event, update_adverse_event
from pinpoint.web.outcomes.models import AdverseEventUpdate
from pinpoint.web.treatments.models import Session

m = Membership.objects.select_related("organization", "user").get(user__email="practitioner@demo-clinic.example")
actor = Actor(user=m.user, organization=m.organization, role=m.role)
today = actor.today()
signed = Session.objects.filter(organization=m.organization, status="signed").order_by("pk").first()
event = report_adverse_event(actor, signed, "burn", "mild", today, "cool compresses")
held, results = threading.Event(), {}


def resolve_and_hold():
    try:
        with transaction.atomic():
            update_adverse_event(actor, event, "resolved", today, "healed")
            held.set()
            time.sleep(1.5)  # the other resolution is sent now
        results["first"] = "resolved"
    except PinpointError as exc:
        results["first"] = "refused: " + exc.message
    finally:
        connection.close()


def resolve_meanwhile():
    held.wait(30)
    try:
        update_adverse_event(actor, event, "resolved", today, "healed too")
        results["second"] = "resolved"
    except PinpointError as exc:
        results["second"] = "refused: " + exc.message
    finally:
        connection.close()


threads = [threading.Thread(target=resolve_and_hold), threading.Thread(target=resolve_meanwhile)]
for t in threads:
    t.start()
for t in threads:
    t.join(timeout=60)
n = AdverseEventUpdate.objects.filter(event=event, resolved_on__isnull=False).count()
print(json.dumps({"results": results, "resolutions": n}))
"""


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """A fresh data directory (or database) with the demo loaded."""
    yield from prepared_env(tmp_path_factory)


def test_the_last_unit_of_a_lot_signed_twice_at_once_is_used_once(env: dict[str, str]) -> None:
    done = subprocess.run(
        [sys.executable, "-c", RACE], env=env, capture_output=True, text=True, timeout=240, check=False
    )
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["results"]["first"] == "signed"
    assert out["results"]["second"] == "refused: all 2 units of Pen cartridges are used: open a new lot"
    assert (out["signed_uses"], out["units_total"]) == (2, 2)


def test_two_resolutions_of_one_adverse_event_at_once_record_one(env: dict[str, str]) -> None:
    done = subprocess.run(
        [sys.executable, "-c", RESOLVE], env=env, capture_output=True, text=True, timeout=240, check=False
    )
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out == {
        "results": {"first": "resolved", "second": "refused: this adverse event is already resolved"},
        "resolutions": 1,
    }
