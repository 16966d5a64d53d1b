"""What the signature of an electrolysis session covers, and whether its rows still give it.

The content is core's (:func:`pinpoint.core.hair_records.signed_content`): the session's fields and
every area's record. Signing stores its canonical JSON and SHA-256; ``pinpoint verify`` and the
record page recompute it from the rows (no key needed for that part; the seal is keyed).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pinpoint.core.hair_records import signed_content, word_name
from pinpoint.core.records import canonical_json, content_sha256
from pinpoint.core.zones import zone_names
from pinpoint.evidence.loader import Evidence
from pinpoint.web.audit.chains import check_record
from pinpoint.web.audit.erasures import erased_fields
from pinpoint.web.electrolysis.models import AreaRecord, Session
from pinpoint.web.electrolysis.selectors import entry_of

__all__ = ["content_of", "record_rows", "rows_match", "seal_problem"]


def content_of(session: Session, records: Iterable[AreaRecord]) -> dict[str, object]:
    """The signed content of ``session`` with its area ``records`` (the session must carry its signature)."""
    return signed_content(
        {
            "session": session.pk,
            "organization": session.organization_id,
            "client": session.client_id,
            "course": session.course_id,
            "number": session.number,
            "performed_on": session.performed_on.isoformat(),
            "practitioner": session.practitioner_id,
            "notes": session.notes,
            "signed_at": session.signed_at.isoformat() if session.signed_at else None,
            "signed_by": session.signed_by_id,
        },
        [entry_of(r) for r in records],
    )


def rows_match(session: Session, records: Iterable[AreaRecord]) -> bool:
    """True when the session and area rows still give the signed text and its SHA-256.

    After an erasure blanked the session's notes, the rows give the stored (blanked) signed text,
    and the SHA-256 is that of the text as signed: the seal's erasure record vouches for it.
    """
    if not session.is_signed or not session.content_hash:
        return False
    content = content_of(session, records)
    if canonical_json(content) != session.signed_content:
        return False
    return content_sha256(content) == session.content_hash or bool(
        erased_fields(session.organization_id, "electrolysis_session", session.pk)
    )


def seal_problem(session: Session, records: list[AreaRecord], addenda: Iterable[Any] = ()) -> str | None:
    """Why the signed session is not as it was signed (its seal, its rows, else an addendum), or ``None``."""
    problem = check_record(session, "electrolysis_session")
    if problem is None and not rows_match(session, records):
        problem = "the area records differ from what was signed"
    if problem is None and any(a.altered for a in addenda):
        problem = "an addendum has changed since it was written"
    return problem


def record_rows(evidence: Evidence, records: Iterable[AreaRecord]) -> list[dict[str, Any]]:
    """Each area record with the area, probe and skin reaction in words, for the record page and its print."""
    return [
        {
            "r": r,
            "name": zone_names(evidence, [r.area]),
            "probe": word_name(evidence, "probe_types", r.probe_type),
            "reaction": word_name(evidence, "reactions", r.reaction),
        }
        for r in records
    ]
