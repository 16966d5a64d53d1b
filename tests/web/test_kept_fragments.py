"""The dashboard's lists and a timeline's body are rendered once for what they show: kept by a digest of every
value they print, so an unchanged page comes from the cache and any change to what it shows renders it afresh."""

from __future__ import annotations

import datetime as dt

from django.core.cache import cache
from django.core.cache.utils import make_template_fragment_key
from django.urls import reverse

from pinpoint.web.treatments.models import Session
from tests.web.conftest import World


def _kept(key: str) -> tuple[str | None, str | None]:
    return (
        cache.get(make_template_fragment_key("dashboard_lists", [key])),
        cache.get(make_template_fragment_key("dashboard_alerts", [key])),
    )


def test_an_unchanged_dashboard_is_served_from_the_kept_fragments(world: World) -> None:
    c = world.login(world.practitioner)
    first = c.get(reverse("dashboard"))
    key = first.context["lists_key"]
    lists, alerts = _kept(key)
    html = first.content.decode()
    assert lists is not None and alerts is not None
    assert lists in html and alerts in html
    assert f'id="today-session-{world.today_session.pk}"' in lists
    # what is kept is what is served: a marker put in its place shows on the next page
    cache.set(make_template_fragment_key("dashboard_lists", [key]), "<p id='kept-marker'>kept</p>", 60)
    again = c.get(reverse("dashboard"))
    assert again.context["lists_key"] == key
    assert "<p id='kept-marker'>kept</p>" in again.content.decode()
    assert f'id="today-session-{world.today_session.pk}"' not in again.content.decode()


def test_every_change_to_what_the_lists_show_renders_them_afresh(world: World) -> None:
    c = world.login(world.practitioner)
    url = reverse("dashboard")
    seen = {c.get(url).context["lists_key"]}
    today_link = f'id="today-session-{world.today_session.pk}">'

    world.ada.full_name = "Ada King"
    world.ada.save()
    page = c.get(url)
    assert f"{today_link}Ada King: session {world.today_session.number}</a>" in page.content.decode()
    seen.add(page.context["lists_key"])

    Session.objects.filter(pk=world.today_session.pk).update(status=Session.Status.IN_PROGRESS)
    page = c.get(url)
    assert f'{today_link}Ada King: session {world.today_session.number}</a> <span class="badge">In progress</span>' in (
        page.content.decode()
    )
    seen.add(page.context["lists_key"])

    booked = Session.objects.create(
        organization=world.clinic,
        course=world.ada_course,
        client=world.ada,
        number=300,
        scheduled_on=world.today + dt.timedelta(days=2),
    )
    page = c.get(url)
    assert f'<a href="/sessions/{booked.pk}/">Ada King, session 300</a>' in page.content.decode()
    seen.add(page.context["lists_key"])

    world.clinic.name = "Renamed Clinic"
    world.clinic.save()
    page = c.get(url)
    assert "<h1>Renamed Clinic <span" in page.content.decode()
    seen.add(page.context["lists_key"])
    assert len(seen) == 5


def test_a_timeline_is_served_from_its_kept_fragment_and_rendered_afresh_when_what_it_shows_changes(
    world: World,
) -> None:
    c = world.login(world.practitioner)
    url = reverse("clients:detail", args=[world.ada.pk])
    first = c.get(url)
    key = first.context["body_key"]
    kept = cache.get(make_template_fragment_key("timeline_body", [key]))
    assert kept is not None and kept in first.content.decode()
    cache.set(make_template_fragment_key("timeline_body", [key]), "<p id='kept-marker'>kept</p>", 60)
    assert "<p id='kept-marker'>kept</p>" in c.get(url).content.decode()
    seen = {key}

    signer = world.signed.signed_by
    signer.full_name = "Pat Renamed"
    signer.save()
    page = c.get(url)
    assert f'id="session-{world.signed.pk}">Signed</a> by Pat Renamed' in page.content.decode()
    seen.add(page.context["body_key"])

    Session.objects.filter(pk=world.today_session.pk).update(status=Session.Status.IN_PROGRESS)
    page = c.get(url)
    assert f'id="session-{world.today_session.pk}">In progress</a>' in page.content.decode()
    seen.add(page.context["body_key"])

    booked = Session.objects.create(
        organization=world.clinic,
        course=world.ada_course,
        client=world.ada,
        number=300,
        scheduled_on=world.today + dt.timedelta(days=900),
    )
    page = c.get(url)
    assert f'id="session-{booked.pk}">Booked</a>' in page.content.decode()
    seen.add(page.context["body_key"])
    assert len(seen) == 4
