"""Each organization's data version (ADR 0015): the database replaces it on every write to what the dashboard shows.

The dashboard keeps its page under the version, so a write the version misses would leave a stale
page, a screening alert hidden. These tests write by raw SQL, outside the ORM, to every table the
migration covers, and check that every table the dashboard reads is one of them.
"""

from __future__ import annotations

import importlib
import re
import threading
from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pinpoint.web.clients import selectors as screening
from pinpoint.web.clients.models import Client
from pinpoint.web.electrolysis.models import ElectrolysisAddendum
from pinpoint.web.electrolysis.models import Session as ElectrolysisSession
from pinpoint.web.records.versions import data_version, kept_key
from pinpoint.web.treatments.models import Addendum, Session
from tests.web.conftest import World

MIGRATION = importlib.import_module("pinpoint.web.records.migrations.0004_data_versions")
REQUEST_TABLES = {
    "django_session",
    "axes_accessattempt",
    "accounts_membership",
    "records_dataversion",
}
"""Read to sign the test user in, to know who asks (the middleware) and the version: not what the page shows."""
TIMELINE_WRITES = {"audit_recordview", "audit_seal", "audit_sealchain"}
"""The view of a timeline, logged and sealed: written by every view, shown on no kept page."""
OPS = {"insert", "update", "delete"}


def _triggers() -> dict[str, set[str]]:
    """Each table's version triggers, by operation, as the database's catalog lists them."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname, tgrelid::regclass::text FROM pg_trigger WHERE tgname LIKE 'pinpoint_version_%'"
            )
        else:
            cursor.execute(
                "SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'pinpoint_version_%'"
            )
        found: dict[str, set[str]] = {}
        for name, table in cursor.fetchall():
            assert name.startswith(f"pinpoint_version_{table}_"), name
            found.setdefault(table, set()).add(name.rsplit("_", 1)[1])
    return found


def _tables_read(sql: str) -> set[str]:
    return set(re.findall(r'(?:FROM|JOIN)\s+"?(\w+)"?', sql, flags=re.IGNORECASE))


def _token(organization_id: int) -> str:
    token = data_version(organization_id)
    assert token is not None
    return token


def _read_by(c: Any, url: str) -> set[str]:
    with CaptureQueriesContext(connection) as queries:
        assert c.get(url).status_code == 200
    return {t for q in queries.captured_queries for t in _tables_read(q["sql"])}


def test_every_table_the_kept_pages_read_replaces_the_version_on_each_write(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(screening, "_screenings", type(screening._screenings)())  # screened afresh: plans read too
    monkeypatch.setattr(screening, "_plans", type(screening._plans)())
    clinic, home = world.login(world.practitioner), world.login(world.home_user)
    hedy = Client.objects.get(organization=world.clinic, full_name="Hedy Lamarr")  # an electrolysis course
    read = _read_by(clinic, reverse("dashboard")) | _read_by(home, reverse("dashboard"))
    for c, client in ((clinic, world.ada), (clinic, hedy), (home, world.me)):
        for page in ("1", "2"):
            read |= _read_by(c, reverse("clients:detail", args=[client.pk]) + f"?page={page}")
    shown = read - REQUEST_TABLES - TIMELINE_WRITES | {"accounts_organization"}  # its name, time zone and policy
    assert {"treatments_course", "clients_questionnaire", "outcomes_adverseevent", "consents_consent"} <= shown
    assert {"treatments_addendum", "electrolysis_electrolysisaddendum", "accounts_user"} <= shown
    assert shown <= {*MIGRATION.TABLES, MIGRATION.USERS}, shown - {*MIGRATION.TABLES, MIGRATION.USERS}
    expected = OPS | {"truncate"} if connection.vendor == "postgresql" else OPS
    assert _triggers() == dict.fromkeys(MIGRATION.TABLES, expected) | {MIGRATION.USERS: {"update"}}


UNSIGNED = {"status": "'in_progress'", "signed_at": "NULL", "signed_by_id": "NULL", "signed_content": "''"}
CHANGED = {
    "clients_client": {"email": "'copy.' || email", "is_self": "false"},
    "treatments_session": {"number": "number + 1000", **UNSIGNED},
    "electrolysis_session": {"number": "number + 1000", **UNSIGNED, "content_hash": "''"},
}
"""What a copied row changes to be a new, unsigned row (unique columns; a signed row's seal)."""
REFUSED = {
    "clients_questionnaire": {"delete"},
    "consents_consent": {"delete"},
    "treatments_addendum": {"delete"},
    "electrolysis_electrolysisaddendum": {"delete"},
    "outcomes_adverseevent": {"delete"},
    "outcomes_adverseeventupdate": {"delete"},
}
"""Writes the sealed-record triggers refuse (an update that sets a column to itself changes nothing, and is
let through): nothing is written, so the version stays."""


def _columns(table: str) -> list[str]:
    with connection.cursor() as cursor:
        return [c.name for c in connection.introspection.get_table_description(cursor, table) if c.name != "id"]


def _a_row(table: str, organization_id: int) -> int:
    column = MIGRATION._organization(table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT min(id) FROM {table} WHERE {column} = %s", [organization_id])  # noqa: S608
        (pk,) = cursor.fetchone()
    assert pk is not None, f"the demo has no row of {table} to copy"
    return int(pk)


def _an_addendum(world: World, table: str) -> None:
    """The demo has no addendum: one to a signed session of each treatment, for the tables of addenda."""
    if table == "treatments_addendum":
        Addendum.objects.create(
            organization=world.clinic, session=world.signed, text="Redness gone", author=world.owner
        )
    if table == "electrolysis_electrolysisaddendum":
        signed = ElectrolysisSession.objects.filter(organization=world.clinic, status="signed").earliest("pk")
        ElectrolysisAddendum.objects.create(
            organization=world.clinic, session=signed, text="Re-grown", author=world.owner
        )


def _raw(sql: str, params: list[Any]) -> bool:
    """Run one statement by raw SQL; False when the database refuses it (and it is rolled back)."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
    except DatabaseError:
        return False
    return True


@pytest.mark.parametrize("table", MIGRATION.TABLES)
def test_a_raw_sql_write_to_each_table_replaces_its_organizations_version_and_no_other(
    world: World, table: str
) -> None:
    mine, other = world.clinic.pk, world.home.pk
    _an_addendum(world, table)
    source = _a_row(table, mine)
    columns = _columns(table)
    copied = ", ".join(CHANGED.get(table, {}).get(c, c) for c in columns)
    refused = set()
    theirs = _token(other)

    before = _token(mine)
    inserted = _raw(f"INSERT INTO {table} ({', '.join(columns)}) SELECT {copied} FROM {table} WHERE id = %s", [source])  # noqa: S608
    assert inserted, f"a copy of a row of {table} was refused"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT max(id) FROM {table}")  # noqa: S608
        (copy,) = cursor.fetchone()
    assert copy != source
    if table == "accounts_organization":  # a new organization, with a version of its own; the clinic's stays
        assert _token(mine) == before
        mine = copy
        assert data_version(copy) is not None
    else:
        assert _token(mine) != before

    for op, sql in (
        ("update", f"UPDATE {table} SET {columns[0]} = {columns[0]} WHERE id = %s"),  # noqa: S608 - catalog names
        ("delete", f"DELETE FROM {table} WHERE id = %s"),  # noqa: S608 - catalog names
    ):
        before = _token(mine)
        if _raw(sql, [copy]):
            assert _token(mine) != before, f"{op} of {table} left the version"
        else:
            refused.add(op)
            assert _token(mine) == before, f"a refused {op} of {table} moved the version"
    assert refused == REFUSED.get(table, set())
    assert _token(other) == theirs


def test_one_statement_over_two_organizations_replaces_both_versions(world: World) -> None:
    clinic, home = _token(world.clinic.pk), _token(world.home.pk)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE clients_client SET full_name = full_name WHERE id IN (%s, %s)", [world.ada.pk, world.me.pk]
        )
    assert _token(world.clinic.pk) != clinic
    assert _token(world.home.pk) != home


def test_a_row_moved_to_another_organization_replaces_both_versions(world: World) -> None:
    clinic, home = _token(world.clinic.pk), _token(world.home.pk)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE clients_client SET organization_id = %s WHERE id = %s", [world.home.pk, world.mary.pk])
    assert _token(world.clinic.pk) != clinic
    assert _token(world.home.pk) != home


def test_a_write_that_touches_no_row_keeps_the_version(world: World) -> None:
    before = _token(world.clinic.pk)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE treatments_session SET notes = notes WHERE id = -1")
    assert _token(world.clinic.pk) == before


@pytest.mark.parametrize(
    ("sql", "before", "after"),
    [
        ("UPDATE clients_client SET full_name = 'Ada Byron' WHERE id = {ada}", None, "Ada Byron: session {number}</a>"),
        (
            "UPDATE treatments_session SET status = 'in_progress' WHERE id = {session}",
            None,
            '{link}Ada Lovelace: session {number}</a> <span class="badge">In progress</span>',
        ),
        (
            "UPDATE accounts_organization SET name = 'Clinic by SQL' WHERE id = {clinic}",
            None,
            "<h1>Clinic by SQL <span",
        ),
        (
            "DELETE FROM treatments_session WHERE id = {booked}",
            'id="today-session-{booked}">Ada Lovelace: session 400</a>',
            None,
        ),
    ],
)
def test_the_kept_dashboard_shows_a_raw_sql_write_at_once(
    world: World, sql: str, before: str | None, after: str | None
) -> None:
    booked = Session.objects.create(
        organization=world.clinic, course=world.ada_course, client=world.ada, number=400, scheduled_on=world.today
    )
    c = world.login(world.practitioner)
    url = reverse("dashboard")
    first = c.get(url)
    assert c.get(url).context["kept_key"] == first.context["kept_key"]  # kept
    values = {"ada": world.ada.pk, "session": world.today_session.pk, "clinic": world.clinic.pk, "booked": booked.pk}
    with connection.cursor() as cursor:
        cursor.execute(sql.format(**values))
    page = c.get(url)
    assert page.context["kept_key"] != first.context["kept_key"]
    shown = {"number": world.today_session.number, "link": f'id="today-session-{world.today_session.pk}">', **values}
    for text, was, now in ((before, first, page), (after, page, first)):
        if text is not None:
            assert text.format(**shown) in was.content.decode()
            assert text.format(**shown) not in now.content.decode()


def _own_connection() -> Any:
    """A connection of its own to the test database, committing for real (PostgreSQL)."""
    import psycopg

    s = connection.settings_dict
    own = psycopg.connect(
        dbname=s["NAME"], user=s["USER"], password=s["PASSWORD"] or None, host=s["HOST"], port=s["PORT"] or None
    )
    own.execute("SET lock_timeout = '10s'")
    return own


def _committed_token(organization_id: int) -> str:
    with _own_connection() as own:
        row = own.execute(
            "SELECT token FROM records_dataversion WHERE organization_id = %s", [organization_id]
        ).fetchone()
    assert row is not None
    return str(row[0])


postgres_only = pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL defers the triggers")


@postgres_only
def test_on_postgresql_the_version_moves_when_the_write_commits(world: World) -> None:
    before = _committed_token(world.clinic.pk)
    with _own_connection() as writer:
        writer.execute("UPDATE clients_client SET full_name = full_name WHERE id = %s", [world.ada.pk])
        mid = writer.execute("SELECT token FROM records_dataversion WHERE organization_id = %s", [world.clinic.pk])
        assert mid.fetchone() == (before,)  # deferred: not even the writer sees it move before its commit
        assert _committed_token(world.clinic.pk) == before
        writer.commit()
    after = _committed_token(world.clinic.pk)
    assert after != before
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", after)


@postgres_only
def test_on_postgresql_sealing_before_writing_and_writing_before_sealing_do_not_deadlock(world: World) -> None:
    """One transaction locks the chain head (as sealing does) and then writes a client; another writes a
    client and then seals. The version row is locked only at commit, so they wait in turn; had it been
    locked at each write, each would wait for the other until the database aborted one."""
    head = "SELECT seq FROM audit_sealchain WHERE organization_id = %s FOR UPDATE"
    write = "UPDATE clients_client SET full_name = full_name WHERE id = %s"
    sealer, writer = _own_connection(), _own_connection()
    failures: list[BaseException] = []

    def run(conn: Any, sql: str, params: list[Any]) -> None:
        try:
            conn.execute(sql, params)
            conn.commit()
        except Exception as error:  # noqa: BLE001 - reported below
            failures.append(error)
            conn.rollback()

    try:
        sealer.execute(head, [world.clinic.pk])
        writer.execute(write, [world.ada.pk])
        steps = [
            threading.Thread(target=run, args=(sealer, write, [world.grace.pk])),
            threading.Thread(target=run, args=(writer, head, [world.clinic.pk])),
        ]
        for step in steps:
            step.start()
        for step in steps:
            step.join(30)
        assert not any(step.is_alive() for step in steps)
        assert failures == []
    finally:
        sealer.close()
        writer.close()


def test_an_organization_without_a_version_has_its_dashboard_computed_every_time(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rows loaded with the triggers off (the scale benchmark's clinics) have no version: nothing is kept for them."""
    monkeypatch.setattr(screening, "_screenings", type(screening._screenings)())
    monkeypatch.setattr(screening, "_plans", type(screening._plans)())
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM records_dataversion WHERE organization_id = %s", [world.clinic.pk])
    c = world.login(world.practitioner)
    counts = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            page = c.get(reverse("dashboard"))
        assert page.context["kept_key"] is None
        assert f'id="today-session-{world.today_session.pk}"' in page.content.decode()
        counts.append(len(queries.captured_queries))
    assert counts == [12, 11]  # computed both times (the plans read once, to screen afresh); kept, it would be 3
    with connection.cursor() as cursor:
        cursor.execute("UPDATE clients_client SET full_name = full_name WHERE id = %s", [world.ada.pk])
    assert data_version(world.clinic.pk) is not None  # the next write gives it one
    assert c.get(reverse("dashboard")).context["kept_key"] is not None


def test_a_change_of_a_users_name_or_email_replaces_every_organizations_version_and_signing_in_none(
    world: World,
) -> None:
    def tokens() -> dict[int, str]:
        return {o: _token(o) for o in (world.clinic.pk, world.home.pk)}

    before = tokens()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE accounts_user SET last_login = %s WHERE id = %s", ["2026-11-30 09:00:00", world.owner.pk]
        )
        cursor.execute("UPDATE accounts_user SET full_name = full_name, email = email WHERE id = %s", [world.owner.pk])
    assert tokens() == before
    for column, value in (("full_name", "Pat Renamed"), ("email", "pat.renamed@example.org")):
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE accounts_user SET {column} = %s WHERE id = %s", [value, world.owner.pk])  # noqa: S608
        after = tokens()
        assert all(after[o] != before[o] for o in before), column
        before = after


@pytest.mark.parametrize(
    ("field", "value"), [("name", "Other name"), ("time_zone", "Asia/Tokyo"), ("policy_overrides", {"x": 1})]
)
def test_the_key_holds_the_organization_as_the_request_read_it(world: World, field: str, value: Any) -> None:
    """The request reads its organization before the token: a change committed in between must give another key."""
    request = RequestFactory().get("/")
    actor = world.actor(world.practitioner)
    key = kept_key("dashboard", request, actor, world.today)
    assert kept_key("dashboard", request, actor, world.today) == key
    setattr(actor.organization, field, value)  # as read before a change the token already holds
    assert kept_key("dashboard", request, actor, world.today) not in {key, None}


def test_an_organization_without_a_version_has_its_timeline_computed_every_time(world: World) -> None:
    """The token read with the client is NULL: nothing is kept, and the page is whole each time."""
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM records_dataversion WHERE organization_id = %s", [world.clinic.pk])
    c = world.login(world.practitioner)
    url = reverse("clients:detail", args=[world.ada.pk])
    counts = []
    for _ in range(3):
        with CaptureQueriesContext(connection) as queries:
            page = c.get(url)
        assert page.context["kept_key"] is None
        html = page.content.decode()
        assert '<h1 id="client-name">Ada Lovelace</h1>' in html and f'id="session-{world.signed.pk}"' in html
        counts.append(len(queries.captured_queries))
    assert counts[1:] == [13, 13]  # computed each time; kept, it would be 7
    with connection.cursor() as cursor:
        cursor.execute("UPDATE clients_client SET full_name = full_name WHERE id = %s", [world.ada.pk])
    assert c.get(url).context["kept_key"] is not None  # the next write gives it one


def test_a_personal_space_timeline_costs_what_a_clinic_s_does(world: World) -> None:
    """A clinic's timeline costs 13 queries computed and 7 kept; a personal space's one more each, for the menu's
    link to her own record. The kept page is rendered without the request's context processors (which would
    read that link again)."""
    c = world.login(world.home_user)
    me = world.home_session.client
    url = reverse("clients:detail", args=[me.pk])
    c.get(url)
    me.notes = "Left cheek first"
    me.save()
    counts = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            page = c.get(url)
        counts.append(len(queries.captured_queries))
    assert 'id="client-history"' in page.content.decode()  # the owner of a personal space sees her history
    assert counts == [14, 8]
