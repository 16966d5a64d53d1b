"""The client list pages by keyset (name, then id) with a capped count; its indexes migrate both ways."""

from __future__ import annotations

import base64
import json
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pinpoint.web.clients.models import Client
from pinpoint.web.records import clients as records
from pinpoint.web.records.clients import client_page
from tests.web.conftest import World
from tests.web.test_web_backup import _env, _pinpoint, pg_database  # noqa: F401 - pg_database is a fixture


def _add(world: World, names: list[str]) -> list[Client]:
    return Client.objects.bulk_create(
        Client(organization=world.clinic, full_name=n, created_by=world.owner) for n in names
    )


def _in_order(world: World) -> list[int]:
    return list(
        Client.objects.filter(organization=world.clinic).order_by("full_name", "pk").values_list("pk", flat=True)
    )


def _cursor(raw: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(raw).encode()).decode()


def test_walking_forward_and_back_meets_every_client_once_in_name_order_ties_by_id(world: World) -> None:
    ties = _add(world, ["Tie Same", "Tie Same", "Tie Same", "Abel Early", "Zora Late"])
    actor = world.actor(world.owner)
    seen: list[int] = []
    page = client_page(actor, size=2)
    assert page.at_start
    assert page.previous_before is None
    pages = [page]
    while page.next_after:
        page = client_page(actor, after=page.next_after, size=2)
        pages.append(page)
    seen = [c.pk for p in pages for c in p]
    assert seen == _in_order(world)
    assert len(seen) == len(set(seen)) == Client.objects.filter(organization=world.clinic).count()
    tie_pks = [pk for pk in seen if pk in {c.pk for c in ties[:3]}]
    assert tie_pks == sorted(c.pk for c in ties[:3])
    assert seen[0] == ties[3].pk
    assert seen[-1] == ties[4].pk
    back: list[int] = []
    page = pages[-1]
    while page.previous_before:
        page = client_page(actor, before=page.previous_before, size=2)
        back = [c.pk for c in page] + back
    assert page.at_start
    assert back == seen[: len(seen) - len(pages[-1])]


def test_page_two_link_leads_on_and_previous_leads_back(world: World) -> None:
    _add(world, [f"Keyset {i:03}" for i in range(60)])
    order = _in_order(world)
    client = world.login(world.assistant)
    first = client.get(reverse("clients:list"))
    body = first.content.decode()
    assert [c.pk for c in first.context["page"]] == order[:50]
    assert 'id="page-prev"' not in body
    assert 'id="page-first"' not in body
    href = re.search(r'href="([^"]+)"[^>]*id="page-next"', body)
    assert href
    second = client.get(reverse("clients:list") + href.group(1).replace("&amp;", "&"))
    assert second.status_code == 200
    assert [c.pk for c in second.context["page"]] == order[50:]
    second_body = second.content.decode()
    assert 'id="page-next"' not in second_body
    assert 'id="page-first"' in second_body
    back = re.search(r'href="([^"]+)"[^>]*id="page-prev"', second_body)
    assert back
    again = client.get(reverse("clients:list") + back.group(1).replace("&amp;", "&"))
    assert [c.pk for c in again.context["page"]] == order[:50]


def test_a_search_pages_with_its_words_kept(world: World) -> None:
    _add(world, [f"Walker {i:03}" for i in range(55)] + ["Unrelated Person"])
    client = world.login(world.assistant)
    first = client.get(reverse("clients:list"), {"q": "walker"})
    page = first.context["page"]
    assert page.count_text == "55 clients"
    assert "55 clients match “walker”." in first.content.decode()
    second = client.get(reverse("clients:list"), {"q": "walker", "after": page.next_after})
    assert [c.full_name for c in second.context["page"]] == [f"Walker {i:03}" for i in range(50, 55)]


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage!!",
        "%00",
        _cursor(["Ada", "1"]),
        _cursor({"name": "Ada"}),
        _cursor(["Ada", 10**30]),
        _cursor(["Ada\u0000", 1]),
        _cursor(["x" * 151, 1]),
        _cursor(["Ada", -5]),
        "A" * 5000,
    ],
)
@pytest.mark.parametrize("direction", ["after", "before"])
def test_a_damaged_or_forged_cursor_shows_the_first_page_and_says_so(world: World, cursor: str, direction: str) -> None:
    client = world.login(world.assistant)
    response = client.get(reverse("clients:list"), {direction: cursor})
    assert response.status_code == 200
    assert [c.pk for c in response.context["page"]] == _in_order(world)
    assert "That page link is damaged or out of date" in response.content.decode()


def test_a_forged_cursor_of_another_organizations_client_only_sets_a_place_in_the_list(world: World) -> None:
    other = Client.objects.filter(organization=world.home).first()
    assert other is not None
    page = client_page(world.actor(world.owner), after=_cursor(["", other.pk]))
    assert {c.organization_id for c in page} == {world.clinic.pk}
    assert not page.damaged_cursor


def test_the_count_is_capped(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    _add(world, [f"Counted {i:03}" for i in range(60)])  # more than a page: the first page is not the count
    client = world.login(world.assistant)
    total = Client.objects.filter(organization=world.clinic).count()
    assert f"{total} clients." in client.get(reverse("clients:list")).content.decode()
    monkeypatch.setattr(records, "COUNT_CAP", total - 1)
    body = client.get(reverse("clients:list")).content.decode()
    assert f"More than {total - 1} clients." in body
    with CaptureQueriesContext(connection) as ctx:
        client.get(reverse("clients:list"))
    count = next(q["sql"] for q in ctx.captured_queries if "COUNT(" in q["sql"])
    assert f"LIMIT {total}" in count


def test_every_page_of_the_list_takes_the_same_queries(world: World) -> None:
    _add(world, [f"Keyset {i:03}" for i in range(120)])
    client = world.login(world.assistant)
    first = client.get(reverse("clients:list"))
    after = first.context["page"].next_after
    counts = []
    for params in ({}, {"after": after}, {"q": "keyset 1"}, {"q": "keyset", "after": after}, {"after": "bad"}):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("clients:list"), params).status_code == 200
        counts.append(len(ctx.captured_queries))
    # 2 to authenticate (the session; the user with her memberships) + the capped count + the page with
    # each next session; a first page that holds every match ("keyset 1": Keyset 100 to 119) is its own
    # count, one query fewer
    assert counts == [4, 4, 3, 4, 4]


INDEXES = r"""
import json, django
django.setup()
from django.core.management import call_command
from django.db import connection

def names():
    with connection.cursor() as cur:
        found = set()
        for table in ("clients_client", "treatments_session", "devices_deviceunit"):
            found |= set(connection.introspection.get_constraints(cur, table))
    wanted = {"session_booked_client", "session_open_org_date", "client_name_trgm", "client_email_trgm",
              "client_phone_trgm", "device_lot_number_upper"}
    return sorted(found & wanted)

def lot_plan():  # the lot search's match on its number (any case) as the planner reads it, and the index
    if connection.vendor != "postgresql":
        return ""
    from pinpoint.web.devices.models import DeviceUnit
    qs = DeviceUnit.objects.filter(organization_id=1, lot_number__iexact="cart-2407-a").values("pk")
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cur:
        cur.execute("EXPLAIN " + sql, params)
        plan = "\n".join(r[0] for r in cur.fetchall())
        cur.execute("SELECT pg_get_indexdef('device_lot_number_upper'::regclass)")
        return {"plan": plan, "index": cur.fetchone()[0]}

applied = names()
call_command("migrate", "records", "zero", interactive=False, verbosity=0)
gone = names()
call_command("migrate", "records", interactive=False, verbosity=0)
print(json.dumps({"applied": applied, "gone": gone, "again": names(), "vendor": connection.vendor,
                  "lot_plan": lot_plan()}))
"""
BOTH = ["session_booked_client", "session_open_org_date"]
TRIGRAMS = ["client_email_trgm", "client_name_trgm", "client_phone_trgm"]


def _migrate_both_ways(env: dict[str, str]) -> dict[str, Any]:
    prepared = _pinpoint(env, "serve", "--prepare-only", "--no-demo")
    assert prepared.returncode == 0, prepared.stderr
    done = subprocess.run(
        [sys.executable, "-c", INDEXES], env=env | {"DJANGO_SETTINGS_MODULE": "pinpoint.web.settings"},
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    out: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    return out


def test_the_index_migration_applies_and_unapplies_on_sqlite(tmp_path: Path) -> None:
    out = _migrate_both_ways(_env(PINPOINT_DATA_DIR=str(tmp_path)))
    assert out == {"applied": BOTH, "gone": [], "again": BOTH, "vendor": "sqlite", "lot_plan": ""}


def test_the_index_migration_applies_and_unapplies_on_postgresql(
    tmp_path: Path,
    pg_database: Callable[[], str],  # noqa: F811 - the fixture imported above
) -> None:
    out = _migrate_both_ways(_env(DATABASE_URL=pg_database(), PINPOINT_DATA_DIR=str(tmp_path)))
    every = sorted([*TRIGRAMS, *BOTH, "device_lot_number_upper"])
    lot = out.pop("lot_plan")
    assert out == {"applied": every, "gone": [], "again": every, "vendor": "postgresql"}
    # "who got lot X" matches the lot number whatever its case: the expression it filters on is the
    # index's, so the planner can use the index (at a million clients it does: docs/scale)
    assert "upper((lot_number)::text) = 'CART-2407-A'::text" in lot["plan"], lot["plan"]
    assert lot["index"].endswith("(organization_id, upper((lot_number)::text))"), lot["index"]
