"""The client search looks for phone digits only in text written as a phone number: the digits of an
email or a name are not matched against every client's phone (at a million clients a six-digit run
is in thousands of numbers, each to be checked), and a number without its leading zero is one
condition, not the same one twice."""

from __future__ import annotations

from django.db import connection

from pinpoint.web.clients.models import Client
from pinpoint.web.clients.selectors import client_search, phone_runs
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


PHONES = {"ada": "+44 20 7946 0958", "grace": "020 7946 0959"}


def test_a_long_number_finds_exactly_the_phones_holding_its_digits(world: World) -> None:
    # on PostgreSQL a number of five digits or more also asks for each run of five of its digits (the
    # index of records migration 0003): implied by the match, so the clients found are the same
    Client.objects.filter(pk=world.ada.pk).update(phone=PHONES["ada"], email="ada@example.org")
    Client.objects.filter(pk=world.grace.pk).update(phone=PHONES["grace"], email="grace@example.org")
    found = {
        "79460958": ["Ada Lovelace"],
        "7946095": ["Ada Lovelace", "Grace Hopper"],
        "020 7946 0959": ["Grace Hopper"],
        "2079460959": ["Grace Hopper"],
        "+44 20 7946 0958": ["Ada Lovelace"],
        "44 20 7946 0959": [],
        "94609": ["Ada Lovelace", "Grace Hopper"],
        "46095 8": ["Ada Lovelace"],
        "0958": ["Ada Lovelace"],
        "97460": [],
    }
    assert {text: _names(world, text) for text in found} == found


def test_on_postgresql_a_number_of_five_digits_or_more_asks_for_the_runs_of_its_digits(world: World) -> None:
    sql, params = client_search(world.actor(world.assistant), "020 7946 0958").query.sql_with_params()
    short = str(client_search(world.actor(world.assistant), "0958").query)
    if connection.vendor == "postgresql":
        assert sql.count("pinpoint_digit_grams(") == 2, sql  # the number and the number without its zero
        runs = [p for p in params if isinstance(p, list)]
        assert runs == [
            ["02079", "07946", "20794", "46095", "60958", "79460", "94609"],
            ["07946", "20794", "46095", "60958", "79460", "94609"],
        ]
    else:
        assert "pinpoint_digit_grams" not in sql  # SQLite has no index of runs: the match alone
    assert "pinpoint_digit_grams" not in short  # four digits: the trigram index (PostgreSQL) as before
    assert phone_runs("02079460958") == ["02079", "07946", "20794", "46095", "60958", "79460", "94609"]
    assert phone_runs("0958") == []
