"""Duplicate submissions create nothing twice; a failure mid-action leaves nothing half-written;
list pages keep a constant number of queries as rows grow."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse

from pinpoint.web.clients.actions import ClientData, create_client, record_questionnaire
from pinpoint.web.clients.models import Client
from pinpoint.web.consents.actions import sign_consent
from pinpoint.web.treatments import actions as tx
from pinpoint.web.treatments.models import Course, Session
from tests.web.conftest import World, fingerprint, queries_of
from tests.web.test_web_clients import QUESTIONNAIRE
from tests.web.test_web_sessions import runner_post

KEY = "3a1f9d2c-5b6e-4c7d-8e9f-0a1b2c3d4e5f"


def _forms(w: World) -> list[tuple[str, str, dict[str, Any], Callable[[], int]]]:
    """(who, url, data, count of what it creates)."""
    course = {"indication": "fine_lines", "zones": ["cheek"], "setting": "clinic", "start_on": "2027-01-04"}
    return [
        ("assistant", reverse("clients:new"), {"full_name": "Dup Licate"}, lambda: Client.objects.count()),
        (
            "assistant",
            reverse("clients:questionnaire_new", args=[w.mary.pk]),
            QUESTIONNAIRE,
            lambda: w.mary.questionnaires.count(),
        ),
        (
            "assistant",
            reverse("consents:new", args=[w.mary.pk]),
            {
                "signed_name": "Mary Seacole",
                "signer": "client",
                "photo_clinical": "no",
                "photo_marketing": "no",
                "agree": "on",
            },
            lambda: w.mary.consents.count(),
        ),
        (
            "practitioner",
            reverse("treatments:course_new", args=[w.ada.pk]),
            course | {"action": "create"},
            lambda: Course.objects.count(),
        ),
        (
            "owner",
            reverse("devices:list"),
            {"catalog_id": "pen_11", "label": "Pen B", "lot_number": "L1"},
            lambda: w.pen.__class__.objects.count(),
        ),
        (
            "owner",
            reverse("consents:templates"),
            {"treatment": "electrolysis", "title": "Electrolysis v2", "body": "Text."},
            lambda: w.consent.template.__class__.objects.count(),
        ),
    ]


@pytest.mark.parametrize("index", range(6))
def test_a_double_submission_creates_once(world: World, index: int) -> None:
    who, url, data, count = _forms(world)[index]
    client = world.login(getattr(world, who))
    before = count()
    first = client.post(url, data | {"submission_id": KEY})
    second = client.post(url, data | {"submission_id": KEY})
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert count() == before + 1


def test_a_key_reused_for_another_form_is_an_error_not_a_crash(world: World) -> None:
    client = world.login(world.owner)
    client.post(reverse("clients:new"), {"full_name": "Key Holder", "submission_id": KEY})
    before = fingerprint()
    reused = client.post(reverse("devices:list"), {"catalog_id": "pen_11", "label": "Pen C", "submission_id": KEY})
    assert reused.status_code == 200
    assert reused.context["form"].non_field_errors() == [
        "this form was already used for something else; reload the page"
    ]
    assert fingerprint() == before


def test_booking_twice_books_once(world: World) -> None:
    course = tx.create_course(
        world.actor(world.practitioner),
        world.ada,
        tx.CourseData(indication="fine_lines", zones=("cheek",), setting="clinic", start_on=world.today),
    )
    client = world.login(world.assistant)
    client.post(reverse("treatments:book", args=[course.pk]))
    client.post(reverse("treatments:book", args=[course.pk]))
    assert Session.objects.filter(course=course).count() == len(course.plan_obj().schedule)


def _fail_on(monkeypatch: Any, module: Any, action: str) -> None:
    real = module.record_event

    def failing(actor: Any, name: str, *args: Any, **kwargs: Any) -> Any:
        if name == action:
            msg = "disk full"
            raise OSError(msg)
        return real(actor, name, *args, **kwargs)

    monkeypatch.setattr(module, "record_event", failing)


def test_a_failure_while_signing_leaves_the_session_as_it_was(world: World, monkeypatch: Any) -> None:
    tx.start_session(world.actor(world.practitioner), world.today_session, world.today)
    client = world.login(world.practitioner)
    client.raise_request_exception = True
    _fail_on(monkeypatch, tx, "session.sign")
    before = fingerprint()
    with pytest.raises(OSError, match="disk full"):
        client.post(reverse("treatments:run", args=[world.today_session.pk]), runner_post(world.ada_course, "sign"))
    assert fingerprint() == before
    assert Session.objects.get(pk=world.today_session.pk).status == "in_progress"


def test_a_failure_while_booking_books_nothing(world: World, monkeypatch: Any) -> None:
    course = tx.create_course(
        world.actor(world.practitioner),
        world.ada,
        tx.CourseData(indication="fine_lines", zones=("cheek",), setting="clinic", start_on=world.today),
    )
    _fail_on(monkeypatch, tx, "course.book")
    client = world.login(world.assistant)
    before = fingerprint()
    with pytest.raises(OSError, match="disk full"):
        client.post(reverse("treatments:book", args=[course.pk]))
    assert fingerprint() == before


def test_a_failure_while_creating_a_course_creates_nothing(world: World, monkeypatch: Any) -> None:
    _fail_on(monkeypatch, tx, "course.create")
    client = world.login(world.practitioner)
    before = fingerprint()
    data = {"indication": "fine_lines", "zones": ["cheek"], "setting": "clinic", "start_on": "2027-01-04"}
    with pytest.raises(OSError, match="disk full"):
        client.post(
            reverse("treatments:course_new", args=[world.ada.pk]), data | {"action": "create", "submission_id": KEY}
        )
    assert fingerprint() == before  # the submission key too: a retry can succeed


def _grow(world: World, clients: int, sessions_each: int) -> None:
    """Add clients with a questionnaire, a consent and booked sessions (today included)."""
    actor = world.actor(world.practitioner)
    for i in range(clients):
        data = ClientData(full_name=f"Grown {i:03}", birth_date=dt.date(1980, 1, 1))
        c = create_client(actor, data, confirm_new=True)  # grown again under the same names, on purpose
        answers = dict(world.questionnaire.answers, zones=["cheek"])
        record_questionnaire(actor, c, answers, world.today - dt.timedelta(days=1))
        sign_consent(
            actor,
            c,
            "microneedling",
            signed_name=c.full_name,
            signer="client",
            photo_clinical=False,
            photo_marketing=False,
            now=world.consent.signed_at,
        )
        course = tx.create_course(
            actor, c, tx.CourseData(indication="fine_lines", zones=("cheek",), setting="clinic", start_on=world.today)
        )
        for n in range(sessions_each):
            Session.objects.create(
                organization=world.clinic,
                course=course,
                client=c,
                number=n + 1,
                scheduled_on=world.today + dt.timedelta(days=28 * n),
            )


@pytest.mark.parametrize("page", ["clients:list", "dashboard"])
def test_list_pages_keep_a_constant_number_of_queries(world: World, page: str, django_assert_num_queries: Any) -> None:
    client = world.login(world.owner)
    url = reverse(page)
    queries_of(client, url)  # warm caches (evidence, content types)
    _grow(world, 2, 2)
    small = queries_of(client, url)
    _grow(world, 12, 4)
    with django_assert_num_queries(small):
        client.get(url)
    # 2 to authenticate (the session; the user with her memberships) + list: the page (a first page
    # holding every match is its own count); dashboard: the data version, then, read afresh after the
    # writes, the counts of today's sessions and of what the bounded lists leave out, today's and the
    # coming sessions, overdue, the questionnaires, the plans of the courses screened afresh (the grown
    # clients' are new), electrolysis courses due, today's electrolysis sessions counted and their page,
    # open adverse events
    assert small == {"clients:list": 3, "dashboard": 12}[page]
    assert queries_of(client, url) == {"clients:list": 3, "dashboard": 3}[page]  # the dashboard kept since


def test_timeline_keeps_a_constant_number_of_queries(world: World, django_assert_num_queries: Any) -> None:
    client = world.login(world.owner)
    _grow(world, 1, 1)
    grown = Client.objects.get(full_name="Grown 000")
    url = reverse("clients:detail", args=[grown.pk])
    queries_of(client, url)
    grown.notes = "Prefers mornings"  # a write: the body is read afresh, not kept
    grown.save()
    small = queries_of(client, url)
    course = grown.courses.get()
    for n in range(2, 30):
        Session.objects.create(
            organization=world.clinic,
            course=course,
            client=grown,
            number=n,
            scheduled_on=world.today + dt.timedelta(days=28 * n),
        )
    actor = world.actor(world.practitioner)
    for _ in range(5):
        record_questionnaire(actor, grown, dict(world.questionnaire.answers), world.today)
    with django_assert_num_queries(small):
        client.get(url)
    # 2 to authenticate (the session; the user with her memberships) + the client with the data version
    # (one statement), the view log insert and its seal (lock the chain head, insert the seal, move the
    # head); read afresh: questionnaires, consents, courses, sessions, electrolysis courses and sessions
    assert small == 13
    assert queries_of(client, url) == 7  # kept since: the body is not read again
