"""Pages in people's words: search by name in any order and by phone digits, a skip link, no date-format
help above a date picker (the picker shows the person's own format)."""

from __future__ import annotations

from django.urls import reverse

from pinpoint.web.clients.models import Client
from pinpoint.web.clients.selectors import client_search
from tests.web.conftest import World


def _names(world: World, text: str) -> list[str]:
    return sorted(c.full_name for c in client_search(world.actor(world.assistant), text))


def test_search_finds_names_in_any_order_and_phones_by_their_digits(world: World) -> None:
    Client.objects.filter(pk=world.grace.pk).update(phone="+44 20 7946-0958")
    assert _names(world, "lovelace ada") == ["Ada Lovelace"]
    assert _names(world, "  ADA   lovelace ") == ["Ada Lovelace"]
    assert _names(world, "ada hopper") == []
    assert _names(world, "02079460958") == ["Grace Hopper"]
    assert _names(world, "020 7946 0958") == ["Grace Hopper"]
    assert _names(world, "+442079460958") == ["Grace Hopper"]
    assert _names(world, "7946") == ["Grace Hopper"]
    assert _names(world, "ada@example.org") == ["Ada Lovelace"]
    page = world.login(world.assistant).get(reverse("clients:list"), {"q": "lovelace ada"}).content.decode()
    assert "Ada Lovelace" in page
    assert "Grace Hopper" not in page


def test_every_page_has_a_skip_link_and_date_pickers_carry_no_format_help(world: World) -> None:
    client = world.login(world.practitioner)
    page = client.get(reverse("clients:questionnaire_new", args=[world.ada.pk])).content.decode()
    assert '<a class="skip" href="#content" id="skip-link">Skip to the content</a>' in page
    assert '<main id="content" tabindex="-1">' in page
    assert "YYYY-MM-DD" not in page
    assert "YYYY-MM-DD" not in client.get(reverse("treatments:course_new", args=[world.ada.pk])).content.decode()
