"""Fixtures of the web suite.

The demo clinic and demo personal space are loaded once per test database (through the
actions, like ``make run`` does); each test runs in a transaction that is rolled back, so
every test starts from the same demo data.
"""

from __future__ import annotations

import datetime as dt
import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from pinpoint.web.accounts.models import Organization, User
from pinpoint.web.base.tenancy import Actor
from pinpoint.web.clients.models import Client, Questionnaire
from pinpoint.web.consents.models import Consent
from pinpoint.web.demo import HOME_LOGIN, LOGINS, load_demo
from pinpoint.web.devices.models import DeviceUnit
from pinpoint.web.treatments.models import Course, Session

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
OUR_APPS = (
    "accounts",
    "base",
    "audit",
    "clients",
    "consents",
    "devices",
    "treatments",
    "photos",
    "scheduling",
    "reminders",
    "portal",
    "electrolysis",
    "outcomes",
    "api",
)
USAGE_STAMPS = {"api.ApiToken": ("last_used_at",)}
"""Columns saying when something was last used (a token at each request), not what a record holds."""


def _photo_storages(location: Path) -> dict[str, Any]:
    storages = dict(settings.STORAGES)
    backend = "django.core.files.storage.FileSystemStorage"
    storages["photos"] = {"BACKEND": backend, "OPTIONS": {"location": str(location)}}
    return storages


@pytest.fixture(scope="session")
def photo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the suite's photos are stored (a temporary directory, never the data directory)."""
    return tmp_path_factory.mktemp("photos")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any, photo_dir: Path) -> None:
    """Load the demo once into the test database."""
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=FAST_HASHERS, STORAGES=_photo_storages(photo_dir)),
    ):
        load_demo(timezone.localdate())


@pytest.fixture(autouse=True)
def _photo_storage(settings: Any, photo_dir: Path, django_db_blocker: Any) -> None:
    settings.STORAGES = _photo_storages(photo_dir)
    from pinpoint.web.photos.actions import discard_rolled_back

    with django_db_blocker.unblock():
        discard_rolled_back()  # the files of photos the test before took, rolled back with it


@pytest.fixture(autouse=True)
def _nothing_kept() -> None:
    """Pages kept from the test before are dropped, as in a process just started.

    Each test's writes are rolled back, and with them the data versions pages are kept under
    (``records.versions``); a page kept in an earlier test for the demo data as it was would be
    served again, and a test reading what a view computed would find it was not computed. Within
    a test, the dashboard's and a timeline's context (``response.context["t"]``, ``["alerts"]``...)
    exists only when the body was computed: on the first request for a page, or after a write.
    """
    cache.clear()


_VERSIONS = importlib.import_module("pinpoint.web.records.migrations.0004_data_versions")
VERSION_TRIGGERS = ", ".join(
    [
        *(f"pinpoint_version_{table}_{op}" for table in _VERSIONS.TABLES for op in ("insert", "update", "delete")),
        f"pinpoint_version_{_VERSIONS.USERS}_update",
    ]
)


@pytest.fixture(autouse=True)
def _versions_at_once(request: pytest.FixtureRequest) -> None:
    """On PostgreSQL, the data-version triggers fire at each statement's end in a test, not at commit.

    They are deferred to the commit (``records`` migration 0004), and a test's transaction is rolled
    back, never committed: without this a test would never see a version move. The tests of the
    deferral itself commit on connections of their own (``test_data_versions``).
    """
    if "db" not in request.fixturenames:
        return
    request.getfixturevalue("db")
    if connection.vendor == "postgresql" and connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute(f"SET CONSTRAINTS {VERSION_TRIGGERS} IMMEDIATE")


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = FAST_HASHERS


def queries_of(client: HttpClient, url: str) -> int:
    """How many queries ``client`` asking for ``url`` makes (the page must answer 200)."""
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@dataclass
class World:
    """The demo data, looked up by role and name."""

    today: dt.date
    clinic: Organization
    home: Organization
    owner: User
    practitioner: User
    assistant: User
    home_user: User
    ada: Client
    grace: Client
    mary: Client
    me: Client
    ada_course: Course
    signed: Session
    today_session: Session
    grace_session: Session
    home_session: Session
    consent: Consent
    questionnaire: Questionnaire
    pen: DeviceUnit
    roller: DeviceUnit

    def actor(self, user: User) -> Actor:
        """The user acting in their organization."""
        m = user.memberships.select_related("organization").get()
        return Actor(user=user, organization=m.organization, role=m.role)

    def login(self, user: User | None) -> HttpClient:
        """A test client signed in as ``user`` (anonymous for ``None``)."""
        c = HttpClient()
        if user is not None:
            c.force_login(user)
        return c


@pytest.fixture
def world(db: Any) -> World:
    """Handles on the demo data."""
    users = {u.email: u for u in User.objects.all()}
    clinic = Organization.objects.get(name="Demo Clinic")
    home = Organization.objects.get(kind="personal", memberships__user__email=HOME_LOGIN[0])
    ada = Client.objects.get(organization=clinic, full_name="Ada Lovelace")
    grace = Client.objects.get(organization=clinic, full_name="Grace Hopper")
    ada_course = Course.objects.get(client=ada)
    sessions = list(Session.objects.filter(course=ada_course).order_by("number"))
    return World(
        today=timezone.localdate(),
        clinic=clinic,
        home=home,
        owner=users[LOGINS[0][0]],
        practitioner=users[LOGINS[1][0]],
        assistant=users[LOGINS[2][0]],
        home_user=users[HOME_LOGIN[0]],
        ada=ada,
        grace=grace,
        mary=Client.objects.get(organization=clinic, full_name="Mary Seacole"),
        me=Client.objects.get(organization=home, is_self=True),
        ada_course=ada_course,
        signed=sessions[0],
        today_session=sessions[1],
        grace_session=Session.objects.get(client=grace, number=1),
        home_session=Session.objects.get(client__organization=home, number=1),
        consent=Consent.objects.get(client=ada),
        questionnaire=Questionnaire.objects.filter(client=ada).first(),  # type: ignore[arg-type]
        pen=DeviceUnit.objects.get(organization=clinic, label="Pen cartridges"),
        roller=DeviceUnit.objects.get(organization=home),
    )


def fingerprint() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every Pinpoint table (history and audit included), to assert that nothing changed."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    for label in OUR_APPS:
        for model in apps.get_app_config(label).get_models():
            skip = USAGE_STAMPS.get(model._meta.label, ())
            columns = [f.attname for f in model._meta.concrete_fields if f.attname not in skip]
            out[model._meta.label] = list(model._default_manager.order_by("pk").values_list(*columns))
    return out
