"""Lists that grow with the clinic are paged: today's sessions on the dashboard (25 a page) and a
client's timeline (20 entries a page, newest first). A page costs the same number of queries
however many rows there are; a page number that is not a page shows the nearest page and says so."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pinpoint.web.clients import selectors as screening
from pinpoint.web.electrolysis.models import Course as ElectrolysisCourse
from pinpoint.web.electrolysis.models import Session as ElectrolysisSession
from pinpoint.web.records.clients import TIMELINE_PAGE
from pinpoint.web.records.dashboard import TODAY_PAGE
from pinpoint.web.records.paging import page_of
from pinpoint.web.treatments.models import Session
from tests.web.conftest import World, queries_of

FIRST = 100  # numbers of the sessions these tests book on Ada's course


def _book(w: World, days: list[int]) -> list[Session]:
    """Book sessions of Ada's course ``days`` from today, numbered from ``FIRST`` in that order."""
    return Session.objects.bulk_create(
        Session(
            organization=w.clinic,
            course=w.ada_course,
            client=w.ada,
            number=FIRST + i,
            scheduled_on=w.today + dt.timedelta(days=d),
        )
        for i, d in enumerate(days)
    )


@pytest.fixture
def cold(monkeypatch: pytest.MonkeyPatch) -> None:
    """Empty screening and plan caches, as in a process just started."""
    monkeypatch.setattr(screening, "_screenings", type(screening._screenings)())
    monkeypatch.setattr(screening, "_plans", type(screening._plans)())


def _today_rows(html: str) -> list[str]:
    return re.findall(r'id="today-session-\d+">([^<]+)</a>', html)


def test_page_of_reads_any_text_as_a_page() -> None:
    assert (page_of(60, 25, None).number, page_of(60, 25, None).pages, page_of(60, 25, "").asked) == (1, 3, "")
    second = page_of(60, 25, "2")
    assert (second.number, second.start, second.end, second.more, second.previous, second.next) == (2, 26, 50, 10, 1, 3)
    last = page_of(60, 25, "3")
    assert (last.start, last.end, last.shown, last.more, last.next) == (51, 60, 10, 0, None)
    for text, number in [("abc", 1), ("0", 1), ("-1", 1), ("2.5", 1), ("٣", 1), ("4", 3), ("99999999999999999999", 3)]:
        page = page_of(60, 25, text)
        assert (page.number, page.asked) == (number, text), text
    empty = page_of(0, 25, "7")
    assert (empty.number, empty.pages, empty.start, empty.end, empty.shown, empty.several) == (1, 1, 0, 0, 0, False)


def test_todays_sessions_come_25_a_page_in_name_order(world: World, cold: None) -> None:
    _book(world, [0] * 60)
    c = world.login(world.practitioner)
    todays = Session.objects.filter(
        organization=world.clinic, scheduled_on=world.today, status__in=["booked", "in_progress"]
    ).count()
    first = c.get(reverse("dashboard")).content.decode()
    rows = _today_rows(first)
    assert len(rows) == TODAY_PAGE
    ada_before = Session.objects.filter(course=world.ada_course, scheduled_on=world.today, number__lt=FIRST).count()
    assert rows[ada_before:] == [f"Ada Lovelace: session {FIRST + i}" for i in range(TODAY_PAGE - ada_before)]
    assert f"Showing 1–25 of {todays} sessions today." in first
    assert f'href="?page=2" id="today-page-next">{todays - 25} more sessions today: next page</a>' in first
    second = c.get(reverse("dashboard") + "?page=2").content.decode()
    start = TODAY_PAGE - ada_before
    assert _today_rows(second) == [f"Ada Lovelace: session {FIRST + start + i}" for i in range(TODAY_PAGE)]
    assert f"Showing 26–50 of {todays} sessions today." in second
    assert 'href="?page=1" id="today-page-previous">Previous 25</a>' in second
    assert "today-page-missing" not in second
    # the screening alerts still cover every session of today, not only the page shown
    alerts = second[second.index('id="screening-alerts"') :]
    assert f'<a href="/sessions/{world.grace_session.pk}/">Grace Hopper, session {world.grace_session.number}</a>' in (
        alerts
    )


@pytest.mark.parametrize(("asked", "shown"), [("abc", 1), ("0", 1), ("9", 3), ("", 1)])
def test_a_dashboard_page_that_is_not_one_shows_the_nearest(world: World, asked: str, shown: int) -> None:
    _book(world, [0] * 60)
    page = world.login(world.practitioner).get(reverse("dashboard"), {"page": asked})
    assert page.status_code == 200
    assert page.context["today_page"].number == shown
    html = page.content.decode()
    if asked:
        assert f"There is no page “{asked}” of today's sessions: this is page {shown} of 3." in html
    else:
        assert "today-page-missing" not in html


def _electrolysis_today(w: World, n: int) -> int:
    """Start ``n`` electrolysis sessions today on Hedy's course, numbered from ``FIRST``; all of today's."""
    course = ElectrolysisCourse.objects.filter(organization=w.clinic, client__full_name="Hedy Lamarr").earliest("pk")
    ElectrolysisSession.objects.bulk_create(
        ElectrolysisSession(organization=w.clinic, course=course, client=course.client, number=FIRST + i,
                            performed_on=w.today, practitioner=w.practitioner)
        for i in range(n)
    )  # fmt: skip
    return ElectrolysisSession.objects.filter(organization=w.clinic, performed_on=w.today).count()


def _el_rows(html: str) -> list[str]:
    return re.findall(r'id="today-electrolysis-\d+">([^<]+)</a>', html)


def test_todays_electrolysis_sessions_come_25_a_page(world: World) -> None:
    todays = _electrolysis_today(world, 60)
    before = todays - 60  # any of the demo's held today come first (lower numbers)
    c = world.login(world.practitioner)
    first = c.get(reverse("dashboard")).content.decode()
    rows = _el_rows(first)
    assert len(rows) == TODAY_PAGE
    assert rows[before:] == [f"Hedy Lamarr: electrolysis session {FIRST + i}" for i in range(TODAY_PAGE - before)]
    assert f"Showing 1–25 of {todays} electrolysis sessions today." in first
    more = todays - 25
    assert f'href="?el_page=2" id="el-today-page-next">{more} more electrolysis sessions today: next page</a>' in first
    assert "el-today-page-previous" not in first
    second = c.get(reverse("dashboard"), {"el_page": "2"}).content.decode()
    start = TODAY_PAGE - before
    assert _el_rows(second) == [f"Hedy Lamarr: electrolysis session {FIRST + start + i}" for i in range(TODAY_PAGE)]
    assert f"Showing 26–50 of {todays} electrolysis sessions today." in second
    assert 'href="?el_page=1" id="el-today-page-previous">Previous 25</a>' in second
    last = c.get(reverse("dashboard"), {"el_page": "3"}).content.decode()
    assert _el_rows(last) == [
        f"Hedy Lamarr: electrolysis session {FIRST + 50 - before + i}" for i in range(todays - 50)
    ]
    assert "el-today-page-next" not in last
    assert "el-today-page-missing" not in second + last
    assert "No session today." not in first


def test_each_list_of_today_keeps_the_others_page(world: World) -> None:
    _book(world, [0] * 60)
    _electrolysis_today(world, 60)
    html = world.login(world.practitioner).get(reverse("dashboard"), {"page": "2", "el_page": "2"}).content.decode()
    assert 'href="?page=2&amp;el_page=3" id="el-today-page-next">' in html
    assert 'href="?page=3&amp;el_page=2" id="today-page-next">' in html
    assert 'href="?page=1&amp;el_page=2" id="today-page-previous">' in html


@pytest.mark.parametrize(("asked", "shown"), [("abc", 1), ("0", 1), ("9", 3)])
def test_an_electrolysis_page_that_is_not_one_shows_the_nearest(world: World, asked: str, shown: int) -> None:
    _electrolysis_today(world, 60)
    page = world.login(world.practitioner).get(reverse("dashboard"), {"el_page": asked})
    assert page.status_code == 200
    assert page.context["el_today_page"].number == shown
    html = page.content.decode()
    assert f"There is no page “{asked}” of today's electrolysis sessions: this is page {shown} of 3." in html
    assert "today-page-missing" not in html.replace("el-today-page-missing", "")


def test_the_dashboard_queries_do_not_grow_with_todays_electrolysis_sessions(world: World) -> None:
    c = world.login(world.practitioner)
    url = reverse("dashboard")
    queries_of(c, url)  # warm caches
    _electrolysis_today(world, 10)
    few = queries_of(c, url)
    ElectrolysisSession.objects.bulk_create(
        ElectrolysisSession(organization=world.clinic, course=s.course, client=s.client, number=200 + i,
                            performed_on=world.today, practitioner=world.practitioner)
        for i, s in enumerate([ElectrolysisSession.objects.filter(number=FIRST).first()] * 50)
    )  # fmt: skip
    assert queries_of(c, url) == few
    assert queries_of(c, url + "?el_page=3") == few


def test_a_quiet_day_has_no_pager(world: World) -> None:
    html = world.login(world.practitioner).get(reverse("dashboard")).content.decode()
    assert "today-pager" not in html
    assert "today-count" not in html


def test_the_dashboard_queries_do_not_grow_with_todays_sessions(world: World, cold: None) -> None:
    c = world.login(world.practitioner)
    url = reverse("dashboard")
    _book(world, [0] * 10)
    cold_few = queries_of(c, url)  # screened afresh: the course plans are read once, in one query
    kept = queries_of(c, url)  # nothing written since: the page kept under the data version
    world.ada.full_name = "Ada King"  # a write: the data version moves, the page is read afresh
    world.ada.save()
    warm_few = queries_of(c, url)
    _book_more = Session.objects.bulk_create(
        Session(organization=world.clinic, course=world.ada_course, client=world.ada, number=200 + i,
                scheduled_on=world.today)
        for i in range(50)
    )  # fmt: skip
    assert len(_book_more) == 50
    assert queries_of(c, url) == warm_few
    # 2 to authenticate (the session; the user with her memberships) + the data version + the counts,
    # today's and the coming sessions (one query), the overdue ones, the questionnaires of the screened
    # clients, electrolysis courses due, today's electrolysis sessions counted and their page, open
    # adverse events; kept: 2 to authenticate and the data version
    assert (cold_few, warm_few, kept) == (12, 11, 3)
    assert queries_of(c, url) == kept


def test_a_timeline_comes_20_entries_a_page_newest_first(world: World) -> None:
    _book(world, list(range(401, 461)))  # sessions 100..159, beyond the demo's bookings, the furthest last
    c = world.login(world.practitioner)
    url = reverse("clients:detail", args=[world.ada.pk])
    first = c.get(url)
    t = first.context["t"]
    assert [(kind, obj.number) for _, kind, obj in t.entries] == [("session", FIRST + 59 - i) for i in range(20)]
    assert [day for day, _, _ in t.entries] == [world.today + dt.timedelta(days=460 - i) for i in range(20)]
    html = first.content.decode()
    total = t.page.total
    assert f"Showing 1–20 of {total} entries, newest first." in html
    assert f'href="?page=2" id="timeline-page-next">{total - 20} older entries: next page</a>' in html
    second = c.get(url, {"page": "2"})
    t2 = second.context["t"]
    assert [(kind, obj.number) for _, kind, obj in t2.entries] == [("session", FIRST + 39 - i) for i in range(20)]
    html2 = second.content.decode()
    assert 'href="?page=1" id="timeline-page-previous">Newer entries</a>' in html2
    # the course is summed up on every page, and the next session is still today's
    summary = f'id="summary-course-{world.ada_course.pk}"'
    assert summary in html and summary in html2
    sessions = Session.objects.filter(course=world.ada_course)
    signed, booked = sessions.filter(status="signed").count(), sessions.filter(status="booked").count()
    assert f"{signed} of {sessions.count()} sessions signed, {booked} booked" in html2
    assert t2.next_session.pk == world.today_session.pk
    # the last page ends with the oldest entry: the course start or a questionnaire, never a session booked ahead
    last = c.get(url, {"page": str(t.page.pages)}).context["t"]
    assert len(last.entries) == total - 20 * (t.page.pages - 1)
    oldest = min(day for day, _, _ in last.entries)
    assert last.entries[-1][0] == oldest


@pytest.mark.parametrize(("asked", "shown"), [("x", 1), ("-3", 1), ("40", 4)])
def test_a_timeline_page_that_is_not_one_shows_the_nearest(world: World, asked: str, shown: int) -> None:
    _book(world, list(range(1, 61)))
    page = world.login(world.practitioner).get(reverse("clients:detail", args=[world.ada.pk]), {"page": asked})
    assert page.status_code == 200
    t = page.context["t"]
    assert (t.page.number, t.page.pages) == (shown, 4)
    assert t.page.total > 60
    text = f"There is no page “{asked}” of this record: this is page {shown} of 4."
    assert text in page.content.decode()


def test_the_timeline_queries_do_not_grow_with_sessions(world: World) -> None:
    c = world.login(world.practitioner)
    url = reverse("clients:detail", args=[world.ada.pk])
    _book(world, list(range(1, 11)))
    queries_of(c, url)  # the screenings of today and the next session kept
    kept = queries_of(c, url)  # nothing written since: the body kept under the data version
    world.ada.notes = "Prefers mornings"  # a write: the data version moves, the body is read afresh
    world.ada.save()
    few = queries_of(c, url)
    Session.objects.bulk_create(
        Session(organization=world.clinic, course=world.ada_course, client=world.ada, number=200 + i,
                scheduled_on=world.today + dt.timedelta(days=30 + i))
        for i in range(50)
    )  # fmt: skip
    many = c.get(url)
    assert len(many.context["t"].entries) == TIMELINE_PAGE
    world.ada.notes = "Prefers afternoons"
    world.ada.save()
    assert queries_of(c, url) == few
    assert queries_of(c, url) == kept
    # 2 to authenticate (the session; the user with her memberships) + the client with the data version
    # (one statement), the view log and its seal (4); read afresh, besides: questionnaires, consents,
    # courses with their counts, electrolysis courses with theirs, the page's sessions, the next session
    assert (few, kept) == (13, 7)


def test_a_timeline_reads_the_data_version_with_its_client_in_one_statement(world: World) -> None:
    c = world.login(world.practitioner)
    url = reverse("clients:detail", args=[world.ada.pk])
    c.get(url)
    with CaptureQueriesContext(connection) as ctx:
        assert c.get(url).status_code == 200
    versions = [q["sql"] for q in ctx.captured_queries if "records_dataversion" in q["sql"]]
    assert len(versions) == 1
    assert versions[0].startswith('SELECT "clients_client"."id"')
    assert f"WHERE organization_id = {world.clinic.pk})" in versions[0]
