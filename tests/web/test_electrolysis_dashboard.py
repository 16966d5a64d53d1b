"""Electrolysis on the dashboard: today's sessions and courses due soon or overdue, beside microneedling's."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pinpoint.core.hair_course import StartCount, next_due, planned_schedule
from pinpoint.web.base.evidence import evidence_for
from pinpoint.web.clients.models import Client
from pinpoint.web.electrolysis import actions
from pinpoint.web.electrolysis.models import Course
from tests.web.conftest import World

pytestmark = pytest.mark.django_db


def _hedy(w: World) -> Client:
    return Client.objects.get(organization=w.clinic, full_name="Hedy Lamarr")


def _plan(w: World, start: dt.date, area: str = "chin_jawline") -> Course:
    data = actions.CourseInput((area,), "blend", start, StartCount())
    return actions.create_course(w.actor(w.practitioner), _hedy(w), data)


def test_the_demo_course_is_due_when_core_says_and_not_before(world: World) -> None:
    demo = Course.objects.filter(client=_hedy(world)).earliest("pk")
    ev = evidence_for(world.clinic)
    schedule = planned_schedule(ev, "upper_lip", "blend", start=demo.start_on, count=StartCount("window", 4.0, 160))
    last = demo.sessions.latest("number").performed_on
    due = next_due(schedule, 5, last)
    assert due == last + (schedule[5] - schedule[4])
    page = world.login(world.practitioner).get(reverse("dashboard"))
    listed = [(d.course.pk, d.due, d.number) for d in page.context["el_overdue"] + page.context["el_soon"]]
    in_window = world.today - dt.timedelta(days=30) <= due <= world.today + dt.timedelta(days=7)  # type: ignore[operator]
    assert listed == ([(demo.pk, due, 6)] if in_window else [])


def test_overdue_due_today_and_soon_courses_and_todays_session_are_listed(world: World) -> None:
    today = world.today
    late = _plan(world, today - dt.timedelta(days=10))
    now = _plan(world, today, area="underarm")
    soon = _plan(world, today + dt.timedelta(days=3), area="bikini")
    _plan(world, today + dt.timedelta(days=20), area="legs")  # not due this week
    demo = Course.objects.filter(client=_hedy(world)).earliest("pk")
    session = actions.start_session(world.actor(world.practitioner), demo)

    page = world.login(world.practitioner).get(reverse("dashboard"))
    ctx = page.context
    assert [(d.course.pk, d.due, d.number) for d in ctx["el_overdue"]] == [(late.pk, today - dt.timedelta(days=10), 1)]
    assert [(d.course.pk, d.due) for d in ctx["el_soon"]] == [(now.pk, today), (soon.pk, today + dt.timedelta(days=3))]
    assert [s.pk for s in ctx["el_todays"]] == [session.pk]
    html = page.content.decode()
    assert f'id="today-electrolysis-{session.pk}">Hedy Lamarr: electrolysis session 6</a>' in html
    assert f"{reverse('electrolysis:course', args=[late.pk])}\">Hedy Lamarr, electrolysis session 1</a>" in html
    assert "due today" in html
    assert "No session today." not in html


def test_the_dashboard_queries_do_not_grow_with_electrolysis_courses(world: World) -> None:
    client = world.login(world.owner)
    url = reverse("dashboard")

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    count()  # warm caches
    _plan(world, world.today - dt.timedelta(days=2))
    few = count()
    for i in range(8):
        _plan(world, world.today + dt.timedelta(days=i % 5), area="underarm")
    assert count() == few
