"""Building the printable documents and rendering them to PDF.

:func:`render_pdf` is the one entry point for the pages, the CLI (``pinpoint pdf``) and the REST
API: the same actor, kind, id and paper size give the same document. It reads through the other
apps' tenant-scoped selectors (another organization's id is "not found", like a missing one),
checks the permission of the page that shows the record, and records the view in the audit trail.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.http import Http404
from django.template.loader import render_to_string
from django.utils import timezone

from pinpoint.core.errors import PinpointError
from pinpoint.core.guide import guide_for_plan
from pinpoint.core.hair import modality_name
from pinpoint.core.zones import zone_names
from pinpoint.web.audit.actions import record_view
from pinpoint.web.audit.chains import check_record
from pinpoint.web.base.evidence import evidence_for
from pinpoint.web.base.permissions import Perm
from pinpoint.web.consents import selectors as consent_selectors
from pinpoint.web.documents.kinds import KINDS, RECORDS, SIZES, check_kind, check_size
from pinpoint.web.electrolysis import selectors as electrolysis_selectors
from pinpoint.web.electrolysis.models import Session as ElectrolysisSession
from pinpoint.web.electrolysis.signing import record_rows, seal_problem
from pinpoint.web.treatments import selectors as treatment_selectors
from pinpoint.web.treatments.models import Session, ZoneRecord
from pinpoint.web.treatments.signing import verify

if TYPE_CHECKING:
    from pinpoint.web.base.tenancy import Actor
    from pinpoint.web.clients.models import Client

__all__ = [
    "KINDS",
    "SIZES",
    "Document",
    "DocumentNotFoundError",
    "DocumentUnavailableError",
    "build",
    "check_kind",
    "check_size",
    "document_html",
    "render_pdf",
]

PRINT_CSS = Path(__file__).resolve().parent.parent / "static" / "pinpoint" / "print.css"


class DocumentNotFoundError(PinpointError):
    """No record of that id in the actor's organization (missing or another organization's: the same answer)."""


class DocumentUnavailableError(PinpointError):
    """The record exists but this document cannot be made of it (e.g. the record of a session not yet signed)."""


@dataclass(frozen=True)
class Document:
    """One document, ready to render: its template, title, the person it concerns, its context."""

    kind: str
    object_id: int
    template: str
    title: str
    client: Client
    context: dict[str, Any] = field(default_factory=dict)


def _not_found(actor: Actor, kind: str, pk: int) -> DocumentNotFoundError:
    return DocumentNotFoundError("id", f"there is no {RECORDS[kind]} {pk} in {actor.organization.name}")


def _plan(actor: Actor, pk: int) -> Document:
    course = treatment_selectors.get_course(actor, pk)
    plan = course.plan_obj()
    evidence = evidence_for(actor.organization)
    indication = evidence.indications.get(plan.indication)
    device = evidence.devices.get(plan.device) if plan.device else None
    context = {
        "course": course,
        "plan": plan,
        "evidence": evidence,
        "names": True,
        "indication": indication.name if indication is not None else plan.indication,
        "device": device.name if device is not None else (plan.device or plan.device_kind),
        "sessions": list(treatment_selectors.course_sessions(course)),
        "sources": [(s, evidence.sources[s].citation if s in evidence.sources else "") for s in plan.sources],
    }
    return Document("plan", course.pk, "documents/plan.html", "Course plan", course.client, context)


def _consent(actor: Actor, pk: int) -> Document:
    consent = consent_selectors.get_consent(actor, pk)
    context = {"consent": consent, "seal_problem": check_record(consent, "consent")}
    return Document("consent", consent.pk, "documents/consent.html", "Signed consent", consent.client, context)


def _session_heading(session: Session, evidence: Any) -> dict[str, Any]:
    indication = evidence.indications.get(session.course.indication)
    return {
        "s": session,
        "client": session.client,
        "evidence": evidence,
        "indication": indication.name if indication is not None else session.course.indication,
    }


def _record(actor: Actor, pk: int) -> Document:
    session = treatment_selectors.get_session(actor, pk)
    if not session.is_signed:
        msg = f"session {session.number} of {session.client.full_name} is not signed: there is no signed record yet"
        raise DocumentUnavailableError("id", msg)
    records = list(
        ZoneRecord.objects.filter(organization=actor.organization, session=session)
        .select_related("device_unit")
        .order_by("pk")
    )
    context = _session_heading(session, evidence_for(actor.organization))
    context |= {
        "records": records,
        "names": True,
        "addenda": list(session.addenda.select_related("author")),
        "verified": verify(session, records),
        "seal_problem": check_record(session, "session"),
    }
    return Document("record", session.pk, "documents/record.html", "Session record", session.client, context)


def _aftercare(actor: Actor, pk: int) -> Document:
    session = treatment_selectors.get_session(actor, pk)
    if session.status == Session.Status.CANCELLED:
        msg = f"session {session.number} of {session.client.full_name} was cancelled: there is no aftercare to hand out"
        raise DocumentUnavailableError("id", msg)
    evidence = evidence_for(actor.organization)
    plan = session.course.plan_obj()
    if session.is_signed:
        zones = [zr.zone for zr in session.zone_records.filter(organization=actor.organization, treated=True)]
    else:
        zones = [z.zone for z in plan.zones]
    context = _session_heading(session, evidence)
    context |= {
        "aftercare": guide_for_plan(evidence, plan).aftercare,
        "day": session.performed_on or session.scheduled_on,
        "zones": zone_names(evidence, dict.fromkeys(zones)),
        "personal": actor.organization.is_personal,
    }
    return Document("aftercare", session.pk, "documents/aftercare.html", "Aftercare", session.client, context)


def _electrolysis_heading(actor: Actor, session: ElectrolysisSession) -> dict[str, Any]:
    evidence = evidence_for(actor.organization)
    return {
        "s": session,
        "client": session.client,
        "modality": modality_name(evidence, session.course.modality),
        "areas": zone_names(evidence, session.course.areas),
        "evidence": evidence,
    }


def _electrolysis_plan(actor: Actor, pk: int) -> Document:
    course = electrolysis_selectors.get_course(actor, pk)
    evidence = evidence_for(actor.organization)
    sessions = electrolysis_selectors.course_sessions(actor, course)
    context = {
        "course": course,
        "modality": modality_name(evidence, course.modality),
        "areas": electrolysis_selectors.course_areas(evidence, course, sessions),
        "sessions": sessions,
    }
    title = "Electrolysis course plan"
    return Document("electrolysis-plan", course.pk, "documents/electrolysis_plan.html", title, course.client, context)


def _electrolysis_record(actor: Actor, pk: int) -> Document:
    session = electrolysis_selectors.get_session(actor, pk)
    if not session.is_signed:
        msg = (
            f"electrolysis session {session.number} of {session.client.full_name} is not signed: "
            "there is no signed record yet"
        )
        raise DocumentUnavailableError("id", msg)
    records = list(session.areas.order_by("area"))
    context = _electrolysis_heading(actor, session)
    addenda = list(session.addenda.select_related("author"))
    context |= {
        "records": record_rows(context["evidence"], records),
        "addenda": addenda,
        "seal_problem": seal_problem(session, records, addenda),
    }
    title = "Electrolysis session record"
    return Document(
        "electrolysis-record", session.pk, "documents/electrolysis_record.html", title, session.client, context
    )


def _electrolysis_aftercare(actor: Actor, pk: int) -> Document:
    session = electrolysis_selectors.get_session(actor, pk)
    context = _electrolysis_heading(actor, session)
    personal = actor.organization.is_personal
    context |= {
        "aftercare": electrolysis_selectors.aftercare_lines(context["evidence"], actor.setting),
        "personal": personal,
    }
    kind, template = "electrolysis-aftercare", "documents/electrolysis_aftercare.html"
    return Document(kind, session.pk, template, "Aftercare", session.client, context)


_BUILDERS: dict[str, Callable[[Actor, int], Document]] = {
    "plan": _plan,
    "consent": _consent,
    "record": _record,
    "aftercare": _aftercare,
    "electrolysis-plan": _electrolysis_plan,
    "electrolysis-record": _electrolysis_record,
    "electrolysis-aftercare": _electrolysis_aftercare,
}


def build(actor: Actor, kind: str, pk: int) -> Document:
    """The document ``kind`` of record ``pk`` in the actor's organization (nothing is recorded yet).

    Raises :class:`UnknownIdError` for an unknown kind, :class:`DocumentNotFoundError` for an id
    that is missing or another organization's, :class:`DocumentUnavailableError` when the record
    has no such document, ``PermissionDenied`` when the role may not see the record.
    """
    actor.require(Perm.CLIENT_VIEW)
    builder = _BUILDERS[check_kind(kind)]
    try:
        return builder(actor, pk)
    except Http404:
        raise _not_found(actor, kind, pk) from None


def _zone(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def document_html(actor: Actor, doc: Document, size: str = "a4") -> str:
    """The HTML of ``doc`` for paper ``size``, with times in the organization's time zone."""
    _, size_name = SIZES[check_size(size)]
    context = {
        **doc.context,
        "title": doc.title,
        "person": doc.client.full_name,
        "organization": actor.organization,
        "today": actor.today(),
        "size_name": size_name,
    }
    with timezone.override(_zone(actor.organization.time_zone)):
        return render_to_string(doc.template, context)


def _pdf(html: str, size: str) -> bytes:
    """The PDF of ``html`` on paper ``size``; the print style sheet is handed over, never fetched or inlined."""
    from PIL import ImageFile  # noqa: PLC0415
    from weasyprint import CSS, HTML, URLFetcher  # noqa: PLC0415 - WeasyPrint (and Pango) load only when printing

    ImageFile.LOAD_TRUNCATED_IMAGES = False  # WeasyPrint's import lets Pillow read cut-short images, process-wide

    page_size, _ = SIZES[check_size(size)]
    fetcher = URLFetcher(allowed_protocols=())  # a document never fetches anything
    style = CSS(string=f"@page {{ size: {page_size}; }}\n" + PRINT_CSS.read_text(encoding="utf-8"))
    pdf: bytes = HTML(string=html, url_fetcher=fetcher).write_pdf(stylesheets=[style])
    return pdf


def render_pdf(actor: Actor, kind: str, pk: int, size: str = "a4") -> bytes:
    """The PDF of document ``kind`` (:data:`KINDS`) of record ``pk``, on ``size`` paper.

    ``pk`` is a course id for ``plan``, a consent id for ``consent``, a session id for ``record``
    and ``aftercare``; an electrolysis course id for ``electrolysis-plan`` and an electrolysis
    session id for ``electrolysis-record`` and ``electrolysis-aftercare``. The view is recorded in the
    audit trail as "printed <document>". Errors are
    those of :func:`build`, and :class:`InputError` (field ``size``) for a size other than a4 or letter.
    """
    check_size(size)
    doc = build(actor, kind, pk)
    pdf = _pdf(document_html(actor, doc, size), size)
    record_view(actor, doc.client, f"printed {KINDS[kind]}", doc.object_id)
    return pdf
