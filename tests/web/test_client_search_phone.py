"""The client search looks for phone digits only in text written as a phone number: the digits of an
email or a name are not matched against every client's phone (at a million clients a six-digit run
is in thousands of numbers, each to be checked), and a number without its leading zero is one
condition, not the same one twice."""

from __future__ import annotations

from pinpoint.web.clients.models import Client
from pinpoint.web.clients.selectors import client_search
from tests.web.conftest import World


def _names(world: World, text: str) -> list[str]:
    return sorted(c.full_name for c in client_search(world.actor(world.assistant), text))


def test_the_digits_of_an_email_are_not_looked_for_in_phones(world: World) -> None:
    Client.objects.filter(pk=world.grace.pk).update(phone="+44 20 7946 0958")
    Client.objects.filter(pk=world.ada.pk).update(email="ada.7946@example.org", phone="")
    assert _names(world, "ada.7946@") == ["Ada Lovelace"]
    assert _names(world, "ada.7946") == ["Ada Lovelace"]
    assert _names(world, "7946") == ["Ada Lovelace", "Grace Hopper"]  # a number: in her email and in the phone
    assert _names(world, "7946 0958") == ["Grace Hopper"]
    assert _names(world, "(020) 7946-0958") == ["Grace Hopper"]
    assert _names(world, "+44 20 7946 0958") == ["Grace Hopper"]


def test_a_number_is_searched_once_when_it_has_no_leading_zero(world: World) -> None:
    sql = str(client_search(world.actor(world.assistant), "79460958").query)
    assert sql.count("LIKE") == 3  # name, email, phone digits
    sql = str(client_search(world.actor(world.assistant), "02079460958").query)
    assert sql.count("LIKE") == 4  # and the digits without the leading zero
