"""Checking a signature later: the session's rows as core's :class:`SessionRecord`, its SHA-256, its seal.

What a signature covers is core's (:func:`pinpoint.core.sessions.signed_content`, ADR 0006);
this module only reads the stored rows into it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pinpoint.core import sessions
from pinpoint.core.records import canonical_json, content_sha256
from pinpoint.web.audit.chains import check_record
from pinpoint.web.audit.erasures import erased_fields
from pinpoint.web.treatments.models import Session, ZoneRecord

__all__ = ["record_of", "rows_match", "signed_content", "verify"]


def _entry(zr: ZoneRecord) -> sessions.ZoneEntry:
    return sessions.ZoneEntry(
        zone=zr.zone,
        treated=zr.treated,
        device=zr.device,
        device_unit=zr.device_unit_id,
        lot_number=zr.lot_number,
        depth_mm=zr.depth_mm,
        passes=zr.passes,
        endpoint_reached=zr.endpoint_reached,
        notes=zr.notes,
        warnings=tuple(zr.warnings),
    )


def record_of(session: Session, zone_records: Iterable[ZoneRecord]) -> sessions.SessionRecord:
    """The session and its zone rows as core's record of what is signed."""
    return sessions.SessionRecord(
        session=session.pk,
        organization=session.organization_id,
        client=session.client_id,
        course=session.course_id,
        number=session.number,
        scheduled_on=session.scheduled_on,
        performed_on=session.performed_on,
        started_at=session.started_at,
        started_by=session.started_by_id,
        override_reason=session.override_reason,
        override_by=session.override_by_id,
        checklist=tuple(int(i) for i in session.checklist),
        anaesthetic_started_at=session.anaesthetic_started_at,
        notes=session.notes,
        zones=tuple(_entry(zr) for zr in zone_records),
        signed_at=session.signed_at,
        signed_by=session.signed_by_id,
        anaesthetic_agent=session.anaesthetic_agent or "",
        anaesthetic_ready_at=session.anaesthetic_ready_at,
        needled_before_ready=session.needled_before_ready,
        override_physician=session.override_physician,
        override_approved_on=session.override_approved_on,
    )


def signed_content(session: Session, zone_records: Iterable[ZoneRecord]) -> dict[str, Any]:
    """Everything the signature covers, as plain JSON values (core's :func:`~pinpoint.core.sessions.signed_content`)."""
    return sessions.signed_content(record_of(session, zone_records))


def rows_match(session: Session, zone_records: Iterable[ZoneRecord]) -> bool:
    """True when the session and zone rows still give the signed text and its SHA-256 (no key needed).

    After an erasure blanked the session's free text, the rows give the stored (blanked) signed
    text, and the SHA-256 is that of the text as signed: the seal's erasure record vouches for it.
    """
    if not session.is_signed or not session.content_hash:
        return False
    content = signed_content(session, zone_records)
    if canonical_json(content) != session.signed_content:
        return False
    return content_sha256(content) == session.content_hash or bool(
        erased_fields(session.organization_id, "session", session.pk)
    )


def verify(session: Session, zone_records: Iterable[ZoneRecord]) -> bool:
    """True when the rows give the signed text and hash, the session's seal holds and sits in its chain.

    Recomputing a plain SHA-256 needs no key, so it alone proves nothing against someone with
    database access; the seal (keyed, chained) does.
    """
    return rows_match(session, zone_records) and check_record(session, "session") is None
