"""Saving a new client twice (Back, Save again) warns about the client already there instead of making a second one."""

from __future__ import annotations

import pytest
from django.urls import reverse

from pinpoint.web.audit.models import AuditEvent
from pinpoint.web.clients.models import Client
from tests.web.conftest import World
from tests.web.test_api import call, token

pytestmark = pytest.mark.django_db

ADA = {"full_name": "Ada Lovelace", "birth_date": "1985-12-10"}
KEY = "0b6f3c1e-8d5a-4c8e-9f1b-2a7d6e4c3b10"
OTHER_KEY = "5d2e8a41-7c3b-4f9a-8e6d-1b0c9a8f7e21"


def _count() -> int:
    return Client.objects.filter(full_name__iexact="ada lovelace").count()


def test_saving_the_same_person_again_warns_and_links_to_the_existing_client(world: World) -> None:
    client = world.login(world.practitioner)
    url = reverse("clients:new")
    page = client.post(url, {"full_name": "  ada   LOVELACE ", "birth_date": "1985-12-10", "submission_id": KEY})
    assert page.status_code == 200
    assert _count() == 1
    assert page.context["duplicate"] == world.ada
    html = page.content.decode()
    link = reverse("clients:detail", args=[world.ada.pk])
    assert (
        f'<a href="{link}" id="duplicate-link">Ada Lovelace</a>, born 10 December 1985, already exists</strong> — '
        f'<a href="{link}">open their record</a>, or tick “This is a different person” below to save anyway.'
    ) in html
    assert 'name="confirm_new"' in html
    assert client.get(url).content.decode().count('name="confirm_new"') == 0  # only offered with the warning


def test_a_different_person_is_saved_once_confirmed_and_the_audit_says_so(world: World) -> None:
    client = world.login(world.practitioner)
    url = reverse("clients:new")
    client.post(url, ADA | {"submission_id": KEY})
    saved = client.post(url, ADA | {"submission_id": KEY, "confirm_new": "on"})
    made = Client.objects.get(organization=world.clinic, full_name="Ada Lovelace", pk__gt=world.ada.pk)
    assert saved["Location"] == reverse("clients:detail", args=[made.pk])
    assert _count() == 2
    event = AuditEvent.objects.get(action="client.create", target_id=made.pk)
    assert event.detail == {"different_from": world.ada.pk}


def test_another_birth_date_or_name_is_no_duplicate(world: World) -> None:
    client = world.login(world.practitioner)
    url = reverse("clients:new")
    born_later = client.post(url, {"full_name": "Ada Lovelace", "birth_date": "1985-12-11", "submission_id": KEY})
    assert born_later.status_code == 302
    no_date = client.post(url, {"full_name": "Ada Lovelace", "submission_id": OTHER_KEY})
    assert no_date.status_code == 302
    assert _count() == 3


def test_a_double_post_of_one_form_still_makes_one_client_without_a_warning(world: World) -> None:
    client = world.login(world.practitioner)
    url = reverse("clients:new")
    data = {"full_name": "Rosalind Franklin", "birth_date": "1920-07-25", "submission_id": KEY}
    first = client.post(url, data)
    again = client.post(url, data)  # a double click: the same submission key (ADR 0004)
    made = Client.objects.get(full_name="Rosalind Franklin")
    assert first["Location"] == again["Location"] == reverse("clients:detail", args=[made.pk])
    reloaded = client.post(url, data | {"submission_id": OTHER_KEY})  # Back to a fresh form, Save again
    assert reloaded.context["duplicate"] == made
    assert Client.objects.filter(full_name="Rosalind Franklin").count() == 1


def test_the_api_answers_409_with_the_existing_clients_id_unless_confirmed(world: World) -> None:
    tok = token(world, world.practitioner)
    before = Client.objects.count()
    r = call("post", "/api/clients", tok, {"full_name": "ADA  lovelace", "birth_date": "1985-12-10"})
    assert r.status_code == 409
    assert r.json() == {
        "field": "confirm_new",
        "detail": "Ada Lovelace, born 10 December 1985, already exists: open their record, or confirm that this is "
        "a different person to save anyway",
        "client_id": world.ada.pk,
    }
    assert Client.objects.count() == before
    made = call("post", "/api/clients", tok, {**ADA, "confirm_new": True})
    assert made.status_code == 201
    assert made.json()["full_name"] == "Ada Lovelace"
    assert made.json()["id"] != world.ada.pk
    assert Client.objects.count() == before + 1
