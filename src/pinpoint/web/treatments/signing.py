"""What a signature covers, and checking it later: the canonical content of a session, its SHA-256, its seal."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from pinpoint.core.records import canonical_json, content_sha256
from pinpoint.web.audit.chains import check_record
from pinpoint.web.treatments.models import Session, ZoneRecord

__all__ = ["rows_match", "signed_content", "verify"]


def _when(value: dt.datetime | None) -> str | None:
    return value.astimezone(dt.UTC).isoformat() if value is not None else None


def _zone(zr: ZoneRecord) -> dict[str, Any]:
    return {
        "zone": zr.zone,
        "treated": zr.treated,
        "device": zr.device,
        "device_unit": zr.device_unit_id,
        "lot_number": zr.lot_number,
        "depth_mm": None if zr.depth_mm is None else f"{zr.depth_mm:.2f}",
        "passes": zr.passes,
        "endpoint_reached": zr.endpoint_reached,
        "notes": zr.notes,
        "warnings": list(zr.warnings),
    }


def signed_content(session: Session, zone_records: Iterable[ZoneRecord]) -> dict[str, Any]:
    """Everything the signature covers, as plain JSON values (dates ISO, datetimes UTC, depths as text)."""
    return {
        "session": session.pk,
        "organization": session.organization_id,
        "client": session.client_id,
        "course": session.course_id,
        "number": session.number,
        "scheduled_on": session.scheduled_on.isoformat(),
        "performed_on": session.performed_on.isoformat() if session.performed_on else None,
        "started_at": _when(session.started_at),
        "started_by": session.started_by_id,
        "override_reason": session.override_reason,
        "override_by": session.override_by_id,
        "checklist": sorted(int(i) for i in session.checklist),
        "anaesthetic_started_at": _when(session.anaesthetic_started_at),
        "notes": session.notes,
        "zones": [_zone(zr) for zr in sorted(zone_records, key=lambda z: z.zone)],
        "signed_at": _when(session.signed_at),
        "signed_by": session.signed_by_id,
    }


def rows_match(session: Session, zone_records: Iterable[ZoneRecord]) -> bool:
    """True when the session and zone rows still give the signed text and its SHA-256 (no key needed)."""
    if not session.is_signed or not session.content_hash:
        return False
    content = signed_content(session, zone_records)
    return content_sha256(content) == session.content_hash and canonical_json(content) == session.signed_content


def verify(session: Session, zone_records: Iterable[ZoneRecord]) -> bool:
    """True when the rows give the signed text and hash, the session's seal holds and sits in its chain.

    Recomputing a plain SHA-256 needs no key, so it alone proves nothing against someone with
    database access; the seal (keyed, chained) does.
    """
    return rows_match(session, zone_records) and check_record(session, "session") is None
