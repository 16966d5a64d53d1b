"""Every form that takes a date answers boundary dates with the reason beside the field: never a 500, nothing saved.

The bounds are core's (:mod:`pinpoint.core.dates`): a birth date is not in the future nor more
than 120 years back, a questionnaire is not in the future, a course start, a booking, a
screening date and a lot's expiry lie at most 5 years ahead and no more than 120 years back, a
booking keeps its place in the course. Dates the forms cannot parse are the form's own error.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from pinpoint.web.accounts.actions import request_signup
from pinpoint.web.accounts.models import User
from pinpoint.web.treatments.models import Session
from tests.web.conftest import World, fingerprint
from tests.web.test_web_clients import QUESTIONNAIRE

UNPARSABLE = "2026-02-30"


def boundary_dates(today: dt.date) -> dict[str, str]:
    """The dates posted to every form, by name."""
    year_ago_120 = (today.replace(day=28) if (today.month, today.day) == (2, 29) else today).replace(
        year=today.year - 120
    )
    return {
        "first day of the calendar": "0001-01-01",
        "1900": "1900-01-01",
        "yesterday 120 years ago": (year_ago_120 - dt.timedelta(days=1)).isoformat(),
        "tomorrow": (today + dt.timedelta(days=1)).isoformat(),
        "2100": "2100-01-01",
        "last day of the calendar": "9999-12-31",
        "empty": "",
        "30 February": UNPARSABLE,
    }


@dataclass
class Case:
    """One date field of one form: where it is posted and which boundary dates it must refuse."""

    url: str | Callable[[int], str]  # or the URL of the n-th post
    data: dict[str, Any]
    field: str
    accepted: frozenset[str] = frozenset()  # boundary names the field legitimately takes
    error_fields: tuple[str, ...] = ()  # where the message may stand (default: the field itself)
    context: str = "form"
    user: str = "practitioner"


def _signup_link(n: int) -> str:
    """The page the sign-up email links to, for a new address (step two: name, password, birth date)."""
    tokens: list[str] = []
    request_signup(f"dates{n}@example.org", "personal", link_for=lambda t: tokens.append(t) or t, sign_in_url="/")
    return reverse("accounts:signup_confirm", args=[tokens[0]])


def _cases(world: World, today: dt.date) -> dict[str, Case]:
    q_url = reverse("clients:questionnaire_new", args=[world.mary.pk])
    questionnaire = QUESTIONNAIRE | {"taken_on": today.isoformat()}
    client_data = {"full_name": "Dora Date", "email": "", "phone": "", "notes": ""}
    org = {"kind": "personal", "organization_name": "", "time_zone": "UTC"}
    signup = org | {"full_name": "Sam Self", "password1": "violet-harbour-93", "password2": "violet-harbour-93"}
    return {
        "new client: date of birth": Case(
            reverse("clients:new"), client_data, "birth_date", accepted=frozenset({"empty"})
        ),
        "client details: date of birth": Case(
            reverse("clients:edit", args=[world.ada.pk]),
            client_data | {"full_name": "Ada Lovelace"},
            "birth_date",
            accepted=frozenset({"empty"}),
        ),
        "questionnaire: its date": Case(q_url, questionnaire, "taken_on"),
        "questionnaire: date of birth": Case(q_url, questionnaire, "birth_date", accepted=frozenset({"empty"})),
        "questionnaire: last isotretinoin dose": Case(
            q_url, questionnaire, "isotretinoin_last_dose", error_fields=("isotretinoin_last_dose", "isotretinoin")
        ),
        "questionnaire: last radiotherapy": Case(
            q_url, questionnaire, "radiation_date_1", error_fields=("radiation_date_1", "radiation_zone_1")
        ),
        "course: first session": Case(
            reverse("treatments:course_new", args=[world.ada.pk]),
            {"indication": "fine_lines", "zones": ["cheek"], "setting": "clinic", "action": "create"},
            "start_on",
            accepted=frozenset({"tomorrow"}),
        ),
        "booked session: new date": Case(
            reverse("treatments:reschedule", args=[world.today_session.pk]),
            {},
            "date",
            context="reschedule_form",
        ),
        "device lot: expiry date": Case(
            reverse("devices:list"),
            {"catalog_id": "pen_14"},
            "expires_on",
            accepted=frozenset({"empty", "tomorrow"}),
            user="owner",
        ),
        "sign-up: date of birth": Case(_signup_link, signup, "birth_date", accepted=frozenset({"empty"}), user=""),
        "another space: date of birth": Case(
            reverse("accounts:start"), org, "birth_date", accepted=frozenset({"empty"}), user="home_user"
        ),
    }


def _unique(case: Case, n: int) -> dict[str, Any]:
    """Fields that must differ from one post to the next (a new key, label or email)."""
    out: dict[str, Any] = {"submission_id": str(uuid.uuid4())}
    if "catalog_id" in case.data:
        out["label"] = f"Lot {n}"
    return out


@pytest.mark.parametrize(
    "name",
    [
        "new client: date of birth",
        "client details: date of birth",
        "questionnaire: its date",
        "questionnaire: date of birth",
        "questionnaire: last isotretinoin dose",
        "questionnaire: last radiotherapy",
        "course: first session",
        "booked session: new date",
        "device lot: expiry date",
        "sign-up: date of birth",
        "another space: date of birth",
    ],
)
def test_boundary_dates_are_refused_beside_the_field_and_change_nothing(world: World, name: str) -> None:
    today = world.actor(world.practitioner).today()
    case = _cases(world, today)[name]
    user: User | None = getattr(world, case.user) if case.user else None
    for n, (label, value) in enumerate(boundary_dates(today).items()):
        client: HttpClient = world.login(user)
        url = case.url(n) if callable(case.url) else case.url
        before = fingerprint()
        response = client.post(url, case.data | _unique(case, n) | {case.field: value})
        where = f"{name}, {label} ({value!r})"
        if label in case.accepted:
            assert response.status_code in (200, 302), where
            continue
        assert response.status_code == 200, where
        errors = response.context[case.context].errors
        beside = [e for f in case.error_fields or (case.field,) for e in errors.get(f, [])]
        assert beside, f"{where}: no message beside the field; errors: {dict(errors)}"
        if value not in ("", UNPARSABLE):  # core's message names the date it refuses
            assert any(value in message for message in beside), f"{where}: {beside}"
        assert fingerprint() == before, f"{where}: a row changed"


def test_the_screening_date_of_a_questionnaire_is_checked_beside_the_field(world: World) -> None:
    client = world.login(world.practitioner)
    today = world.actor(world.practitioner).today()
    url = reverse("clients:questionnaire", args=[world.ada.pk, world.questionnaire.pk])
    for label, value in boundary_dates(today).items():
        response = client.get(url, {"on": value})
        assert response.status_code == 200, label
        errors = response.context["form"].errors.get("on", [])
        if label == "tomorrow":
            assert errors == [], label
            assert response.context["on"] == today + dt.timedelta(days=1)
        else:
            assert errors, label
            assert response.context["on"] == today  # screened today instead, with the reason shown
    far = client.get(url, {"on": "9999-12-31"}).context["form"].errors["on"]
    assert far == [f"screening date 9999-12-31 is more than 5 years after {today}"]


def test_the_exact_messages_people_read(world: World) -> None:
    today = world.actor(world.practitioner).today()
    client = world.login(world.practitioner)
    born = client.post(
        reverse("clients:new"), {"full_name": "Dora Date", "birth_date": "2100-01-01", "submission_id": uuid.uuid4()}
    )
    assert born.context["form"].errors["birth_date"] == [f"date of birth 2100-01-01 is in the future (after {today})"]
    start = client.post(
        reverse("treatments:course_new", args=[world.ada.pk]),
        {"indication": "fine_lines", "zones": ["cheek"], "setting": "clinic", "start_on": "9999-12-31"},
    )
    assert start.context["form"].errors["start_on"] == [
        f"first session on 9999-12-31 is more than 5 years after {today}"
    ]
    moved = client.post(reverse("treatments:reschedule", args=[world.today_session.pk]), {"date": "1900-01-01"})
    assert moved.context["reschedule_form"].errors["date"] == [
        f"session 2 on 1900-01-01 is more than 120 years before {today}"
    ]
    taken = client.post(
        reverse("clients:questionnaire_new", args=[world.mary.pk]),
        QUESTIONNAIRE | {"taken_on": "2100-01-01", "submission_id": uuid.uuid4()},
    )
    assert taken.context["form"].errors["taken_on"] == [
        f"questionnaire date 2100-01-01 is in the future (after {today}); it must be a past date"
    ]


def test_a_booked_session_never_moves_before_the_signed_one(world: World) -> None:
    """Session 2 moved a year back, before session 1 (signed): refused, though far from any neighbour."""
    client = world.login(world.practitioner)
    s = world.today_session
    signed_on = world.signed.date
    year_back = signed_on - dt.timedelta(days=365)
    before = fingerprint()
    response = client.post(reverse("treatments:reschedule", args=[s.pk]), {"date": year_back.isoformat()})
    assert response.context["reschedule_form"].errors["date"] == [
        f"session 2 cannot be moved to {year_back}: session 1 was signed on {signed_on}, "
        "and a session cannot go on or before a signed one"
    ]
    assert fingerprint() == before
    assert Session.objects.get(pk=s.pk).scheduled_on == s.scheduled_on


def test_a_booked_session_keeps_its_place_before_the_next_one(world: World) -> None:
    client = world.login(world.practitioner)
    third = Session.objects.get(course=world.ada_course, number=3)
    later = third.scheduled_on + dt.timedelta(days=60)
    response = client.post(reverse("treatments:reschedule", args=[world.today_session.pk]), {"date": later.isoformat()})
    assert response.context["reschedule_form"].errors["date"] == [
        f"session 2 cannot be moved to {later}: it must come before session 3 on {third.scheduled_on}"
    ]


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "1800-01-01", "2100-01-01"])
def test_the_day_and_week_views_stay_on_today_for_a_day_off_the_calendar(world: World, day: str) -> None:
    """A link's ?day= outside core's range shows today (9999-12-31 was a 500: the next day overflowed)."""
    client = world.login(world.owner)
    on_day = client.get(reverse("scheduling:day"), {"day": day})
    assert on_day.status_code == 200
    assert on_day.context["is_today"] is True
    week = client.get(reverse("scheduling:week"), {"day": day})
    assert week.status_code == 200
    assert week.context["monday"] == world.today
