"""A record view written outside any transaction (a page's own): on PostgreSQL its transaction does not wait
for the disk (ADR 0013), unless ``PINPOINT_VIEW_LOG_DURABLE`` asks; either way the row is sealed and the chain holds.

In a fresh data directory (SQLite, or a fresh PostgreSQL database when ``DATABASE_URL`` names a server)
prepared by ``pinpoint serve --prepare-only``, a process logs a view of a demo client as the timeline
does (not inside a test's transaction, which would hold the row in it), then ``pinpoint verify`` checks
every seal.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator

import pytest

from tests.web.test_schedule_concurrency import prepared_env
from tests.web.test_web_backup import _pinpoint

VIEW = """
import json, os
import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pinpoint.web.settings")
django.setup()
from django.db import connection
from pinpoint.web.accounts.models import Membership
from pinpoint.web.audit.actions import record_view
from pinpoint.web.audit.models import RecordView, Seal
from pinpoint.web.base.tenancy import Actor
from pinpoint.web.clients.models import Client

m = Membership.objects.select_related("organization", "user").filter(role="practitioner").first()
actor = Actor(user=m.user, organization=m.organization, role=m.role)
client = Client.objects.filter(organization=m.organization).order_by("pk").first()
statements = []
def catch(execute, sql, params, many, context):
    statements.append(sql)
    return execute(sql, params, many, context)
with connection.execute_wrapper(catch):
    view = record_view(actor, client, "timeline")
seal = Seal.objects.get(kind="record_view", record_id=view.pk)
print(json.dumps({
    "stored": RecordView.objects.filter(pk=view.pk, client=client, what="timeline").count(),
    "sealed_in_org": seal.organization_id == m.organization.pk,
    "async": [s for s in statements if "synchronous_commit" in s],
    "vendor": connection.vendor,
}))
"""


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """A fresh data directory (or database) with the demo loaded."""
    yield from prepared_env(tmp_path_factory)


def _view(env: dict[str, str]) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", VIEW], env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


@pytest.mark.parametrize("durable", ["0", "1"])
def test_a_page_s_view_row_is_sealed_and_waits_for_the_disk_only_when_asked(env: dict[str, str], durable: str) -> None:
    got = _view(env | {"PINPOINT_VIEW_LOG_DURABLE": durable})
    relaxed = got["vendor"] == "postgresql" and durable == "0"
    assert got["stored"] == 1
    assert got["sealed_in_org"] is True
    assert got["async"] == (["SET LOCAL synchronous_commit TO OFF"] if relaxed else [])
    verified = _pinpoint(env, "verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr
