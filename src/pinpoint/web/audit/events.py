"""The names of audit events: one vocabulary for every app that writes the trail.

The values are what the ``action`` column stores; renaming a member's value would orphan the
events already written under it, so a value never changes once released.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["Event"]


class Event(StrEnum):
    """What an audit event records; the value is stored as ``AuditEvent.action``."""

    ADVERSE_EVENT_RECORD = "adverse_event.record"
    ADVERSE_EVENT_UPDATE = "adverse_event.update"
    APPOINTMENT_BOOK = "appointment.book"
    APPOINTMENT_FREE = "appointment.free"
    API_TOKEN_CREATE = "api_token.create"  # noqa: S105 - an event name, not a secret
    API_TOKEN_REVOKE = "api_token.revoke"  # noqa: S105 - an event name, not a secret
    CLIENT_CREATE = "client.create"
    CLIENT_UPDATE = "client.update"
    CLIENT_ERASE = "client.erase"
    CONSENT_SIGN = "consent.sign"
    CONSENT_WITHDRAW = "consent.withdraw"
    CONSENT_TEMPLATE_ADD = "consent_template.add"
    COURSE_BOOK = "course.book"
    COURSE_CREATE = "course.create"
    DEVICE_ADD = "device.add"
    DEVICE_CLEAN = "device.clean"
    DEVICE_RECALL = "device.recall"
    DEVICE_RETIRE = "device.retire"
    INVITATION_ACCEPT = "invitation.accept"
    INVITATION_CREATE = "invitation.create"
    INVITATION_REVOKE = "invitation.revoke"
    MEMBERSHIP_REMOVE = "membership.remove"
    MEMBERSHIP_ROLE = "membership.role"
    ORGANIZATION_CREATE = "organization.create"
    ORGANIZATION_EXPORT = "organization.export"
    ORGANIZATION_POLICY = "organization.policy"
    ORGANIZATION_UPDATE = "organization.update"
    OUTCOME_RECORD = "outcome.record"
    PHOTO_TAKE = "photo.take"
    PORTAL_LINK = "portal.link"
    QUESTIONNAIRE_RECORD = "questionnaire.record"
    ROOM_ADD = "room.add"
    SCREENING_OVERRIDE_REFER = "screening.override_refer"
    SESSION_ADDENDUM = "session.addendum"
    SESSION_ANAESTHETIC = "session.anaesthetic"
    SESSION_CANCEL = "session.cancel"
    SESSION_RECORD = "session.record"
    SESSION_RESCHEDULE = "session.reschedule"
    SESSION_SIGN = "session.sign"
    SESSION_START = "session.start"
