"""Lots the runner must refuse whatever is posted: another organization's lot by its id, a recalled lot, a lot
taken out of service; each refused beside the zone's device field, nothing signed, nothing recorded."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.urls import reverse

from pinpoint.web.devices.actions import recall_lot, retire_unit
from pinpoint.web.devices.models import DeviceUnit
from pinpoint.web.outcomes import selectors as outcome_selectors
from pinpoint.web.treatments.models import Session, ZoneRecord
from tests.web.conftest import World
from tests.web.test_web_sessions import _started, runner_post


def _post_with(w: World, unit: DeviceUnit) -> str:
    s = _started(w)
    zone = w.ada_course.plan_obj().zones[0].zone
    data = runner_post(w.ada_course, "sign") | {f"{zone}-device_unit": str(unit.pk)}
    response = w.login(w.practitioner).post(reverse("treatments:run", args=[s.pk]), data)
    assert response.status_code == 200
    assert Session.objects.get(pk=s.pk).status == "in_progress"
    assert not ZoneRecord.objects.filter(session=s, device_unit=unit).exists()
    return response.content.decode()


def test_another_organizations_lot_posted_by_id_is_refused(world: World) -> None:
    body = _post_with(world, world.roller)  # the personal space's roller
    assert "choose a device in service in this organization" in body
    assert "My roller" not in body
    assert "is not one of the available choices" not in body  # no id, no form jargon


def test_a_recalled_lot_posted_anyway_is_refused_with_the_recall(world: World) -> None:
    recall_lot(world.actor(world.owner), world.pen, "maker's notice 2026-14", world.today - dt.timedelta(days=1))
    body = _post_with(world, world.pen)
    day = world.today - dt.timedelta(days=1)
    assert f"Pen cartridges was recalled on {day.day} {day:%B %Y}: maker&#x27;s notice 2026-14" in body


def test_a_lot_taken_out_of_service_posted_anyway_is_refused(world: World) -> None:
    retire_unit(world.actor(world.owner), world.pen, world.today)
    body = _post_with(world, world.pen)
    assert "choose a device in service in this organization" in body


def test_who_got_a_lot_finds_it_whatever_the_case_typed(world: World) -> None:
    client = world.login(world.practitioner)
    exact = client.get(reverse("outcomes:lot_search") + "?lot=CART-2407-A").content.decode()
    typed = client.get(reverse("outcomes:lot_search") + "?lot=+cart-2407-a+").content.decode()
    summary = re.compile(r'<p id="lot-summary">Lot [^:]+: ([^<]*)')
    assert summary.search(exact).group(1) == summary.search(typed).group(1) == "5 zones treated, 1 client. "  # type: ignore[union-attr]
    csv_text = client.get(reverse("outcomes:lot_export") + "?lot=cart-2407-a").content.decode()
    assert len(csv_text.strip().splitlines()) == 1 + 5


def test_a_recall_list_longer_than_the_page_says_so_and_the_csv_has_every_row(world: World, monkeypatch: Any) -> None:
    monkeypatch.setattr(outcome_selectors, "MAX_LOT_ROWS", 2)
    client = world.login(world.practitioner)
    page = client.get(reverse("outcomes:lot_search") + "?lot=CART-2407-A").content.decode()
    assert "This page shows the first 2 zones only; the CSV lists every one." in page
    csv_text = client.get(reverse("outcomes:lot_export") + "?lot=CART-2407-A").content.decode()
    assert len(csv_text.strip().splitlines()) == 1 + 5
