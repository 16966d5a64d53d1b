"""The thin session runner: one load per request, signing in at most 15 queries and one plan parse."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pinpoint.core.errors import InputError
from pinpoint.core.guide import Step
from pinpoint.core.planning import Plan
from pinpoint.core.records import canonical_json
from pinpoint.core.sessions import anaesthetic_window, check_every_zone_recorded
from pinpoint.core.span import Span
from pinpoint.web.audit.actions import record_event
from pinpoint.web.audit.events import Event
from pinpoint.web.audit.models import AuditEvent, Seal
from pinpoint.web.electrolysis import actions as electrolysis
from pinpoint.web.treatments.models import Session, ZoneRecord
from pinpoint.web.treatments.signing import signed_content
from tests.web.conftest import World
from tests.web.test_electrolysis import _course, _entry
from tests.web.test_web_sessions import _started, runner_post

TRANSACTION_ONLY = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")


def _data_queries(ctx: CaptureQueriesContext) -> list[str]:
    """The statements that read or write rows (the test's own transaction adds savepoints around the view's)."""
    return [q["sql"] for q in ctx.captured_queries if not q["sql"].startswith(TRANSACTION_ONLY)]


def test_signing_a_session_costs_at_most_15_queries_and_one_plan_parse(world: World) -> None:
    s = _started(world)
    client = world.login(world.practitioner)
    data = runner_post(world.ada_course, "sign")
    data |= {f"{zp.zone}-device_unit": str(world.pen.pk) for zp in world.ada_course.plan_obj().zones}
    parses: list[Any] = []
    real = Plan.model_validate

    def counted(*args: Any, **kwargs: Any) -> Plan:
        parses.append(args)
        return real(*args, **kwargs)

    with mock.patch.object(Plan, "model_validate", side_effect=counted), CaptureQueriesContext(connection) as ctx:
        response = client.post(reverse("treatments:run", args=[s.pk]), data)
    assert response.status_code == 302, response.content.decode()[:500]
    assert response["Location"] == reverse("treatments:session", args=[s.pk])
    queries = _data_queries(ctx)
    # session, the user with her memberships; the session locked, its zones, questionnaire, units (locked
    # first on PostgreSQL); zones and their history; the session and its history; the audit event; one
    # chain-head lock, the seals, the head
    assert len(queries) <= 15, "\n".join(queries)
    assert len(parses) == 1
    signed = Session.objects.get(pk=s.pk)
    assert signed.status == "signed"
    zones = {zp.zone for zp in world.ada_course.plan_obj().zones}
    assert set(ZoneRecord.objects.filter(session=signed).values_list("zone", flat=True)) == zones
    assert ZoneRecord.history.filter(session_id=s.pk).count() == len(zones)
    assert Session.history.filter(id=s.pk, status="signed").count() == 1
    event = AuditEvent.objects.get(action="session.sign", target_id=s.pk, target_type="treatments.session")
    seals = list(Seal.objects.filter(organization=world.clinic).order_by("-seq")[:2])
    assert [(x.kind, x.record_id) for x in seals] == [("audit_event", event.pk), ("session", s.pk)]
    assert seals[0].prev_digest == seals[1].digest
    page = client.get(reverse("treatments:session", args=[s.pk]))
    assert page.context["verified"] is True


def test_signing_an_electrolysis_session_costs_at_most_15_queries_and_writes_only_the_signature(world: World) -> None:
    course = _course(world)
    prac = world.actor(world.practitioner)
    session = electrolysis.start_session(prac, course)
    electrolysis.record_area(prac, session, _entry())
    client = world.login(world.practitioner)
    with CaptureQueriesContext(connection) as ctx:
        response = client.post(reverse("electrolysis:sign", args=[session.pk]), {"confirm": "on", "notes": "calm"})
    assert response.status_code == 302, response.content.decode()[:500]
    queries = _data_queries(ctx)
    # session, user, membership; the session and its course, the session locked, its areas, the
    # signed check; the session; two seals (session, audit event), each a chain lock, a seal, the head
    assert len(queries) <= 15, "\n".join(queries)
    updates = [q for q in queries if q.startswith('UPDATE "electrolysis_session"')]
    assert len(updates) == 1
    written = set(re.findall(r'"(\w+)" = ', updates[0].split(' WHERE "electrolysis_session"."id"')[0]))
    assert written == {"notes", "status", "signed_at", "signed_by_id", "signed_content", "content_hash"}
    signed = type(session).objects.get(pk=session.pk)
    assert (signed.status, signed.notes, signed.number) == ("signed", "calm", session.number)


def test_saving_an_unchanged_draft_writes_no_zone_row(world: World) -> None:
    s = _started(world)
    client = world.login(world.practitioner)
    client.post(reverse("treatments:run", args=[s.pk]), runner_post(world.ada_course))
    history = ZoneRecord.history.filter(session_id=s.pk).count()
    assert client.post(reverse("treatments:run", args=[s.pk]), runner_post(world.ada_course)).status_code == 302
    assert ZoneRecord.history.filter(session_id=s.pk).count() == history
    changed = runner_post(world.ada_course, **{"cheek-notes": "redness"})
    client.post(reverse("treatments:run", args=[s.pk]), changed)
    assert ZoneRecord.objects.get(session_id=s.pk, zone="cheek").notes == "redness"
    assert ZoneRecord.history.filter(session_id=s.pk).count() == history + 1


def test_a_change_to_a_signed_session_answers_409_with_the_reason_and_the_way_back(world: World) -> None:
    client = world.login(world.owner)
    response = client.post(reverse("treatments:cancel", args=[world.signed.pk]), {"reason": "oops"})
    assert response.status_code == 409
    body = response.content.decode()
    assert "this session is signed: it cannot change; add an addendum instead" in body
    assert f'href="{reverse("treatments:session", args=[world.signed.pk])}"' in body


def test_the_signed_content_is_core_s_and_unchanged_for_records_signed_before(world: World) -> None:
    records = list(ZoneRecord.objects.filter(session=world.signed))
    assert canonical_json(signed_content(world.signed, records)) == world.signed.signed_content


def test_the_anaesthetic_window_and_every_zone_recorded_are_core_rules(world: World) -> None:
    at = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)
    cream = Step(kind="anaesthetic-apply", title="cream", detail="", minutes=Span(min=30, max=60), zones=(), sources=())
    assert anaesthetic_window([cream], at) == (at + dt.timedelta(minutes=30), at + dt.timedelta(minutes=60))
    assert anaesthetic_window([cream], None) is None
    assert anaesthetic_window([], at) is None
    plan = world.ada_course.plan_obj()
    with pytest.raises(InputError) as refused:
        check_every_zone_recorded(plan, [plan.zones[0].zone])
    missing = sorted(zp.zone for zp in plan.zones[1:])
    assert refused.value.field == "zones"
    assert refused.value.message == f"record every zone before signing; missing: {', '.join(missing)}"


def test_an_audit_event_outside_the_vocabulary_is_refused(world: World) -> None:
    with pytest.raises(ValueError, match=r"'session\.signd' is not a valid Event"):
        record_event(world.actor(world.owner), "session.signd", world.ada, client=world.ada)
    assert set(AuditEvent.objects.values_list("action", flat=True)) <= {e.value for e in Event}
