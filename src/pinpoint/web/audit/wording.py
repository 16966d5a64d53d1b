"""How an audit event reads on a page: a sentence for its action, its details as labelled values in words.

The one place that turns the ``action`` column and the ``detail`` JSON of :class:`AuditEvent` into what a
person reads: evidence ids become the evidence's names (zones, indications, devices, scales, adverse events,
photo views, hair areas), ISO dates become dates, yes/no stays yes/no, a seal's digest is shortened.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import formats

from pinpoint.web.audit.events import Event
from pinpoint.web.audit.models import AuditEvent
from pinpoint.web.base.templatetags.pinpoint import name_of

__all__ = ["ACTIONS", "VIEWED", "Described", "describe", "detail_words", "viewed_words"]

ACTIONS: dict[str, str] = {
    Event.ADVERSE_EVENT_RECORD: "Reported an adverse event",
    Event.ADVERSE_EVENT_UPDATE: "Followed up an adverse event",
    Event.APPOINTMENT_BOOK: "Booked an appointment",
    Event.APPOINTMENT_FREE: "Freed an appointment",
    Event.API_TOKEN_CREATE: "Created an API token",
    Event.API_TOKEN_REVOKE: "Revoked an API token",
    Event.CLIENT_CREATE: "Added the person's record",
    Event.CLIENT_UPDATE: "Changed the person's details",
    Event.CLIENT_ERASE: "Erased the person's identifying details",
    Event.CONSENT_SIGN: "Signed a consent",
    Event.CONSENT_WITHDRAW: "Withdrew a consent",
    Event.CONSENT_TEMPLATE_ADD: "Added a consent text",
    Event.COURSE_BOOK: "Booked sessions",
    Event.COURSE_CREATE: "Planned a course",
    Event.DEVICE_ADD: "Added a device",
    Event.DEVICE_CLEAN: "Cleaned a device",
    Event.DEVICE_RECALL: "Recalled a device",
    Event.DEVICE_RETIRE: "Retired a device",
    Event.INVITATION_ACCEPT: "Accepted an invitation",
    Event.INVITATION_CREATE: "Invited someone",
    Event.INVITATION_REVOKE: "Withdrew an invitation",
    Event.MEMBERSHIP_REMOVE: "Removed a member",
    Event.MEMBERSHIP_ROLE: "Changed a member's role",
    Event.ORGANIZATION_CREATE: "Created the organization",
    Event.ORGANIZATION_EXPORT: "Downloaded everything",
    Event.ORGANIZATION_POLICY: "Changed the policy settings",
    Event.ORGANIZATION_UPDATE: "Changed the organization's settings",
    Event.OUTCOME_RECORD: "Recorded a score",
    Event.PHOTO_TAKE: "Took a photo",
    Event.PORTAL_LINK: "Sent a sign-in link",
    Event.QUESTIONNAIRE_RECORD: "Recorded a questionnaire",
    Event.ROOM_ADD: "Added a room",
    Event.SCREENING_OVERRIDE_REFER: "Went ahead despite a referral",
    Event.SESSION_ADDENDUM: "Added an addendum to a signed session",
    Event.SESSION_ANAESTHETIC: "Put the anaesthetic on",
    Event.SESSION_CANCEL: "Cancelled a session",
    Event.SESSION_RECORD: "Recorded a session",
    Event.SESSION_RESCHEDULE: "Moved a session",
    Event.SESSION_SIGN: "Signed a session",
    Event.SESSION_START: "Started a session",
}
"""The sentence for each kind of event."""

VIEWED: dict[str, str] = {
    "timeline": "the record",
    "client": "the personal details",
    "questionnaire": "a questionnaire",
    "consent": "a consent",
    "course": "a course",
    "session": "a session",
    "session runner": "a session while running it",
    "session photos": "a session's photos",
    "electrolysis_course": "an electrolysis course",
    "electrolysis_session": "an electrolysis session",
    "adverse event": "an adverse event",
    "photos": "the photos",
    "photo thumbnail": "a photo",
    "photo image": "a photo",
}
"""What a record view opened (``RecordView.what``), in words."""

LABELS: dict[str, str] = {
    "agent": "Cleaned with",
    "approved_on": "Approved on",
    "area": "Area",
    "areas": "Areas",
    "catalog_id": "Device",
    "days": "Valid for",
    "email": "Email",
    "erasure": "Erasure",
    "event": "Adverse event",
    "evidence_version": "Evidence version",
    "fields": "Fields",
    "findings": "Findings",
    "from": "From",
    "hash": "Seal",
    "indication": "Indication",
    "kind": "Kind",
    "lot": "Lot",
    "lots": "Lots",
    "minutes": "Minutes",
    "modality": "Modality",
    "name": "Name",
    "on": "On",
    "opening_hours": "Opening hours",
    "outcome": "Outcome",
    "photo_clinical": "Clinical photos allowed",
    "photo_marketing": "Marketing photos allowed",
    "physician": "Approving physician",
    "practitioner": "Practitioner",
    "rater": "Rated by",
    "reason": "Reason",
    "role": "Role",
    "room": "Room",
    "scale": "Scale",
    "scope": "Scope",
    "session": "Session",
    "sessions": "Sessions",
    "severity": "Severity",
    "sha256": "Seal",
    "starts_at": "Starts",
    "taken_on": "Taken on",
    "time_zone": "Time zone",
    "to": "To",
    "treatment": "Treatment",
    "units": "Units",
    "user": "Member",
    "value": "Score",
    "version": "Version",
    "view": "View",
    "zone": "Zone",
    "zones": "Zones",
}
"""The label of each detail key; a key not listed is shown with spaces for underscores."""

_KINDS: dict[str, str] = {
    "area": "area",
    "areas": "area",
    "catalog_id": "device",
    "indication": "indication",
    "modality": "modality",
    "scale": "scale",
    "severity": "severity",
    "view": "view",
    "zone": "zone",
    "zones": "zone",
}
"""Detail keys that hold evidence ids, and the kind of id (see :func:`name_of`)."""

_KIND_BY_ACTION: dict[tuple[str, str], str] = {(Event.ADVERSE_EVENT_RECORD, "kind"): "adverse_event"}
_DIGESTS = {"sha256", "hash"}
_HIDDEN = {"evidence_version", "event", "session", "lots", "erasure"}
"""Detail keys kept in the trail but not worth a line on the page (the evidence version; row ids, which the
client column and the record's own pages already name)."""


@dataclass(frozen=True)
class Described:
    """An event in words: the sentence and the labelled details."""

    action: str
    details: tuple[tuple[str, str], ...]


def _date_words(text: str) -> str | None:
    try:
        if "T" in text:
            return str(formats.date_format(dt.datetime.fromisoformat(text), "DATETIME_FORMAT"))
        return str(formats.date_format(dt.date.fromisoformat(text)))
    except ValueError:
        return None


def _value_words(key: str, value: Any, kind: str | None) -> str:
    if value is None or value == "" or value == [] or value == {}:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if kind is not None:
        return ", ".join(name_of(v, kind) for v in value) if isinstance(value, list) else name_of(value, kind)
    if key in _DIGESTS:
        return f"{str(value)[:12]}…"
    if isinstance(value, dict):
        return "; ".join(f"{_label(k)}: {_value_words(k, v, _KINDS.get(k))}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(_item_words(key, v) for v in value)
    if isinstance(value, str):
        return _date_words(value) or value.replace("_", " ")
    return str(value)


def _item_words(key: str, item: Any) -> str:
    if key == "sessions" and isinstance(item, list | tuple) and len(item) == 2:
        return f"{item[0]} on {_date_words(str(item[1])) or item[1]}"
    if isinstance(item, dict):  # a screening finding
        return str(item.get("message") or item.get("field") or _value_words(key, item, None))
    return _value_words(key, item, None)


def _label(key: str) -> str:
    return LABELS.get(key, key.replace("_", " ").capitalize())


def detail_words(action: str, detail: dict[str, Any] | None) -> tuple[tuple[str, str], ...]:
    """The labelled details of an event of ``action`` in words (evidence names, dates, yes/no), by key: the
    same order on every database (PostgreSQL's jsonb does not keep the order the keys were written in)."""
    out = []
    for key, value in sorted((detail or {}).items()):
        if key in _HIDDEN:
            continue
        kind = _KIND_BY_ACTION.get((action, key), _KINDS.get(key))
        out.append((_label(key), _value_words(key, value, kind)))
    return tuple(out)


def describe(event: AuditEvent) -> Described:
    """What ``event`` reads as on a page."""
    action = ACTIONS.get(event.action, event.action.replace("_", " ").replace(".", ": ").capitalize())
    return Described(action=action, details=detail_words(event.action, event.detail))


def viewed_words(what: str) -> str:
    """What a record view (``RecordView.what``) opened, in words."""
    return VIEWED.get(what, what.replace("_", " "))
