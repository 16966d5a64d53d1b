"""A client's record read across apps: the client list with each next session, the timeline, the change history."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.db import connection
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from pinpoint.web.accounts.models import User
from pinpoint.web.audit.models import AuditEvent, RecordView
from pinpoint.web.audit.selectors import LIMIT
from pinpoint.web.base.permissions import Perm
from pinpoint.web.base.sql import table
from pinpoint.web.base.tenancy import Actor
from pinpoint.web.clients.models import Client, Questionnaire
from pinpoint.web.clients.selectors import ScreeningResult, client_search, screening_for
from pinpoint.web.consents.models import Consent
from pinpoint.web.electrolysis.models import Course as ElectrolysisCourse
from pinpoint.web.electrolysis.models import ElectrolysisAddendum
from pinpoint.web.electrolysis.models import Session as ElectrolysisSession
from pinpoint.web.records.paging import PageInfo, page_of
from pinpoint.web.treatments.models import Addendum, Course, Session, ZoneRecord
from pinpoint.web.treatments.selectors import course_plans, plan_ref

__all__ = [
    "COUNT_CAP",
    "TIMELINE_PAGE",
    "ClientPage",
    "CourseSummary",
    "Timeline",
    "client_history",
    "client_list",
    "client_page",
    "timeline",
]


def client_list(actor: Actor, search: str = "") -> QuerySet[Client]:
    """The organization's clients, with their next booked session date, optionally filtered by name or email."""
    upcoming = Session.objects.filter(
        organization=actor.organization, client=OuterRef("pk"), status=Session.Status.BOOKED
    ).order_by("scheduled_on")
    return client_search(actor, search).annotate(next_session_on=Subquery(upcoming.values("scheduled_on")[:1]))


COUNT_CAP = 1000
"""The client list counts up to this many clients; beyond it the page says "more than 1,000 clients"."""


@dataclass(frozen=True)
class ClientPage:
    """One page of the client list in name order (ties by id), with the cursors of its neighbours.

    ``total`` is capped: counting a million rows to print a number nobody reads costs more than
    the page itself, so past :data:`COUNT_CAP` the page only says there are more.
    """

    clients: list[Client]
    total: int
    next_after: str | None
    previous_before: str | None
    at_start: bool
    damaged_cursor: bool

    def __iter__(self) -> Iterator[Client]:
        return iter(self.clients)

    def __len__(self) -> int:
        return len(self.clients)

    @property
    def capped(self) -> bool:
        """True when the organization has more matching clients than the count goes to."""
        return self.total > COUNT_CAP

    @property
    def count_text(self) -> str:
        """How many clients match, in words: "1 client", "23 clients", "more than 1,000 clients"."""
        if self.capped:
            return f"more than {COUNT_CAP:,} clients"
        return "1 client" if self.total == 1 else f"{self.total:,} clients"


NAME_MAX = Client._meta.get_field("full_name").max_length or 0
"""The longest name a cursor may hold (a client's name's)."""


def _cursor(client: Client) -> str:
    raw = json.dumps([client.full_name, client.pk], ensure_ascii=False, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _position(cursor: str) -> tuple[str, int] | None:
    """The (name, id) a cursor of this list holds, or ``None`` when it is not one (damaged or forged)."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        name, pk = json.loads(raw.decode())
    except (ValueError, TypeError, UnicodeDecodeError, binascii.Error):
        return None
    if not isinstance(name, str) or type(pk) is not int or len(name) > NAME_MAX:
        return None
    return (name, pk) if 0 < pk < 2**63 and "\x00" not in name else None


def client_page(actor: Actor, search: str = "", after: str = "", before: str = "", size: int = 50) -> ClientPage:
    """The page of ``size`` clients after the cursor ``after`` (or before ``before``); two queries at most.

    Keyset pagination: the page starts where the cursor's (name, id) left off, so its cost does not
    grow with how far into the list it is (an OFFSET reads and throws away every row before it). A
    cursor that is not one this list gave (damaged, forged) shows the first page and says so. A
    first page that holds every match is its own count (one query: a narrow search, the usual case,
    reads its matches once instead of twice).
    """
    rows = client_list(actor, search)
    cursor = after or before
    position = _position(cursor) if cursor else None
    damaged = bool(cursor) and position is None
    if position is None:
        got = list(rows.order_by("full_name", "pk")[: size + 1])
        more = len(got) > size
        total = _capped_count(actor, search) if more else len(got)
        return ClientPage(got[:size], total, _cursor(got[size - 1]) if more else None, None, True, damaged)
    total = _capped_count(actor, search)
    name, pk = position
    if after:
        ahead = rows.filter(Q(full_name__gt=name) | Q(full_name=name, pk__gt=pk), full_name__gte=name)
        got = list(ahead.order_by("full_name", "pk")[: size + 1])
        more = len(got) > size
        got = got[:size]
        return ClientPage(
            got, total, _cursor(got[-1]) if more else None, _cursor(got[0]) if got else None, False, False
        )
    behind = rows.filter(Q(full_name__lt=name) | Q(full_name=name, pk__lt=pk), full_name__lte=name)
    got = list(behind.order_by("-full_name", "-pk")[: size + 1])
    more = len(got) > size
    got = got[:size][::-1]
    return ClientPage(got, total, _cursor(got[-1]) if got else None, _cursor(got[0]) if more else None, not more, False)


def _capped_count(actor: Actor, search: str) -> int:
    """How many clients match, counted up to one past :data:`COUNT_CAP`."""
    return client_search(actor, search).order_by()[: COUNT_CAP + 1].count()


TIMELINE_PAGE = 20
"""Entries of a client's timeline shown a page."""

_KIND_RANK = {
    "questionnaire": 5,
    "consent": 4,
    "withdrawal": 3,
    "session": 2,
    "electrolysis_session": 1,
    "course": 2,
    "electrolysis_course": 1,
}
_COURSE_KINDS = ("course", "electrolysis_course")


@dataclass(frozen=True)
class CourseSummary:
    """A course as the top of the timeline sums it up, on every page: how many of its sessions are signed, booked."""

    course: Course | ElectrolysisCourse
    kind: str
    sessions: int
    signed: int
    booked: int


@dataclass(frozen=True)
class Timeline:
    """One page of a client's record, newest first, with its courses, today's screening and the next session's.

    ``entries`` are ``(date, kind, object)``, :data:`TIMELINE_PAGE` of them on ``page``.
    """

    client: Client
    entries: list[tuple[dt.date, str, object]]
    page: PageInfo
    questionnaires: list[Questionnaire]
    consents: list[Consent]
    courses: list[Course]
    summaries: list[CourseSummary]
    today: ScreeningResult
    next_session: Session | None
    next_screening: ScreeningResult | None


def _order(entry: tuple[dt.date, str, object], tie: int) -> tuple[dt.date, bool, int, int]:
    """Where an entry sorts, newest first: by date; on one day a course below what happened in it."""
    day, kind, _ = entry
    return (day, kind not in _COURSE_KINDS, _KIND_RANK[kind], tie)


_SIGNER = "COALESCE(NULLIF({u}.full_name, ''), {u}.email)"
"""A user's name as a signature shows it (``User.display_name``), in SQL."""


def _courses_sql(course: type[Any], session: type[Any], columns: str) -> str:
    """A client's courses of one kind with how many sessions each has, signed and booked (one query, grouped)."""
    signed, booked = Session.Status.SIGNED.value, Session.Status.BOOKED.value
    return (
        f"SELECT {columns}, COUNT(s.id) AS n_sessions,"  # noqa: S608 - tables and columns of models, values bound
        f" COALESCE(SUM(CASE WHEN s.status = '{signed}' THEN 1 ELSE 0 END), 0) AS n_signed,"
        f" COALESCE(SUM(CASE WHEN s.status = '{booked}' THEN 1 ELSE 0 END), 0) AS n_booked"
        f" FROM {table(course)} c LEFT JOIN {table(session)} s ON s.course_id = c.id"
        " WHERE c.organization_id = %s AND c.client_id = %s GROUP BY c.id ORDER BY c.start_on DESC, c.id DESC"
    )


def _columns(model: type[Any], alias: str, leave_out: tuple[str, ...] = ()) -> str:
    """Every column of ``model`` but ``leave_out``, for a grouped query (which must name them)."""
    q = connection.ops.quote_name
    return ", ".join(f"{alias}.{q(f.column)}" for f in model._meta.concrete_fields if f.name not in leave_out)


def _summary(course: Any, kind: str) -> CourseSummary:
    return CourseSummary(course, kind, int(course.n_sessions), int(course.n_signed), int(course.n_booked))


def timeline(actor: Actor, client: Client, page: str | None = None) -> Timeline:
    """Page ``page`` (text from the address: ``"2"``; the first when empty) of ``client``'s record.

    Newest first (a booked session is dated the day it is booked for, so the furthest booking
    comes first); on one day a course comes below what happened in it. Questionnaires, consents
    and courses (a few a client) are read whole; sessions, which grow with every visit, only as
    far as the page reaches, so a page costs the same however long the record is: a constant
    number of queries, and the rows of one page rendered. A page that is not one of the record's
    shows the nearest that is (:func:`pinpoint.web.records.paging.page_of`). Every course is
    summed up on every page.

    The reads are written in SQL (``Model.objects.raw``): the page reads the same rows, and
    skips building each query with the ORM, which cost several times more than running it.
    Each row comes with the name of who recorded or signed it (``recorder_name``,
    ``signer_name``: the user's full name, else email), and each session with ``addenda_count``.
    """
    actor.require(Perm.CLIENT_VIEW)
    org_id, client_id = actor.organization.pk, client.pk
    users = table(User)
    questionnaires = list(
        Questionnaire.objects.raw(
            f"SELECT q.*, {_SIGNER.format(u='u')} AS recorder_name FROM {table(Questionnaire)} q"  # noqa: S608
            f" JOIN {users} u ON u.id = q.recorded_by_id WHERE q.organization_id = %s AND q.client_id = %s"
            " ORDER BY q.taken_on DESC, q.id DESC",
            [org_id, client_id],
        )
    )
    consents = list(
        Consent.objects.raw(
            f"SELECT * FROM {table(Consent)} WHERE organization_id = %s AND client_id = %s"  # noqa: S608
            " ORDER BY signed_at DESC, id DESC",
            [org_id, client_id],
        )
    )
    today = actor.today()
    courses = list(
        Course.objects.raw(_courses_sql(Course, Session, _columns(Course, "c", ("plan",))), [org_id, client_id])
    )
    el_courses = list(
        ElectrolysisCourse.objects.raw(
            _courses_sql(ElectrolysisCourse, ElectrolysisSession, _columns(ElectrolysisCourse, "c")),
            [org_id, client_id],
        )
    )
    summaries = [_summary(c, "course") for c in courses]
    summaries += [_summary(c, "electrolysis_course") for c in el_courses]
    few: list[tuple[tuple[dt.date, str, object], int]] = []
    few += [((q.taken_on, "questionnaire", q), q.pk) for q in questionnaires]
    few += [((timezone.localdate(c.signed_at), "consent", c), c.pk) for c in consents]
    few += [((timezone.localdate(c.withdrawn_at), "withdrawal", c), c.pk) for c in consents if c.withdrawn_at]
    few += [((c.start_on, "course", c), c.pk) for c in courses]
    few += [((c.start_on, "electrolysis_course", c), c.pk) for c in el_courses]
    total = len(few) + sum(c.sessions for c in summaries)
    shown = page_of(total, TIMELINE_PAGE, page)
    reach = shown.offset + shown.size  # no session beyond this many of either kind can be on the page
    many: list[tuple[tuple[dt.date, str, object], int]] = []
    if courses:
        many += [
            ((s.date, "session", s), s.number)
            for s in Session.objects.raw(
                f"SELECT s.*, {_SIGNER.format(u='u')} AS signer_name,"  # noqa: S608
                f" (SELECT COUNT(*) FROM {table(Addendum)} a WHERE a.session_id = s.id) AS addenda_count"
                f" FROM {table(Session)} s LEFT JOIN {users} u ON u.id = s.signed_by_id"
                " WHERE s.organization_id = %s AND s.client_id = %s"
                " ORDER BY COALESCE(s.performed_on, s.scheduled_on) DESC, s.number DESC LIMIT %s",
                [org_id, client_id, reach],
            )
        ]
    if el_courses:
        many += [
            ((s.performed_on, "electrolysis_session", s), s.number)
            for s in ElectrolysisSession.objects.raw(
                f"SELECT s.*, {_SIGNER.format(u='u')} AS signer_name,"  # noqa: S608
                f" (SELECT COUNT(*) FROM {table(ElectrolysisAddendum)} a WHERE a.session_id = s.id) AS addenda_count"
                f" FROM {table(ElectrolysisSession)} s LEFT JOIN {users} u ON u.id = s.signed_by_id"
                " WHERE s.organization_id = %s AND s.client_id = %s"
                " ORDER BY s.performed_on DESC, s.number DESC LIMIT %s",
                [org_id, client_id, reach],
            )
        ]
    ordered = sorted(few + many, key=lambda e: _order(*e), reverse=True)
    entries = [entry for entry, _ in ordered[shown.offset : reach]]
    nxt = None
    if courses:
        booked = Session.Status.BOOKED.value
        nxt = next(
            iter(
                Session.objects.raw(
                    f"SELECT * FROM {table(Session)} WHERE organization_id = %s AND client_id = %s"  # noqa: S608
                    f" AND status = '{booked}' AND scheduled_on >= %s ORDER BY scheduled_on, number LIMIT 1",
                    [org_id, client_id, today],
                )
            ),
            None,
        )
    next_screening = None
    if nxt is not None:
        course = next(c for c in courses if c.pk == nxt.course_id)
        next_screening = screening_for(
            actor, client, nxt.scheduled_on, plan_ref(course), questionnaires, load_plans=partial(course_plans, actor)
        )
    return Timeline(
        client=client,
        entries=entries,
        page=shown,
        questionnaires=questionnaires,
        consents=consents,
        courses=courses,
        summaries=summaries,
        today=screening_for(actor, client, today, None, questionnaires),
        next_session=nxt,
        next_screening=next_screening,
    )


def client_history(actor: Actor, client: Client) -> dict[str, Any]:
    """Field-level change history of every clinical record of ``client``, its events and its record views."""
    actor.require(Perm.AUDIT_VIEW)
    org = actor.organization
    histories = [
        ("client", client.history.all()),
        ("questionnaire", Questionnaire.history.filter(organization=org, client=client)),
        ("consent", Consent.history.filter(organization=org, client=client)),
        ("course", Course.history.filter(organization=org, client=client)),
        ("session", Session.history.filter(organization=org, client=client)),
        ("zone record", ZoneRecord.history.filter(organization=org, session__client=client)),
        ("addendum", Addendum.history.filter(organization=org, session__client=client)),
    ]
    changes = []
    for label, qs in histories:
        for rec in qs.select_related("history_user").order_by("-history_date")[:LIMIT]:
            changes.append((rec.history_date, label, rec))
    changes.sort(key=lambda c: c[0], reverse=True)
    events = AuditEvent.objects.filter(organization=org, client=client).select_related("actor").order_by("-at", "-pk")
    views = RecordView.objects.filter(organization=org, client=client).select_related("user").order_by("-at", "-pk")
    return {"changes": changes[:LIMIT], "events": list(events[:LIMIT]), "views": list(views[:LIMIT])}
