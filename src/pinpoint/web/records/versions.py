"""Pages kept under their organization's data version: a token its database triggers replace on each write.

The table and its triggers are made by this app's migration ``0004_data_versions`` (ADR 0015):
every write to an organization's records that the dashboard or the timeline shows gives the
organization a new random token, in the same transaction. A page kept under the token is current
for as long as the token is. The token is read before the page's data (by :func:`kept_key`, or
with the page's first row, :func:`data_version_column`), so a write committed in between can only
make the kept page newer than its key, never older.

Keep only a page read outside a transaction that has written: on PostgreSQL the token moves when
the transaction commits, so a page rendered before that, from its own uncommitted rows, would be
kept under the old token (the two pages that keep theirs write only their view log, committed
before they render; ``ATOMIC_REQUESTS`` is off).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable

from django.core.cache import cache
from django.db import connection
from django.db.models import CharField
from django.db.models.expressions import RawSQL
from django.http import HttpRequest
from django.utils.safestring import SafeString, mark_safe

from pinpoint.evidence.loader import load_evidence
from pinpoint.web.base.permissions import Perm
from pinpoint.web.base.tenancy import Actor

__all__ = ["KEPT_SECONDS", "UNREAD", "Unread", "data_version", "data_version_column", "kept", "kept_key"]

VERSIONS = "records_dataversion"
_TOKEN = f"SELECT token FROM {VERSIONS} WHERE organization_id = %s"  # noqa: S608 - a constant table name


class Unread:
    """The token not read yet (:func:`kept_key` reads it)."""


UNREAD = Unread()
KEPT_SECONDS = 3600
"""How long a rendered page is kept; a write to anything it shows gives it a new key before that."""


def data_version(organization_id: int) -> str | None:
    """The organization's current token, or None if it has none (then nothing may be kept under it)."""
    with connection.cursor() as cursor:
        cursor.execute(_TOKEN, [organization_id])
        row = cursor.fetchone()
    return None if row is None else str(row[0])


def data_version_column(organization_id: int) -> RawSQL:
    """The organization's current token as a column of another read (``NULL`` if it has none).

    A page that reads a row first anyway (a timeline, its client) reads the token with it: one
    statement, so one snapshot, and one round trip fewer. Pass the column's value to :func:`kept_key`.
    """
    return RawSQL(_TOKEN, [organization_id], output_field=CharField())  # noqa: S611 - a constant, values bound


def kept_key(
    name: str, request: HttpRequest, actor: Actor, today: dt.date, *more: object, version: str | Unread | None = UNREAD
) -> str | None:
    """The key page ``name`` is kept under, or None when the organization has no data version yet.

    Besides the organization's records, a kept page depends on the day (the organization's, so its
    time zone), the evidence release (screenings), whether the user may see clients (the
    dashboard's adverse-events panel) and the query string (the page asked for, the pagers' links);
    ``more`` is what else names the page (the client of a timeline). The organization itself (its
    name, kind, time zone and policy overrides, which the screenings apply) enters as the request
    read it: that row was read before the token, when the request signed in, so a change to it
    committed in between must not be kept under the new token. The token is read here unless
    ``version`` gives it, read with the page's first row (:func:`data_version_column`).
    """
    if isinstance(version, Unread):
        version = data_version(actor.org_id)
    if version is None:
        return None
    organization = actor.organization
    shown = (
        name,
        actor.org_id,
        version,
        (organization.name, organization.kind, organization.time_zone, organization.policy_overrides),
        today,
        load_evidence().version,
        actor.can(Perm.CLIENT_VIEW),
        sorted(request.GET.lists()),
        *more,
    )
    return f"{name}:" + hashlib.blake2b(repr(shown).encode(), digest_size=20).hexdigest()


def kept(key: str | None, render: Callable[[], str]) -> SafeString:
    """The page kept under ``key``, else ``render()`` kept under it (with no key, rendered and not kept).

    What is kept is HTML this process rendered from its templates, so it is marked safe as it was.
    """
    body: str | None = cache.get(key) if key is not None else None
    if body is None:
        body = render()
        if key is not None:
            cache.set(key, body, KEPT_SECONDS)
    return mark_safe(body)  # noqa: S308 - rendered by the app's own templates
