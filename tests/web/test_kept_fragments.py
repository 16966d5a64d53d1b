"""The dashboard and a timeline's body are rendered once and kept under their organization's data version
(ADR 0015): an unchanged page comes from the cache and any change to what it shows renders it afresh."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.db import connection
from django.urls import reverse

from pinpoint.web.base.permissions import ROLE_PERMISSIONS, Perm, Role
from pinpoint.web.treatments.models import Session
from tests.web.conftest import World


def test_an_unchanged_dashboard_is_served_from_the_kept_page(world: World) -> None:
    c = world.login(world.practitioner)
    first = c.get(reverse("dashboard"))
    key = first.context["kept_key"]
    kept = cache.get(key)
    assert kept is not None and kept in first.content.decode()
    assert f'id="today-session-{world.today_session.pk}"' in kept
    assert 'id="screening-alerts"' in kept and 'id="open-adverse-events"' in kept
    # what is kept is what is served: a marker put in its place shows on the next page
    cache.set(key, "<p id='kept-marker'>kept</p>", 60)
    again = c.get(reverse("dashboard"))
    assert again.context["kept_key"] == key
    assert "<p id='kept-marker'>kept</p>" in again.content.decode()
    assert f'id="today-session-{world.today_session.pk}"' not in again.content.decode()


def test_every_change_to_what_the_dashboard_shows_renders_it_afresh(world: World) -> None:
    c = world.login(world.practitioner)
    url = reverse("dashboard")
    seen = {c.get(url).context["kept_key"]}
    today_link = f'id="today-session-{world.today_session.pk}">'

    world.ada.full_name = "Ada King"
    world.ada.save()
    page = c.get(url)
    assert f"{today_link}Ada King: session {world.today_session.number}</a>" in page.content.decode()
    seen.add(page.context["kept_key"])

    Session.objects.filter(pk=world.today_session.pk).update(status=Session.Status.IN_PROGRESS)
    page = c.get(url)
    assert f'{today_link}Ada King: session {world.today_session.number}</a> <span class="badge">In progress</span>' in (
        page.content.decode()
    )
    seen.add(page.context["kept_key"])

    booked = Session.objects.create(
        organization=world.clinic,
        course=world.ada_course,
        client=world.ada,
        number=300,
        scheduled_on=world.today + dt.timedelta(days=2),
    )
    page = c.get(url)
    assert f'<a href="/sessions/{booked.pk}/">Ada King, session 300</a>' in page.content.decode()
    seen.add(page.context["kept_key"])

    world.clinic.name = "Renamed Clinic"
    world.clinic.save()
    page = c.get(url)
    assert "<h1>Renamed Clinic <span" in page.content.decode()
    seen.add(page.context["kept_key"])
    assert len(seen) == 5


def test_the_kept_dashboard_is_per_page_asked_and_per_what_the_user_may_see(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = reverse("dashboard")
    practitioner, assistant = world.login(world.practitioner), world.login(world.assistant)
    keys = [
        practitioner.get(url).context["kept_key"],
        practitioner.get(url, {"page": "2"}).context["kept_key"],
        practitioner.get(url, {"el_page": "2"}).context["kept_key"],
    ]
    assert len(set(keys)) == 3
    assert practitioner.get(url).context["kept_key"] == keys[0]  # asked again: the same page, kept
    assert assistant.get(url).context["kept_key"] == keys[0]  # every role that sees the dashboard sees clients
    # a role that could see the dashboard but not clients would not be shown the adverse-events panel kept for others
    monkeypatch.setitem(ROLE_PERMISSIONS, Role.ASSISTANT, ROLE_PERMISSIONS[Role.ASSISTANT] - {Perm.CLIENT_VIEW})
    assert assistant.get(url).context["kept_key"] not in keys


def test_a_timeline_is_served_from_its_kept_fragment_and_rendered_afresh_when_what_it_shows_changes(
    world: World,
) -> None:
    c = world.login(world.practitioner)
    url = reverse("clients:detail", args=[world.ada.pk])
    first = c.get(url)
    key = first.context["kept_key"]
    kept = cache.get(key)
    assert kept is not None and kept in first.content.decode()
    assert 'id="screening-today"' in kept and f'id="session-{world.signed.pk}"' in kept
    cache.set(key, "<p id='kept-marker'>kept</p>", 60)
    assert "<p id='kept-marker'>kept</p>" in c.get(url).content.decode()
    seen = {key}

    signer = world.signed.signed_by
    signer.full_name = "Pat Renamed"
    signer.save()
    page = c.get(url)
    assert f'id="session-{world.signed.pk}">Signed</a> by Pat Renamed' in page.content.decode()
    seen.add(page.context["kept_key"])

    Session.objects.filter(pk=world.today_session.pk).update(status=Session.Status.IN_PROGRESS)
    page = c.get(url)
    assert f'id="session-{world.today_session.pk}">In progress</a>' in page.content.decode()
    seen.add(page.context["kept_key"])

    booked = Session.objects.create(
        organization=world.clinic,
        course=world.ada_course,
        client=world.ada,
        number=300,
        scheduled_on=world.today + dt.timedelta(days=900),
    )
    page = c.get(url)
    assert f'id="session-{booked.pk}">Booked</a>' in page.content.decode()
    seen.add(page.context["kept_key"])
    assert len(seen) == 4


def test_a_kept_timeline_shows_each_role_its_own_buttons_and_the_client_as_she_is_now(world: World) -> None:
    url = reverse("clients:detail", args=[world.ada.pk])
    owner, practitioner = world.login(world.owner), world.login(world.practitioner)
    assert Perm.CLIENT_ERASE not in ROLE_PERMISSIONS[Role.PRACTITIONER]
    page = owner.get(url)
    assert 'id="client-erase"' in cache.get(page.context["kept_key"])  # the buttons are kept with the page
    assert owner.get(url).context["kept_key"] == page.context["kept_key"]
    other = practitioner.get(url)
    assert other.context["kept_key"] != page.context["kept_key"]  # kept per role
    assert 'id="client-erase"' not in other.content.decode()
    assert f'<a class="button" href="/clients/{world.ada.pk}/courses/new/" id="course-new">' in other.content.decode()
    # the client's details are kept too, and a write to them, even in SQL, shows on the next view
    with connection.cursor() as cursor:
        cursor.execute("UPDATE clients_client SET full_name = %s WHERE id = %s", ["Ada King", world.ada.pk])
    again = practitioner.get(url).content.decode()
    assert '<h1 id="client-name">Ada King</h1>' in again
    assert "<title>Ada King · Pinpoint</title>" in again
